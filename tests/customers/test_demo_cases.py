"""The demo project shows the channel and 补录 cases of the office rules to whoever opens it:
a channel report refused with its reason (seed 001: 凡营销系统已经录入…一律推荐失败) and a
visit entered the day after it happened (补录), with both times on the 来人来电 log."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ChannelReport, User, Visit
from app.services.clock import local
from tests.conftest import password_hash
from tests.fixtures.customers import browser_for


def test_the_demo_shows_a_refused_channel_report_and_a_late_visit(app, demo_office):
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "liuqiang")).password_hash = \
            password_hash()
        db.session.commit()
        refused = db.session.scalars(select(ChannelReport).where(
            ChannelReport.status == "refused")).all()
        assert any("凡营销系统已经录入的客户一律推荐失败" in r.refusal for r in refused)
        late = db.session.scalar(select(Visit).where(Visit.kind == "visit",
                                                     Visit.entered_at.is_not(None)))
        assert late is not None, "the demo has no 补录 visit"
        happened, entered = local(late.at), local(late.entered_at)
        assert entered.date() == happened.date() + timedelta(days=1)
    manager = browser_for(app, "liuqiang")
    reports = manager.get("/channels/").text
    assert "报备失败" in reports and "录入营销系统" in reports and "(规则:001 客户录入)" in reports
    log = manager.get(f"/visits/?day={happened:%Y-%m-%d}").text
    assert f"补录 {entered:%m-%d %H:%M}" in log and f"{happened:%H:%M}" in log
