"""Reception rotation 轮流接待 (seed 002 接待管理): every case of the duty queue, every
assignment logged."""
import pytest
import time_machine
from sqlalchemy import func, select

from app.models import AuditLog, RotationAssignment
from app.services.customers import rotation
from app.services.customers.reception import receive_walk_in
from app.services.errors import RuleViolation
from tests.fixtures.customers import at, build

DAY = at(2026, 6, 1, 9)


@pytest.fixture
def w(db):
    world = build()
    with time_machine.travel(DAY, tick=False):
        world.row = rotation.set_order(world.project, [world.a.id, world.b.id, world.c.id],
                                       by=world.manager)
    return world


def walk_in(w, phone, named=None, minute=0):
    with time_machine.travel(at(2026, 6, 1, 10, minute), tick=False):
        return receive_walk_in(w.project, f"客户{phone[-2:]}", phone, "路过", by=w.secretary,
                               named_id=named)


def next_name(w):
    entry, _kind, _skipped = rotation.next_up(w.row)
    return entry.user.display_name if entry else None


def test_new_walk_ins_follow_the_queue_and_become_the_receivers_customers(db, w):
    assert next_name(w) == "王芳"
    names = [walk_in(w, f"1380000000{n}").consultant.display_name for n in range(4)]
    assert names == ["王芳", "李军", "张伟", "王芳"]
    first = walk_in(w, "13811111111")
    assert first.kind == "turn" and first.customer.owner == w.b and first.visit.visit_no == 1
    assert [e.turns for e in w.row.entries] == [2, 2, 1]


def test_a_returning_customer_goes_to_their_owner_without_using_a_turn(db, w):
    walk_in(w, "13800000001")  # 王芳's customer
    back = walk_in(w, "13800000001", minute=30)
    assert (back.consultant, back.kind, back.returning) == (w.a, "owner", True)
    assert back.visit.visit_no == 2 and next_name(w) == "李军"


def test_owner_away_means_the_next_in_queue_assists_without_a_turn(db, w):
    walk_in(w, "13800000001")  # 王芳
    rotation.set_away(w.row, w.a.id, True, by=w.secretary)
    back = walk_in(w, "13800000001", minute=20)
    assert (back.consultant, back.kind) == (w.b, "assist")
    assert "原顾问 王芳 不在" in back.assignment.note
    assert back.customer.owner == w.a and next_name(w) == "李军"


def test_a_customer_who_names_a_consultant_gets_them_without_a_turn(db, w):
    named = walk_in(w, "13800000001", named=w.c.id)
    assert (named.consultant, named.kind, named.customer.owner) == (w.c, "named", w.c)
    assert next_name(w) == "王芳" and w.row.entries[2].turns == 0
    walk_in(w, "13800000002")  # 王芳 takes a turn and owns it
    other = walk_in(w, "13800000002", named=w.b.id, minute=40)  # the nth visit names 李军
    assert (other.consultant, other.kind, other.customer.owner) == (w.b, "named", w.a)


def test_an_away_consultant_is_skipped_and_made_up_for_on_return(db, w):
    rotation.set_away(w.row, w.b.id, True, by=w.secretary)
    got = [walk_in(w, f"1380000000{n}") for n in range(4)]
    assert [g.consultant.display_name for g in got] == ["王芳", "张伟", "王芳", "张伟"]
    assert got[1].assignment.skipped == got[3].assignment.skipped == "李军"
    assert got[2].assignment.skipped is None
    assert w.row.entries[1].owed == 2  # passed over in two rounds: 空两轮
    rotation.set_away(w.row, w.b.id, False, by=w.secretary)
    assert rotation.next_up(w.row)[1] == "makeup"
    made_up = [walk_in(w, f"1390000000{n}") for n in range(3)]
    assert [(m.consultant.display_name, m.kind) for m in made_up] == [
        ("李军", "makeup"), ("李军", "makeup"), ("王芳", "turn")]  # 补两名, then the queue goes on
    assert w.row.entries[1].owed == 0


def test_the_manager_reorders_mid_day_keeping_turns_and_owed_turns(db, w):
    rotation.set_away(w.row, w.c.id, True, by=w.secretary)
    for n in range(3):  # 王芳, 李军, then 张伟 is skipped and 王芳 again
        walk_in(w, f"1380000000{n}")
    with time_machine.travel(DAY, tick=False):
        rotation.set_order(w.project, [w.c.id, w.d.id, w.a.id, w.b.id], by=w.manager)
    assert [e.user.display_name for e in w.row.entries] == ["张伟", "陈晨", "王芳", "李军"]
    assert [(e.turns, e.owed) for e in w.row.entries] == [(0, 1), (0, 0), (2, 0), (1, 0)]
    assert next_name(w) == "李军"  # follows 王芳, who took the last turn, in the new order
    walk_in(w, "13800000009")
    assert next_name(w) == "陈晨"  # 张伟 is still away


def test_nobody_available_or_no_queue_is_refused(db, w):
    for user in (w.a, w.b, w.c):
        rotation.set_away(w.row, user.id, True, by=w.secretary)
    with pytest.raises(RuleViolation, match="没有可接待"):
        walk_in(w, "13800000001")
    with time_machine.travel(at(2026, 6, 2, 10), tick=False):
        with pytest.raises(RuleViolation, match="今日尚未排班"):
            receive_walk_in(w.project, "客户", "13800000002", "路过", by=w.secretary)
        with pytest.raises(RuleViolation, match="在职的置业顾问"):
            rotation.set_order(w.project, [w.secretary.id], by=w.manager)
        assert rotation.last_order(w.project.id, at(2026, 6, 2).date()) == [w.a.id, w.b.id, w.c.id]


def test_every_assignment_is_logged_with_an_audit_row(db, w):
    rotation.set_away(w.row, w.a.id, True, by=w.secretary)
    walk_in(w, "13800000001")
    walk_in(w, "13800000001", minute=10)
    rotation.set_away(w.row, w.a.id, False, by=w.secretary)  # named: only once she is back
    walk_in(w, "13800000002", named=w.a.id, minute=20)
    rows = rotation.assignments(w.project.id, DAY.date())
    assert [(r.kind, r.consultant.display_name, r.by.display_name) for r in reversed(rows)] == [
        ("turn", "李军", "赵敏"), ("owner", "李军", "赵敏"), ("named", "王芳", "赵敏")]
    assert rows[-1].skipped == "王芳"
    audited = db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "walk_in_assigned"))
    assert audited == db.session.scalar(select(func.count()).select_from(RotationAssignment)) == 3
