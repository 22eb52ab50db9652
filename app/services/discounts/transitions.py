"""Status moves of a request: one conditional UPDATE each, so concurrent moves cannot both win."""
from sqlalchemy import update

from app.extensions import db
from app.models import DiscountRequest, DiscountStatus
from app.services.clock import local, now
from app.services.errors import Conflict


def state_text(request):
    """What became of a request, in a sentence a user understands."""
    status = request.status
    who = request.decided_by.display_name if request.decided_by else ""
    when = local(request.decided_at).strftime("%m-%d %H:%M") if request.decided_at else ""
    if status == DiscountStatus.APPROVED and request.valid_until <= now():
        return "该审批已过期"
    if status == DiscountStatus.APPROVED and request.verbal_overdue(now()):
        return "该口头批准已超过 7 天未确认或补书面审批"
    if status == DiscountStatus.APPROVED:
        how = "口头批准" if request.verbal else "批准"
        return f"该申请已由{who}于 {when} {how}"
    if status == DiscountStatus.REJECTED:
        return f"该申请已由{who}于 {when} 驳回"
    if status == DiscountStatus.WITHDRAWN:
        return "该申请已被申请人撤回"
    if status == DiscountStatus.USED:
        return f"该审批已被认购书 {request.subscription_ref} 使用"
    if status == DiscountStatus.EXPIRED:
        return "该审批已过期"
    return "该申请仍在待审批"


def move(request, from_statuses, conditions=(), **values):
    """UPDATE ... WHERE id = :id AND status IN :from_statuses AND conditions.

    Exactly one row changes or Conflict is raised (someone else moved it first).
    """
    result = db.session.execute(
        update(DiscountRequest)
        .where(DiscountRequest.id == request.id, DiscountRequest.status.in_(from_statuses),
               *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(request)
    if result.rowcount != 1:
        raise Conflict(state_text(request) + ",您的操作未执行")
    return request
