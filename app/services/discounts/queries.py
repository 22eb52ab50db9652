"""Reading requests: the approval queue 待审批, the badge count, the dashboard alerts."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Building, DiscountRequest, DiscountStatus, Unit
from app.services.clock import now
from app.services.deals import outcomes
from app.services.discounts.decisions import CONFIRMABLE, escalation_text
from app.services.discounts.limits import configured_limits, limit_for
from app.services.discounts.pricing import quote_of

LOADS = (selectinload(DiscountRequest.customer), selectinload(DiscountRequest.requested_by),
         selectinload(DiscountRequest.decided_by), selectinload(DiscountRequest.attachments),
         selectinload(DiscountRequest.unit).selectinload(Unit.building))


def status_label(request, at):
    label = DiscountStatus.LABELS[request.effective_status(at)]
    if request.verbal_overdue(at):
        return f"{label}(口头批准逾期未确认)"
    if request.awaiting_confirmation:
        return f"{label}(口头批准待确认)"
    return label


@dataclass
class RequestView:
    """A request as one viewer sees it: the floor only for those allowed, their own rights."""

    request: object
    quote: object
    status: str
    label: str
    overdue: bool
    approvable: bool = False
    note: str = ""

    @property
    def used_in(self):
        """[(认购书, what became of it: 有效 / 已退房 / 已换房 / 已作废)], first to last."""
        subs = self.request.subscriptions
        labels = outcomes.labels_of(subs)
        return [(sub, labels[sub.id]) for sub in subs]


def view_of(request, viewer, show_floor, limit=None, configured=None, at=None, rights=True):
    """`rights`: also work out whether `viewer` may approve it (the queue, the detail page)."""
    at = at or now()
    quote = quote_of(request)
    quote = quote if show_floor else quote.without_floor()
    view = RequestView(request, quote, request.effective_status(at), status_label(request, at),
                       request.verbal_overdue(at))
    if request.status != DiscountStatus.PENDING or not rights:
        return view
    limit = limit if limit is not None else limit_for(viewer, request.project_id, configured)
    if limit is None:
        return view
    if request.requested_by_id == viewer.id:
        view.note = "本人提交的申请,需由其他经理审批"
    elif limit.covers(quote_of(request)):
        view.approvable = True
    else:
        view.note = escalation_text(request, limit)
    return view


def pending(project_id):
    return db.session.scalars(
        select(DiscountRequest).options(*LOADS)
        .where(DiscountRequest.project_id == project_id,
               DiscountRequest.status == DiscountStatus.PENDING)
        .order_by(DiscountRequest.created_at)).all()


def awaiting_confirmation(project_id, approver_id=None):
    """Verbal approvals whose written confirmation has not come, oldest deadline first."""
    query = (select(DiscountRequest).options(*LOADS)
             .where(DiscountRequest.project_id == project_id, DiscountRequest.verbal.is_(True),
                    DiscountRequest.confirmed_at.is_(None),
                    DiscountRequest.status.in_(CONFIRMABLE))
             .order_by(DiscountRequest.confirm_due_at))
    if approver_id is not None:
        query = query.where(DiscountRequest.decided_by_id == approver_id)
    return db.session.scalars(query).all()


def queue(project_id, viewer, show_floor):
    """(pending views, verbal approvals awaiting confirmation) for the 待审批 page."""
    configured = configured_limits(project_id)
    limit = limit_for(viewer, project_id, configured)
    views = [view_of(r, viewer, show_floor, limit, configured) for r in pending(project_id)]
    verbal = [view_of(r, viewer, show_floor, limit, configured)
              for r in awaiting_confirmation(project_id)]
    return views, verbal


def badge(project_id, viewer, at=None):
    """What waits for this approver: (count, overdue, signature for the ETag). Two queries."""
    at = at or now()
    limit = limit_for(viewer, project_id)
    mine_to_confirm = (DiscountRequest.verbal.is_(True) & DiscountRequest.confirmed_at.is_(None)
                       & DiscountRequest.status.in_(CONFIRMABLE)
                       & (DiscountRequest.decided_by_id == viewer.id))
    rows = db.session.execute(
        select(DiscountRequest.id, DiscountRequest.status, DiscountRequest.requested_by_id,
               DiscountRequest.list_price, DiscountRequest.standard_price,
               DiscountRequest.deal_price, DiscountRequest.floor_price,
               DiscountRequest.confirm_due_at)
        .where(DiscountRequest.project_id == project_id,
               (DiscountRequest.status == DiscountStatus.PENDING) | mine_to_confirm)).all()
    pending = [row for row in rows if row.status == DiscountStatus.PENDING]
    decidable = [row.id for row in pending if limit is not None
                 and row.requested_by_id != viewer.id and limit.covers(quote_of(row))]
    mine = [row for row in rows if row.status != DiscountStatus.PENDING]
    overdue = sum(1 for row in mine if row.confirm_due_at <= at)
    count = len(decidable) + len(mine)
    return count, overdue, f"{decidable}|{[r.id for r in mine]}|{overdue}|{len(pending)}"


def dashboard(project_id, viewer, at=None):
    """For the manager's home page: pending count and overdue verbal approvals."""
    at = at or now()
    count, _overdue, _signature = badge(project_id, viewer, at)
    overdue = [r for r in awaiting_confirmation(project_id) if r.confirm_due_at <= at]
    return {"pending": count, "overdue": overdue, "at": at}


def of_requester(project_id, user_id, limit=200):
    return db.session.scalars(
        select(DiscountRequest).options(*LOADS)
        .where(DiscountRequest.project_id == project_id,
               DiscountRequest.requested_by_id == user_id)
        .order_by(DiscountRequest.id.desc()).limit(limit)).all()


def buildings(project_id):
    return db.session.scalars(select(Building).where(Building.project_id == project_id)
                              .order_by(Building.sort_order, Building.name)).all()
