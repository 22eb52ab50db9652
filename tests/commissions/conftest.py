"""The commissions office over HTTP: two deals (a split one, a channel one) whose lines are
payable at 认购, and a logged-in browser per user."""
import pytest

from app.extensions import db as _db
from tests.conftest import PASSWORD
from tests.fixtures.commissions import Office, people
from tests.helpers import Browser


@pytest.fixture
def office(app):
    with app.app_context():
        office = Office(people(), payable="subscribed")
        a, b = office.staff["a"], office.staff["b"]
        office.sell(office.units["high_rise"][0], office.customer(a), consultant=b)
        office.sell(office.units["villa"][0], office.customer(b, via=office.agent))
        _db.session.commit()
        return {"project": office.project.id,
               **{key: user.username for key, user in office.staff.items()},
               "ids": {key: user.id for key, user in office.staff.items()}}


@pytest.fixture
def browser(app):
    """login(username[, app]) → a logged-in Browser."""
    def login(username, on=None):
        browser = Browser((on or app).test_client())
        assert browser.login(username, PASSWORD).status_code == 302
        return browser
    return login
