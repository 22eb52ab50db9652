"""One meaning of 回款. 回款账龄, 签约明细表 and 回款明细表 show the same
回款 (money finance confirmed) for the same contracts; 定金抵扣 and money waiting on finance
stand in their own labelled columns; a 退房 leaves nothing owed. Reconciled on a generated
project after a 退房 of a contract with money in, through the pages."""
import io
import re
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Contract, Instalment, MoneyStatus, Payment, Subscription, User
from app.services.changes import execute, requests
from app.services.deals import registers
from app.services.deals.common import new_form_key
from app.services.money import format_money
from app.services.reports import collection_stats
from tests.fixtures.customers import browser_for
from tests.fixtures.reports import NOW, generate


@pytest.fixture
def world(app, make_user, snapshot):
    return snapshot("reports", lambda: generate(app, make_user))


def refund_a_contract_with_money_in(project_id):
    """Refund (manager override) a contract whose buyer paid 回款 and has none pending."""
    for contract in db.session.scalars(select(Contract).where(
            Contract.project_id == project_id).order_by(Contract.id)):
        statuses = {p.status for p in db.session.scalars(
            select(Payment).where(Payment.contract_id == contract.id))}
        owner = contract.subscription.customer.owner
        if MoneyStatus.CONFIRMED in statuses and MoneyStatus.PENDING not in statuses \
                and contract.subscription.status == "signed" and owner is not None:
            break
    manager = db.session.scalar(select(User).where(User.username == "boss"))
    secretary = db.session.scalar(select(User).where(User.username == "zhaomin"))
    change, _ = requests.ask(contract.unit, {"form_key": new_form_key(), "kind": "refund",
                                             "reason": "loan"}, owner)
    requests.decide(change, True, {"penalty": "0", "override": "y",
                                   "override_reason": "银行拒贷"}, manager)
    execute.execute(change, {}, secretary)
    db.session.commit()
    return contract.id


def figure(page, label):
    match = re.search(rf'stat-label">{label}</span>\s*<span class="stat-value[^"]*">([^<]+)<',
                      page)
    return match.group(1)


def footer(page):
    return page[page.index("<tfoot>"):page.index("</tfoot>")]


def test_the_three_pages_show_one_meaning_of_collections(app, world):
    with time_machine.travel(NOW, tick=False):
        with app.app_context():
            refunded = refund_a_contract_with_money_in(world["project"])
            assert db.session.get(Contract, refunded).subscription.status == "voided"
            ageing = collection_stats.ageing(world["project"])
            contracts = registers.totals("contracts", world["project"], {})
            payments = registers.totals("payments", world["project"], {})
        manager = browser_for(app, "boss")
        ageing_page = manager.get("/reports/collections").text
        contracts_page = manager.get("/deals/registers/contracts").text
        payments_page = manager.get("/deals/registers/payments").text
    # the same 回款, 定金抵扣, pending and balance, whichever page
    assert ageing.received == contracts["received"] == payments["received"] > 0
    assert ageing.credited == contracts["credited"] > 0
    assert ageing.pending == contracts["pending"] == payments["pending"]
    assert ageing.outstanding == contracts["balance"] == (
        contracts["total_price"] - contracts["credited"] - contracts["received"])
    assert ageing.scheduled == contracts["total_price"]
    assert not any(r.contract_id == refunded for r in ageing.rows)  # a 退房 owes nothing
    assert figure(ageing_page, "已确认回款") == format_money(ageing.received)
    assert figure(ageing_page, "定金抵扣") == format_money(ageing.credited)
    assert figure(ageing_page, "待财务确认") == format_money(ageing.pending)
    assert figure(ageing_page, "未回款") == format_money(ageing.outstanding)
    for page in (contracts_page, payments_page):
        assert "<th class=\"num\">已确认回款</th>" in page
        assert "<th class=\"num\">待财务确认</th>" in page
        assert format_money(ageing.received) in footer(page)
        assert format_money(ageing.pending) in footer(page)
    assert format_money(ageing.credited) in footer(contracts_page)
    # where a page's scope differs, it says so: no 定金抵扣 on the 回款明细表, and why
    for page in (contracts_page, payments_page):
        assert "回款 = 财务已确认的房款(与回款账龄、签约明细表、回款明细表同一口径)" in page
    assert "定金抵扣不是回款,不列在本表" in payments_page
    from openpyxl import load_workbook
    with time_machine.travel(NOW, tick=False):
        export = manager.get("/deals/registers/payments.xlsx").data
    notes = [c.value for c in load_workbook(io.BytesIO(export))["说明"]["A"]]
    assert any("定金抵扣不是回款" in (note or "") for note in notes)
    assert "已退房退款" in payments_page  # the refunded contract's 回款, listed, not counted
    assert payments["received"] + sum(
        (p.amount for p in _refunded_payments(app, refunded)), Decimal("0.00")) > 0


