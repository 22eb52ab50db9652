"""Every move the board itself makes (holds, release, withhold), allowed and refused, per role,
with frozen time."""
import json
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from app.models import AuditLog, Project, Unit, UnitStatus, User
from app.services.board import unit_status
from app.services.board.unit_status import MOVES, Move
from app.services.errors import Conflict, NotAllowed, RuleViolation
from tests.fixtures.board import audit_count, make_project

S = UnitStatus
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
ROLES = ("consultant", "secretary", "finance", "manager", "admin")
ALLOWED = {"hold": {"consultant", "manager"}, "cancel_hold": {"consultant", "manager"},
           "extend_hold": {"manager"}, "withhold": {"manager"}, "release": {"manager"}}


@pytest.fixture
def world(app):
    return make_project(app)


@pytest.fixture
def people(app, make_user, db):
    ids = {role: make_user(role, display_name=name) for role, name in (
        ("consultant", "王芳"), ("secretary", "赵敏"), ("finance", "陈静"), ("manager", "刘强"),
        ("admin", "管理员"))}
    ids["other"] = make_user("consultant", username="lijun", display_name="李军")
    return {key: db.session.get(User, uid) for key, uid in ids.items()}


def unit(db, world, name="1栋 301"):
    return db.session.get(Unit, world["units"][name])


def move(db, world, name, actor, unit_name="1栋 301", **kwargs):
    result = unit_status.transition(unit(db, world, unit_name), name, actor, **kwargs)
    db.session.commit()
    return result


def prepare(db, world, people, name, role):
    """Put 1栋 301 in a state the move starts from (held by the actor when it is theirs)."""
    if name in ("cancel_hold", "extend_hold"):
        holder = people["consultant"] if role != "consultant" or name != "cancel_hold" else \
            people[role]
        move(db, world, "hold", holder)
    elif name == "release":
        move(db, world, "withhold", people["manager"])


@pytest.mark.parametrize("name", list(ALLOWED))
def test_each_move_is_open_to_its_roles_only(db, world, people, name):
    for role in ROLES:
        with time_machine.travel(T0, tick=False):
            before = unit(db, world)
            if before.status != S.AVAILABLE:
                # reset through the moves themselves, never by hand
                if before.status == S.HELD:
                    move(db, world, "cancel_hold", people["manager"])
                elif before.status == S.WITHHELD:
                    move(db, world, "release", people["manager"])
            prepare(db, world, people, name, role)
            status = unit(db, world).status
            kwargs = {"reason": "客户在路上"} if name == "extend_hold" else {}
            if role in ALLOWED[name]:
                result = move(db, world, name, people[role], **kwargs)
                assert result.status == MOVES[name].target, (name, role)
            else:
                with pytest.raises(NotAllowed):
                    move(db, world, name, people[role], **kwargs)
                db.session.rollback()
                assert unit(db, world).status == status, (name, role)


def test_hold_sets_holder_expiry_audit_and_board_version(db, world, people):
    with time_machine.travel(T0, tick=False):
        held = move(db, world, "hold", people["consultant"])
    assert held.status == S.HELD and held.held_by_id == people["consultant"].id
    assert held.hold_expires_at == T0 + timedelta(minutes=30)
    version = db.session.get(Project, world["project"]).board_version
    assert version == 1 and held.board_version == 1
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "unit_hold"))
    assert row.actor == people["consultant"].username and row.object_id == str(held.id)
    assert json.loads(row.before) == {"status": "available"}
    assert json.loads(row.after)["status"] == "held"


def test_losing_a_hold_names_the_holder_and_expiry(db, world, people):
    with time_machine.travel(T0, tick=False):
        move(db, world, "hold", people["consultant"])
        with pytest.raises(Conflict, match=r"1栋 301 已被 王芳 保留 \(到期 10:30\)"):
            move(db, world, "hold", people["other"])
        db.session.rollback()
        with pytest.raises(Conflict, match="已由您保留"):
            move(db, world, "hold", people["consultant"])
        db.session.rollback()
    assert audit_count("unit_hold") == 1


def test_refused_moves_say_why(db, world, people):
    with time_machine.travel(T0, tick=False):
        move(db, world, "withhold", people["manager"])
        with pytest.raises(Conflict, match="当前为「销控」,不能保留"):
            move(db, world, "hold", people["consultant"])
        db.session.rollback()
        with pytest.raises(Conflict, match="当前为「销控」,不能取消保留"):
            move(db, world, "cancel_hold", people["manager"])
        db.session.rollback()
        move(db, world, "release", people["manager"])
        with pytest.raises(Conflict, match="当前为「可售」,不能推售"):
            move(db, world, "release", people["manager"])
        db.session.rollback()
        move(db, world, "hold", people["consultant"])
        with pytest.raises(Conflict, match="当前为「保留」,不能销控"):
            move(db, world, "withhold", people["manager"])
        db.session.rollback()
    assert unit(db, world).status == S.HELD


def test_a_consultant_cancels_only_their_own_hold_a_manager_any(db, world, people):
    with time_machine.travel(T0, tick=False):
        move(db, world, "hold", people["consultant"])
        with pytest.raises(Conflict, match="由 王芳 保留,只有保留人或销售经理可以取消保留"):
            move(db, world, "cancel_hold", people["other"])
        db.session.rollback()
        assert unit(db, world).status == S.HELD
        move(db, world, "cancel_hold", people["manager"], reason="客户已放弃")
    assert unit(db, world).status == S.AVAILABLE and unit(db, world).held_by_id is None
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "unit_cancel_hold"))
    assert row.reason == "客户已放弃" and json.loads(row.before)["held_by"] == "王芳"


