"""Deciding requests: approve / reject, verbal approvals 口头批准 and their confirmation, expiry."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import DiscountRequest, DiscountStatus
from app.policy import can
from app.services.clock import local, now
from app.services.discounts.events import log_event
from app.services.discounts.limits import approvers_for, is_approver, limit_for
from app.services.discounts.pricing import quote_of
from app.services.discounts.transitions import move, state_text
from app.services.errors import Conflict, NotAllowed, RuleViolation

# Written approval must follow a verbal one within a week (DESIGN.md "Special discounts").
CONFIRM_DAYS = 7
CONFIRMABLE = (DiscountStatus.APPROVED, DiscountStatus.USED, DiscountStatus.EXPIRED)


def escalation_text(request, limit, approver=None, actor=None):
    """Why this approver cannot approve (naming whose limit), and who can."""
    names = [u.display_name for u in approvers_for(quote_of(request), request.project_id,
                                                   exclude_id=request.requested_by_id)]
    who = "、".join(names) if names else "管理员(请先设置更高的审批权限)"
    whose = "您" if actor is None or approver is None or actor.id == approver.id \
        else approver.display_name
    return f"超出{whose}的审批权限({limit.describe()}),需由 {who} 审批"


def check_can_approve(request, approver, field=None, actor=None):
    """The approver has approval rights, is not the requester and the discount is in limit
    (`actor` records it for them: a secretary writing down a verbal approval)."""
    limit = limit_for(approver, request.project_id)
    if limit is None:
        raise NotAllowed("只有销售经理或管理员可以审批特殊优惠")
    if approver.id == request.requested_by_id:
        raise RuleViolation("不能审批自己提交的申请", field)
    if not limit.covers(quote_of(request)):
        raise RuleViolation(escalation_text(request, limit, approver, actor), field)
    return limit


def _valid_until(request, approved_at):
    return approved_at + timedelta(days=request.project.approval_valid_days)


def decide(request, approve, comment, actor, at=None):
    """Approve or reject a pending request; a concurrent decision makes this one a Conflict."""
    at = at or now()
    comment = (comment or "").strip()[:500]
    if request.status != DiscountStatus.PENDING:
        raise Conflict(state_text(request) + ",您的操作未执行")
    if approve:
        check_can_approve(request, actor)
    else:
        if limit_for(actor, request.project_id) is None:
            raise NotAllowed("只有销售经理或管理员可以审批特殊优惠")
        if actor.id == request.requested_by_id:
            raise RuleViolation("不能审批自己提交的申请")
        if not comment:
            raise RuleViolation("驳回时请填写原因", "comment")
    status = DiscountStatus.APPROVED if approve else DiscountStatus.REJECTED
    move(request, (DiscountStatus.PENDING,), status=status, decided_by_id=actor.id,
         decided_at=at, decision_comment=comment or None,
         valid_until=_valid_until(request, at) if approve else None)
    log_event(request, "approved" if approve else "rejected", actor, detail=comment, at=at,
              before={"status": DiscountStatus.PENDING}, after={"status": status})
    return request


def _check_verbal(request, approver, approved_at, note, actor, at):
    if not can(actor, "discount.verbal"):
        raise NotAllowed("口头批准由销售秘书登记")
    if not note:
        raise RuleViolation("请填写批准内容(如“同意一口价 190 万”)", "note")
    if not is_approver(approver):
        raise RuleViolation("请选择批准的销售经理", "approver_id")
    if approved_at > at + timedelta(minutes=5):
        raise RuleViolation("批准时间不能晚于现在", "approved_at")
    if approved_at < at - timedelta(days=CONFIRM_DAYS):
        raise RuleViolation(f"{CONFIRM_DAYS} 天前的口头批准不能再登记,请走书面审批",
                            "approved_at")
    if request.status != DiscountStatus.PENDING:
        raise RuleViolation(state_text(request), "approver_id")
    check_can_approve(request, approver, field="approver_id", actor=actor)


def record_verbal(request, approver, approved_at, note, actor, at=None):
    """A secretary records that a manager approved by phone; written approval is due in 7 days."""
    at = at or now()
    note = (note or "").strip()[:500]
    _check_verbal(request, approver, approved_at, note, actor, at)
    move(request, (DiscountStatus.PENDING,), status=DiscountStatus.APPROVED, verbal=True,
         decided_by_id=approver.id, decided_at=approved_at, decision_comment=note,
         recorded_by_id=actor.id, recorded_at=at,
         confirm_due_at=approved_at + timedelta(days=CONFIRM_DAYS),
         valid_until=_valid_until(request, approved_at))
    when = local(approved_at).strftime("%Y-%m-%d %H:%M")
    log_event(request, "verbal", actor, at=at,
              detail=f"{approver.display_name} 于 {when} 口头批准:{note}",
              before={"status": DiscountStatus.PENDING},
              after={"status": DiscountStatus.APPROVED, "verbal_by": approver.username})
    return request


def check_can_confirm(request, actor):
    if not can(actor, "discount.confirm", request):
        raise NotAllowed("只有批准人本人或管理员可以确认口头批准")
    if not request.awaiting_confirmation:
        raise RuleViolation("该申请没有待确认的口头批准")


def mark_confirmed(request, actor, kind, detail=None, at=None):
    """Close a verbal approval's deadline: confirmed in the system or written approval attached."""
    at = at or now()
    move(request, CONFIRMABLE, (DiscountRequest.verbal.is_(True),
                                DiscountRequest.confirmed_at.is_(None)),
         confirmed_at=at, confirmed_by_id=actor.id)
    log_event(request, kind, actor, detail=detail, at=at,
              after={"confirmed_at": at, "late": at > request.confirm_due_at})
    return request


def confirm_verbal(request, actor, comment=None, at=None):
    """The manager who approved by phone confirms it in the system."""
    check_can_confirm(request, actor)
    return mark_confirmed(request, actor, "confirmed", (comment or "").strip()[:500], at)


def expire_due(project_id=None, at=None):
    """Approvals past their validity become expired (one event each); returns how many."""
    at = at or now()
    query = select(DiscountRequest).where(DiscountRequest.status == DiscountStatus.APPROVED,
                                          DiscountRequest.valid_until <= at)
    if project_id is not None:
        query = query.where(DiscountRequest.project_id == project_id)
    count = 0
    for request in db.session.scalars(query).all():
        try:
            move(request, (DiscountStatus.APPROVED,), (DiscountRequest.valid_until <= at,),
                 status=DiscountStatus.EXPIRED)
        except Conflict:
            continue  # used or withdrawn meanwhile
        log_event(request, "expired", at=at, before={"status": DiscountStatus.APPROVED},
                  after={"status": DiscountStatus.EXPIRED})
        count += 1
    return count
