"""The demo project shows who deals belong to: a card taken over by a deal, a split deal
whose 业绩 and 奖金 differ, and a complaint split waiting for the manager."""
from sqlalchemy import select

from app.models import DealShare, Deposit, OwnershipChange


def test_the_demo_shows_a_takeover_a_split_deal_and_a_complaint_waiting(demo_office, db):
    takeover = db.session.scalars(select(OwnershipChange).where(
        OwnershipChange.kind == "deal")).all()
    assert any("超过有效期" in c.reason and "以成交为准" in c.reason for c in takeover)
    # a consultant with a bonus share but no 业绩: the two splits are stored apart
    split = db.session.scalar(select(DealShare).where(DealShare.credit == 0))
    assert split is not None and split.percent == 20
    assert "业绩属 王芳 100%,奖金 王芳 80%、李军 20%" in db.session.get(
        Deposit, split.deposit_id).split_reason
    assert db.session.scalar(select(Deposit).where(Deposit.split_status == "pending"))