def test_a_manager_extends_a_hold_once_with_a_reason(db, world, people):
    with time_machine.travel(T0, tick=False):
        move(db, world, "hold", people["consultant"])
        with pytest.raises(RuleViolation, match="请填写原因") as exc:
            move(db, world, "extend_hold", people["manager"], reason="  ")
        assert exc.value.field == "reason"
        db.session.rollback()
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        extended = move(db, world, "extend_hold", people["manager"], reason="客户在路上")
        assert extended.hold_expires_at == T0 + timedelta(minutes=60)
        assert extended.hold_extended and extended.held_by_id == people["consultant"].id
        with pytest.raises(Conflict, match="已延长过一次"):
            move(db, world, "extend_hold", people["manager"], reason="再等等")
        db.session.rollback()
    assert unit_status.allowed_moves(unit(db, world), people["manager"], T0) == ["cancel_hold"]


def test_an_expired_hold_reads_as_available_and_yields_to_the_next_consultant(db, world, people):
    with time_machine.travel(T0, tick=False):
        move(db, world, "hold", people["consultant"])
    later = T0 + timedelta(minutes=30)
    with time_machine.travel(later, tick=False):
        stored = unit(db, world)
        assert stored.status == S.HELD and unit_status.effective(stored) == S.AVAILABLE
        assert unit_status.allowed_moves(stored, people["other"]) == ["hold"]
        move(db, world, "hold", people["other"])
    held = unit(db, world)
    assert held.held_by_id == people["other"].id
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "unit")
                                 .order_by(AuditLog.id)).all()
    assert actions == ["unit_hold", "unit_hold_expired", "unit_hold"]
    expiry = db.session.scalar(select(AuditLog).where(AuditLog.action == "unit_hold_expired"))
    assert expiry.actor == "system" and json.loads(expiry.before)["held_by"] == "王芳"


def test_extending_an_expired_hold_is_refused(db, world, people):
    with time_machine.travel(T0, tick=False):
        move(db, world, "hold", people["consultant"])
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        with pytest.raises(Conflict, match="保留已到期,房源已恢复可售"):
            move(db, world, "extend_hold", people["manager"], reason="晚了")


def test_expire_holds_persists_only_due_holds_with_audit_rows(db, world, people, app):
    with time_machine.travel(T0, tick=False):
        move(db, world, "hold", people["consultant"])
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        move(db, world, "hold", people["other"], unit_name="1栋 302")
    with time_machine.travel(T0 + timedelta(minutes=35), tick=False):
        result = app.test_cli_runner().invoke(args=["expire-holds"])
        assert result.exit_code == 0 and "已释放 1 套" in result.output
        db.session.expire_all()
        assert unit(db, world).status == S.AVAILABLE
        assert unit(db, world, "1栋 302").status == S.HELD
        assert audit_count("unit_hold_expired") == 1
        assert unit_status.expire_holds() == 0
    assert db.session.get(Project, world["project"]).board_version == 3


def test_block_moves_move_what_they_can_and_list_the_rest(db, world, people):
    floor_ids = [world["units"][f"1栋 3{i:02d}"] for i in range(1, 5)]
    with time_machine.travel(T0, tick=False):
        move(db, world, "hold", people["consultant"], unit_name="1栋 302")
        moved, refused = unit_status.transition_many(world["project"], floor_ids, "withhold",
                                                     people["manager"], reason="团购预留")
        db.session.commit()
    assert len(moved) == 3 and [row.unit_no for row, _ in refused] == ["302"]
    assert "当前为「保留」" in refused[0][1]
    message = unit_status.block_message("1栋", 3, "withhold", moved, refused)
    assert message == "1栋 3层:已销控 3 套,跳过 1 套(保留 1 套)"
    assert audit_count("unit_withhold") == 3
    statuses = {unit(db, world, f"1栋 3{i:02d}").status for i in (1, 3, 4)}
    assert statuses == {S.WITHHELD}
    with pytest.raises(NotAllowed):
        unit_status.transition_many(world["project"], floor_ids, "release", people["secretary"])
    with pytest.raises(ValueError):
        unit_status.transition_many(world["project"], floor_ids, "hold", people["consultant"])


def test_units_of_another_project_are_refused(db, app, world, people):
    db.session.rollback()  # SQLite: let the fixture's own session write
    other = make_project(app, code="O")
    with pytest.raises(RuleViolation, match="不属于本项目"):
        unit_status.transition_many(world["project"], [other["units"]["1栋 101"]], "withhold",
                                    people["manager"])


def test_later_moves_plug_into_the_same_table(db, world, people, monkeypatch):
    """A deposit-style move keeps the prior status; a rejection returns the unit to it."""
    monkeypatch.setitem(MOVES, "deposit", Move(
        "deposit", "登记定金", "unit.hold", (S.AVAILABLE, S.HELD), S.DEPOSIT_PENDING,
        keeps_prior=True, keeps_hold=True))
    monkeypatch.setitem(MOVES, "reject", Move("reject", "退回定金", "unit.hold",
                                              (S.DEPOSIT_PENDING,), None, keeps_hold=True))
    with time_machine.travel(T0, tick=False):
        move(db, world, "hold", people["consultant"])
        pending = move(db, world, "deposit", people["consultant"])
        assert pending.status == S.DEPOSIT_PENDING and pending.prior_status == S.HELD
        back = move(db, world, "reject", people["consultant"])
        assert back.status == S.HELD and back.prior_status is None
        assert back.held_by_id == people["consultant"].id
        move(db, world, "deposit", people["consultant"], unit_name="1栋 302")
        assert move(db, world, "reject", people["consultant"], unit_name="1栋 302").status == \
            S.AVAILABLE
    after = json.loads(db.session.scalar(select(AuditLog.after).where(
        AuditLog.action == "unit_reject").order_by(AuditLog.id).limit(1)))
    assert after["status"] == S.HELD
