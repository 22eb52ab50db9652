"""选房: calls in order, missed calls drop back, windows run out (frozen time), pauses give
time back, a pick turns the 诚意金 into the unit's deposit, and a pick racing a hold."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from app.models import AuditLog, Deposit, LaunchRegistration, Receipt, Unit
from app.services.board import unit_status
from app.services.deals import deposits, subscriptions  # noqa: F401 (registers loaders)
from app.services.errors import Conflict
from app.services.launch import lottery, registrations, selection
from tests.board.test_concurrency import _race, race_app  # noqa: F401 (fixture)
from tests.launch.conftest import entry, launch_of, make_launch, person

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


def running(db, office, confirm=True, penalty=2, buyers=6):
    """A launch in order mode, queue fixed by registration order, selection started."""
    launch_id, entries = make_launch(office, mode="order", confirm=confirm, penalty=penalty,
                                     buyers=buyers)
    launch = launch_of(launch_id)
    lottery.fix_order(launch, person("zhaomin"))
    selection.start(launch, person("zhaomin"))
    db.session.commit()
    return launch, entries


def waiting_order(db, launch):
    return db.session.scalars(select(LaunchRegistration.queue_no).where(
        LaunchRegistration.launch_id == launch.id, LaunchRegistration.call_status == "waiting")
        .order_by(LaunchRegistration.position)).all()


def unit(db, office, name):
    return db.session.get(Unit, office["units"][name])


def test_calls_go_in_queue_order_and_a_miss_drops_back_by_the_penalty(db, office):
    launch, entries = running(db, office, penalty=2)
    secretary = person("zhaomin")
    first = selection.call_next(launch, secretary)
    db.session.commit()
    assert first.queue_no == 1 and first.call_status == "called"
    selection.miss(first, secretary)
    db.session.commit()
    assert waiting_order(db, launch) == [2, 3, 1, 4, 5, 6]
    assert entry(first.id).misses == 1
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "launch_missed")) == 1
    assert selection.call_next(launch, secretary).queue_no == 2
    db.session.commit()


def test_a_miss_near_the_end_goes_last(db, office):
    launch, entries = running(db, office, penalty=5, buyers=3)
    secretary = person("zhaomin")
    selection.miss(selection.call_next(launch, secretary), secretary)
    db.session.commit()
    assert waiting_order(db, launch) == [2, 3, 1]


def test_a_window_that_runs_out_is_a_missed_call(db, office):
    with time_machine.travel(T0, tick=False):
        launch, entries = running(db, office, penalty=2)
        first = selection.call_next(launch, person("zhaomin"))
        db.session.commit()
        assert first.window_ends_at == T0 + timedelta(minutes=3)
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        with pytest.raises(Conflict, match="选房时间已到"):
            selection.pick(entry(first.id), unit(db, office, "1栋 301"), person("zhaomin"))
        db.session.rollback()
        assert unit(db, office, "1栋 301").status == "available"
        second = selection.call_next(launch_of(launch.id), person("zhaomin"))
        db.session.commit()
    assert second.queue_no == 2
    assert entry(first.id).call_status == "waiting" and entry(first.id).misses == 1
    assert waiting_order(db, launch) == [3, 1, 4, 5, 6]  # moved behind 2 and 3, then 2 called
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "launch_missed"))
    assert row.reason == "选房时限已到" and row.actor == "system"


def test_a_pick_just_inside_the_window_stands(db, office):
    with time_machine.travel(T0, tick=False):
        launch, entries = running(db, office)
        first = selection.call_next(launch, person("zhaomin"))
        db.session.commit()
    with time_machine.travel(T0 + timedelta(minutes=2, seconds=59), tick=False):
        selection.pick(entry(first.id), unit(db, office, "1栋 301"), person("zhaomin"))
        db.session.commit()
    assert entry(first.id).call_status == "picked"


def test_a_pause_freezes_the_window_and_resume_gives_the_time_back(db, office):
    with time_machine.travel(T0, tick=False):
        launch, entries = running(db, office)
        first = selection.call_next(launch, person("zhaomin"))
        db.session.commit()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        selection.pause(launch_of(launch.id), person("zhaomin"))
        db.session.commit()
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        with pytest.raises(Conflict, match="暂停"):
            selection.pick(entry(first.id), unit(db, office, "1栋 301"), person("zhaomin"))
        db.session.rollback()
        state = selection.board_state(launch_of(launch.id))
        assert state["called"][0][1] == 120  # frozen at the pause
        selection.resume(launch_of(launch.id), person("zhaomin"))
        db.session.commit()
    assert entry(first.id).window_ends_at == T0 + timedelta(minutes=13)
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        selection.pick(entry(first.id), unit(db, office, "1栋 302"), person("zhaomin"))
        db.session.commit()


def test_a_confirmed_sincerity_deposit_becomes_a_confirmed_deposit(db, office):
    launch, entries = running(db, office)
    first = selection.call_next(launch, person("zhaomin"))
    db.session.commit()
    deposit = selection.pick(first, unit(db, office, "1栋 301"), person("zhaomin"))
    db.session.commit()
    picked = unit(db, office, "1栋 301")
    assert picked.status == "deposit_confirmed"
    assert deposit.status == "confirmed" and deposit.amount == first.amount
    assert deposit.kind == "small" and deposit.decided_by_id == office["chenjing"]
    receipt = db.session.get(Receipt, first.receipt_id)
    assert receipt.unit_id == picked.id and receipt.status == "confirmed"
    assert entry(first.id).status == "converted" and entry(first.id).deposit_id == deposit.id
    assert deposits.confirmed_for(picked.id).id == deposit.id  # a subscription can start here
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "unit_launch_pick_confirmed")) == 1
    with pytest.raises(Conflict):  # refunding a 诚意金 that is now a deposit
        registrations.refund(entry(first.id), "不买了", person("chenjing"))
    db.session.rollback()


def test_a_pending_sincerity_deposit_becomes_a_pending_deposit_finance_confirms(db, office):
    launch, entries = running(db, office, confirm=False)
    first = selection.call_next(launch, person("zhaomin"))
    db.session.commit()
    deposit = selection.pick(first, unit(db, office, "1栋 301"), person("zhaomin"))
    db.session.commit()
    assert unit(db, office, "1栋 301").status == "deposit_pending"
    assert deposit.status == "pending"
    assert deposit in deposits.pending(launch.project_id)
    deposits.confirm(deposit, person("chenjing"))  # the usual finance queue
    db.session.commit()
    assert unit(db, office, "1栋 301").status == "deposit_confirmed"
    assert db.session.get(Receipt, first.receipt_id).status == "confirmed"


def test_a_pick_cannot_take_a_unit_someone_else_holds(db, office):
    launch, entries = running(db, office)
    first = selection.call_next(launch, person("zhaomin"))  # 王芳's buyer
    unit_status.transition(unit(db, office, "1栋 301"), "hold", person("lijun"))
    db.session.commit()
    with pytest.raises(Conflict, match="已被 李军 保留"):
        selection.pick(entry(first.id), unit(db, office, "1栋 301"), person("zhaomin"))
    db.session.rollback()
    unit_status.transition(unit(db, office, "1栋 302"), "hold", person("wangfang"))
    db.session.commit()
    selection.pick(entry(first.id), unit(db, office, "1栋 302"), person("zhaomin"))
    db.session.commit()  # the buyer's own consultant's hold is theirs to pick
    assert unit(db, office, "1栋 302").status == "deposit_confirmed"


def test_a_rejected_or_refunded_buyer_leaves_the_queue(db, office):
    launch, entries = running(db, office, confirm=False)
    registrations.reject(entry(entries[0]), "金额不符", person("chenjing"))
    db.session.commit()
    assert entry(entries[0]).call_status == "out"
    assert selection.call_next(launch_of(launch.id), person("zhaomin")).queue_no == 2


def test_a_pick_racing_a_hold_on_the_same_unit_one_wins(app, race_app, db, office):  # noqa: F811
    launch, entries = running(db, office)
    called = [selection.call_next(launch, person("zhaomin")).id for _ in range(3)]
    db.session.commit()
    names = ["1栋 301", "1栋 302", "1栋 303"]
    for entry_id, name in zip(called, names, strict=True):
        buyer_consultant = entry(entry_id).consultant.username
        rival = "lijun" if buyer_consultant == "wangfang" else "wangfang"
        unit_id = office["units"][name]
        db.session.rollback()  # outside a request every transaction writes: end ours first

        def go(kind, entry_id=entry_id, unit_id=unit_id, rival=rival):
            from app.extensions import db as rdb
            with race_app.app_context():
                target = rdb.session.get(Unit, unit_id)
                try:
                    if kind == "pick":
                        selection.pick(rdb.session.get(LaunchRegistration, entry_id), target,
                                       person("zhaomin"))
                    else:
                        unit_status.transition(target, "hold", person(rival))
                    rdb.session.commit()
                    return kind, "won"
                except Conflict:
                    rdb.session.rollback()
                    return kind, "lost"

        results, errors = _race(go, ["pick", "hold"])
        assert not errors, errors
        assert sorted(outcome for _, outcome in results) == ["lost", "won"], results
        winner = next(kind for kind, outcome in results if outcome == "won")
        db.session.expire_all()
        status = db.session.get(Unit, unit_id).status
        assert status == ("deposit_confirmed" if winner == "pick" else "held")
        deposits_on_unit = db.session.scalar(select(func.count()).select_from(Deposit)
                                             .where(Deposit.unit_id == unit_id))
        assert deposits_on_unit == (1 if winner == "pick" else 0)
        assert entry(entry_id).call_status == ("picked" if winner == "pick" else "called")
        db.session.rollback()


def test_the_console_lists_a_pick_made_while_it_was_reading_with_its_unit(
        app, race_app, db, office):  # noqa: F811
    """PostgreSQL reads each statement afresh: a buyer the console has just read as 选房中
    (called) can be picked by another desk before it reads the 最近成交 list. That list must
    show the buyer with the unit, not the stale called row (its unit None: a 500 under
    --heavy load)."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("a SQLite read transaction sees one snapshot: nothing changes under it")
    launch, entries = running(db, office)
    first = selection.call_next(launch, person("zhaomin"))
    db.session.commit()
    assert [e.id for e, _ in selection.board_state(launch)["called"]] == [first.id]
    with race_app.app_context():  # another desk picks, and commits, meanwhile
        from app.extensions import db as rdb
        selection.pick(rdb.session.get(LaunchRegistration, first.id),
                       rdb.session.get(Unit, office["units"]["1栋 301"]), person("zhaomin"))
        rdb.session.commit()
    picked = selection.board_state(launch)["picked"]
    assert [e.id for e in picked] == [first.id]
    assert picked[0].picked_unit is not None and picked[0].picked_unit.unit_no == "301"
    db.session.rollback()
