"""摇号: committed before, verifiable after, by anyone; a tampered seed is refused."""
import hashlib
import hmac
import json

import pytest

from app.services.deals.common import new_form_key
from app.services.errors import RuleViolation
from app.services.launch import lottery, registrations
from tests.launch.conftest import launch_of, make_launch, person


def independent_order(seed, numbers):
    """The published algorithm, written again from its description (not the app's code)."""
    def key(n):
        return hmac.new(seed.encode(), str(n).encode(), hashlib.sha256).hexdigest()
    return sorted(numbers, key=lambda n: (key(n), n))


def test_commit_then_draw_is_recomputable_by_anyone(app, db, office, client):
    launch_id, entries = make_launch(office)
    launch = launch_of(launch_id)
    secretary = person("zhaomin")
    lottery.commit(launch, secretary)
    db.session.commit()
    committed_hash, numbers = launch.seed_hash, json.loads(launch.participants)
    assert numbers == [1, 2, 3, 4, 5, 6]
    page = client.get(f"/lottery/{launch.public_token}").get_data(as_text=True)
    assert committed_hash in page and launch.seed not in page  # hash public, seed secret

    ranked = lottery.draw(launch, secretary)
    db.session.commit()
    assert hashlib.sha256(launch.seed.encode()).hexdigest() == committed_hash
    assert ranked == independent_order(launch.seed, numbers)
    stored = {r.number: r.queue_no for r in launch.registrations}
    assert [n for n, _ in sorted(stored.items(), key=lambda kv: kv[1])] == ranked

    page = client.get(f"/lottery/{launch.public_token}").get_data(as_text=True)
    assert launch.seed in page
    assert "种子的 SHA-256 与摇号前公示的哈希一致" in page
    assert "与公布的排号完全一致" in page
    checked = client.get(f"/lottery/{launch.public_token}?seed={launch.seed}")
    assert "该种子与公示的哈希一致" in checked.get_data(as_text=True)


def test_a_tampered_seed_is_refused(app, db, office, client):
    launch_id, _ = make_launch(office)
    launch = launch_of(launch_id)
    lottery.commit(launch, person("zhaomin"))
    lottery.draw(launch, person("zhaomin"))
    db.session.commit()
    forged = ("0" if launch.seed[0] != "0" else "1") + launch.seed[1:]
    result = lottery.verify(launch, forged)
    assert result["refused"] and result["ranked"] == []
    page = client.get(f"/lottery/{launch.public_token}?seed={forged}").get_data(as_text=True)
    assert "不是本次摇号的种子" in page
    assert lottery.verify(launch, "not hex at all")["refused"]


def test_a_stored_order_that_was_altered_shows_as_mismatch(app, db, office):
    launch_id, entries = make_launch(office)
    launch = launch_of(launch_id)
    lottery.commit(launch, person("zhaomin"))
    lottery.draw(launch, person("zhaomin"))
    db.session.commit()
    first, second = sorted(launch.registrations, key=lambda r: r.queue_no)[:2]
    first.queue_no, second.queue_no = second.queue_no, first.queue_no  # someone edits the DB
    db.session.commit()
    result = lottery.verify(launch)
    assert result["hash_ok"] is True and result["order_ok"] is False


def test_registration_closes_at_commit_and_draw_needs_a_commit(app, db, office):
    launch_id, _ = make_launch(office, buyers=2)
    launch = launch_of(launch_id)
    with pytest.raises(RuleViolation):
        lottery.draw(launch, person("zhaomin"))
    db.session.rollback()
    lottery.commit(launch, person("zhaomin"))
    db.session.commit()
    from app.models import Customer
    late = Customer(project_id=launch.project_id, name="迟到", phone="13600000009",
                    owner_id=office["wangfang"])
    db.session.add(late)
    db.session.commit()
    with pytest.raises(RuleViolation, match="认筹已截止"):
        registrations.register(launch, customer_id=late.id, amount_text="50000", method="cash",
                               receipt_no="1150", layouts=[], consultant_id=None,
                               form_key=new_form_key(), actor=person("zhaomin"))


def test_order_mode_queues_by_registration_number(app, db, office):
    launch_id, entries = make_launch(office, mode="order")
    launch = launch_of(launch_id)
    lottery.fix_order(launch, person("zhaomin"))
    db.session.commit()
    assert [r.queue_no for r in launch.registrations] == [1, 2, 3, 4, 5, 6]
