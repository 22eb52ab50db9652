"""The append-only log behind 特殊优惠客户一览表."""
from types import SimpleNamespace

from app.extensions import db
from app.models import DiscountEvent
from app.services import audit
from app.services.clock import now

EVENT_LABELS = {
    "requested": "提交申请", "approved": "批准", "rejected": "驳回", "verbal": "登记口头批准",
    "confirmed": "确认口头批准", "written": "补书面审批", "withdrawn": "撤回", "used": "认购使用",
    "expired": "过期失效", "attachment": "上传附件",
}
SYSTEM = "系统"
# Expiry sweeps act as the system, even when a user's request happens to run them.
SYSTEM_ACTOR = SimpleNamespace(id=None, username="system", display_name=SYSTEM)


def log_event(request, kind, actor=None, detail=None, at=None, before=None, after=None):
    """Append one event (and its audit row) to the current transaction."""
    at = at or now()
    actor = actor or SYSTEM_ACTOR
    event = DiscountEvent(request_id=request.id, project_id=request.project_id, at=at, kind=kind,
                          actor_id=actor.id, actor_name=actor.display_name,
                          detail=(detail or None) and detail[:500])
    db.session.add(event)
    audit.record(f"discount_{kind}", "discount_request", request.id,
                 project_id=request.project_id, before=before, after=after, reason=detail,
                 user=actor)
    return event