def test_each_contract_and_instalment_shows_the_same_collections_on_each_page(app, world):
    """Row by row, not only in total: a contract's 回款 and pending on the 签约明细表 are the
    sum of its rows on the 回款明细表, and each instalment the ageing lists has the 回款 and
    定金抵扣 those rows give it."""
    from collections import defaultdict
    with time_machine.travel(NOW, tick=False), app.app_context():
        refund_a_contract_with_money_in(world["project"])
        ageing = collection_stats.ageing(world["project"])
        contracts = registers.rows("contracts", world["project"], {}, limit=None)
        payments = registers.rows("payments", world["project"], {}, limit=None)
        credited = dict(db.session.execute(
            select(Instalment.id, Instalment.credited)).all())
    by_contract, by_instalment = defaultdict(Decimal), defaultdict(Decimal)
    pending = defaultdict(Decimal)
    for row in payments:
        by_contract[row["contract"]] += row["received"] or 0
        by_instalment[row["contract"], row["instalment"]] += row["received"] or 0
        pending[row["contract"]] += row["pending"] or 0
    live = [row for row in contracts if row["status"] == "有效"]
    assert live and any(by_contract[row["number"]] for row in live)
    for row in live:
        assert row["received"] == by_contract[row["number"]], row["number"]
        assert row["pending"] == pending[row["number"]], row["number"]
    assert ageing.rows
    for row in ageing.rows:
        assert row.received == by_instalment[row.contract, row.label], row
        assert row.credited == credited[row.instalment_id], row


def test_the_monthly_table_counts_what_the_ageing_counts(app, world):
    """回款账龄's 按月回款 table: over every month, its 应收 is the ageing's 合同总价 (a 退房
    owes nothing), its 定金抵扣 column the ageing's, and its 已确认回款 the ageing's 回款 (a
    refunded contract's payments are not 回款 any more, as on the 回款明细表)."""
    from datetime import date
    with time_machine.travel(NOW, tick=False), app.app_context():
        refund_a_contract_with_money_in(world["project"])
        ageing = collection_stats.ageing(world["project"])
        months = collection_stats.by_month(world["project"], date(2025, 1, 1),
                                           date(2028, 12, 1))
        received = registers.totals("payments", world["project"], {})
    assert sum((m.scheduled for m in months), Decimal("0.00")) == ageing.scheduled
    assert sum((m.credited for m in months), Decimal("0.00")) == ageing.credited > 0
    assert sum((m.received for m in months), Decimal("0.00")) == ageing.received \
        == received["received"]
    assert sum((m.pending for m in months), Decimal("0.00")) == ageing.pending
    with time_machine.travel(NOW, tick=False):
        page = browser_for(app, "boss").get("/reports/collections").text
        with app.app_context():
            from app.blueprints.reports.analysis import _months
            shown = collection_stats.by_month(world["project"], *_months(ageing.day))
    assert '<th class="num">其中定金抵扣</th>' in page
    # the 回款率 compares 回款 with what was due as 回款: 应收 less its 定金抵扣
    month = next(m for m in shown if m.received and m.credited)
    due = m_wan(month.scheduled - month.credited)
    assert f"{m_wan(month.received)}/{due} 万" in page


def m_wan(amount):
    return (amount / 10000).quantize(Decimal("0.1"))


def _refunded_payments(app, contract_id):
    with app.app_context():
        return db.session.scalars(select(Payment).where(
            Payment.contract_id == contract_id, Payment.status == "confirmed")).all()


def test_a_refunded_subscription_leaves_the_ageing(app, world):
    with time_machine.travel(NOW, tick=False), app.app_context():
        before = collection_stats.bucket_totals(world["project"])
        refunded = refund_a_contract_with_money_in(world["project"])
        after = collection_stats.bucket_totals(world["project"])
        ageing = collection_stats.ageing(world["project"])
        sub = db.session.get(Contract, refunded).subscription
        assert db.session.get(Subscription, sub.id).status == "voided"
    assert sum(b["amount"] for b in after.values()) <= sum(b["amount"] for b in before.values())
    assert {k: b["amount"] for k, b in after.items()} == {
        k: b["amount"] for k, b in ageing.buckets.items()}


def test_the_dashboard_counts_no_instalment_due_on_a_refunded_contract(app, world):
    """The dashboard's 应收 (instalments falling due) and the ageing agree: a 退房 owes nothing."""
    from datetime import datetime, timezone

    from app.models import Instalment
    from app.services.reports import deal_stats
    always = [(datetime(2000, 1, 1, tzinfo=timezone.utc),
               datetime(2100, 1, 1, tzinfo=timezone.utc))]
    with time_machine.travel(NOW, tick=False), app.app_context():
        before = deal_stats.collections(world["project"], always)[0]
        refunded = refund_a_contract_with_money_in(world["project"])
        owed = db.session.scalars(select(Instalment.amount).where(
            Instalment.contract_id == refunded)).all()
        after = deal_stats.collections(world["project"], always)[0]
    assert owed and after["due_count"] == before["due_count"] - len(owed)
    assert after["due"] == before["due"] - sum(owed, Decimal("0.00"))
