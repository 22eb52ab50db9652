"""Channel reports 报备 and protection periods 庇护期.

Rules from the seeds:
- seed 003 (客户确认及归属制度): an agent reports name + masked phone before the visit; the
  report is valid 7 days for the visit (短信报备客户信息有效期为7天,以报备时间往后计算7天):
  the report day plus 7 calendar days, so it is void from day 8; the earlier report wins
  (以报备时间先后作为界定依据,先报备者为有效客户).
- seed 001 (庇护期): a confirmed visit (看房确认单) gives 60 days of protection; the same channel
  may recommend once more for 30 days (可重复推荐一次,含首次推荐共两次), never a third
  (两重庇护期结束后不可再推荐). A customer already in the system, or protected by another
  channel, cannot be reported (凡营销系统已经录入或...处于庇护期的客户,一律推荐失败).
The reporter is told only that the report failed; the internal reason is kept for the office.
"""
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import ChannelAgent, ChannelCompany, ChannelReport, Customer
from app.models.channel import CHANNEL_KINDS
from app.policy import can
from app.services import audit
from app.services.clock import local, now
from app.services.customers.cards import clean_id_number, clean_name
from app.services.customers.channel_match import (
    check_identity,
    clean_gender,
    parse_report_mask,
    phone_clause,
    report_mask,
)
from app.services.customers.channel_timing import check_timing, group_phone
from app.services.customers.ownership import ownership_valid, valid_until
from app.services.customers.phones import normalise_phone
from app.services.errors import RuleViolation

REPORT_VALID_DAYS = 7
PROTECTION_DAYS = {1: 60, 2: 30}
PUBLIC_REFUSAL = "报备失败:该客户已在案场登记或处于保护期,不能报备"


def save_company(project, name, kind, contact=None, phone=None, *, by, company=None):
    name = (name or "").strip()
    if not name:
        raise RuleViolation("请填写公司名称", "name")
    if kind not in CHANNEL_KINDS:
        raise RuleViolation("请选择渠道类别", "kind")
    clash = db.session.scalar(select(ChannelCompany.id).where(
        ChannelCompany.project_id == project.id, ChannelCompany.name == name))
    if clash and (company is None or clash != company.id):
        raise RuleViolation("已有同名渠道公司", "name")
    company = company or ChannelCompany(project_id=project.id)
    company.name, company.kind = name, kind
    company.contact = (contact or "").strip() or None
    company.phone = normalise_phone(phone, "phone") if phone else None
    db.session.add(company)
    db.session.flush()
    audit.record("channel_company_saved", "channel_company", company.id, project_id=project.id,
                 after={"name": name, "kind": kind}, user=by)
    return company


def add_agent(company, name, phone=None, id_number=None, *, by):
    """An agent; a broker (全民经纪人) needs an ID number (seed 001: 需提供本人身份证)."""
    id_number = clean_id_number(id_number)
    if company.kind == "broker" and not id_number:
        raise RuleViolation("全民经纪人须登记身份证号", "id_number")
    agent = ChannelAgent(company=company, name=clean_name(name),
                         phone=normalise_phone(phone) if phone else None, id_number=id_number)
    db.session.add(agent)
    db.session.flush()
    audit.record("channel_agent_saved", "channel_agent", agent.id, project_id=company.project_id,
                 after={"company": company.name, "name": agent.name}, user=by)
    return agent


def report_valid(report, at=None):
    """A report counts for a visit until the end of its 7th day after the report day."""
    return report.status == "reported" and local(at or now()).date() <= report.valid_until


def report_validity(reports, at=None):
    """{report id: still valid for a visit} for the reports a page lists."""
    return {report.id: report_valid(report, at) for report in reports}


def _confirmed(customer_id, company_id=None):
    stmt = (select(ChannelReport).join(ChannelAgent)
            .where(ChannelReport.customer_id == customer_id, ChannelReport.status == "visited"))
    if company_id is not None:
        stmt = stmt.where(ChannelAgent.company_id == company_id)
    return db.session.scalars(stmt.order_by(ChannelReport.visited_at)).all()


def active_protection(customer, at=None):
    """The confirmed report whose protection covers `at` (the channel owning a deal), or None."""
    day = local(at or now()).date()
    live = [r for r in _confirmed(customer.id) if r.protected_until >= day]
    return live[-1] if live else None


def _refusal(project, agent, mask, at, group=False):
    """Why a report would fail (internal), or None; a 带团 report may name a customer
    registered on arrival that same day."""
    day = local(at).date()
    earlier = db.session.scalars(select(ChannelReport).join(ChannelAgent).where(
        ChannelReport.project_id == project.id, ChannelReport.phone_mask == mask,
        ChannelReport.status == "reported", ChannelReport.valid_until >= day)).all()
    for report in earlier:
        if report.agent.company_id == agent.company_id:
            return "本渠道已报备该客户,7 天内有效,无需重复报备"
        return f"已由其他渠道先行报备({local(report.reported_at):%m-%d %H:%M})"
    customers = db.session.scalars(select(Customer).where(
        Customer.project_id == project.id, phone_clause(mask),
        Customer.anonymised_at.is_(None))).all()
    for customer in customers:
        protection = active_protection(customer, at)
        if protection and protection.agent.company_id != agent.company_id:
            return (f"客户处于 {protection.agent.company.name} 保护期内"
                    f"(至 {protection.protected_until:%Y-%m-%d})")
        ours = len(_confirmed(customer.id, agent.company_id))
        if ours >= len(PROTECTION_DAYS):
            return "本渠道已推荐该客户两次,两重保护期后不可再推荐"
        if ours == 0 and not (group and local(customer.created_at).date() == day):
            return _in_system(customer, at, group)
    return None


def _in_system(customer, at, group=False):
    """Seed 001: 凡营销系统已经录入…的客户,一律推荐失败 — owned, expired, pooled or recycled; a
    带团 report names the same-day rule it missed too."""
    if customer.owner is None:
        where = "公共池" + (",月度回收" if customer.pool_reason == "recycled" else "")
    elif ownership_valid(customer, at):
        where = f"置业顾问 {customer.owner.display_name}"
    else:
        where = (f"置业顾问 {customer.owner.display_name},"
                 f"建档有效期至 {valid_until(customer):%Y-%m-%d} 已过")
    why = (f"客户已于 {local(customer.created_at):%Y-%m-%d} 录入营销系统({where}),"
           "凡营销系统已经录入的客户一律推荐失败(规则:001 客户录入)")
    if group:
        why = (f"带团报备须在到访当日提供:客户 {local(customer.created_at):%Y-%m-%d} 到访录入,"
               f"报备 {local(at):%Y-%m-%d}(规则:003 带团当日报备);{why}")
    return why[:200]


def report_customer(project, agent, name, gender, phone_text, *, by, at=None, group=False):
    """Record a report (姓名, 性别, 前四后五); a refused one is kept (status 'refused') with
    its reason for the channel assistant."""
    at = at or now()
    if not agent.active or not agent.company.active or agent.company.project_id != project.id:
        raise RuleViolation("请选择本项目在合作中的经纪人", "agent_id")
    name, gender = clean_name(name, "customer_name"), clean_gender(gender)
    mask = parse_report_mask(group_phone(agent, phone_text) if group else phone_text)
    refusal = _refusal(project, agent, mask, at, group)
    report = ChannelReport(
        project_id=project.id, agent=agent, customer_name=name, gender=gender, phone_mask=mask,
        reported_at=at, group_visit=bool(group),
        valid_until=local(at).date() + timedelta(days=REPORT_VALID_DAYS),
        status="refused" if refusal else "reported", refusal=refusal,
        recorded_by_id=getattr(by, "id", None))
    db.session.add(report)
    db.session.flush()
    audit.record("channel_report_refused" if refusal else "channel_reported", "channel_report",
                 report.id, project_id=project.id, reason=refusal, user=by,
                 after={"agent": agent.name, "company": agent.company.name})
    return report


def report_by_agent(project, agent_id, name, gender, phone_text, *, by, group=False):
    """report_customer for one of the project's active agents, chosen by id."""
    agent = next((a for a in agents(project.id) if a.id == agent_id), None)
    if agent is None:
        raise RuleViolation("请选择经纪人", "agent_id")
    if not may_report_for(by, agent):
        raise RuleViolation("置业顾问只能代录全民经纪人的报备;渠道公司、分销机构的客户由销售秘书"
                            "录入(规则:001 录入人员及机构)", "agent_id")
    return report_customer(project, agent, name, gender, phone_text, by=by, group=group)


def may_report_for(user, agent):
    """Seed 001: 全民经纪人(置业顾问代录); agencies and distributors report via the secretary."""
    return agent.company.kind == "broker" or can(user, "channels.report_agency")


def matching_reports(customer, at=None):
    """Valid reports whose 前四后五 fits this customer's number (checked on arrival)."""
    rows = db.session.scalars(select(ChannelReport).where(
        ChannelReport.project_id == customer.project_id, ChannelReport.status == "reported",
        ChannelReport.phone_mask == report_mask(customer.phone))
        .order_by(ChannelReport.reported_at)).all()
    return [r for r in rows if report_valid(r, at)]


def confirm_visit(report, customer, consultant, *, by, at=None):
    """看房确认单: the reported customer came; the channel's protection period starts."""
    at = at or now()
    if report.status != "reported":
        raise RuleViolation("该报备已处理,不能重复确认")
    if not report_valid(report, at):
        raise RuleViolation(
            f"报备已过期:须在 {report.valid_until:%Y-%m-%d} 前到访,客户不计入该渠道")
    if customer.project_id != report.project_id:
        raise RuleViolation("客户不属于本项目")
    check_identity(report, customer)
    check_timing(report, customer, at)
    company_id = report.agent.company_id
    other = active_protection(customer, at)
    if other is not None and other.agent.company_id != company_id:
        raise RuleViolation(PUBLIC_REFUSAL)
    earlier = _confirmed(customer.id, company_id)
    number = len(earlier) + 1
    if number not in PROTECTION_DAYS:
        raise RuleViolation("本渠道已推荐该客户两次,不可再推荐")
    day = local(at).date()
    start = max(earlier[-1].protected_until, day) if earlier else day
    report.status, report.customer, report.recommendation_no = "visited", customer, number
    report.visited_at, report.protected_until = at, start + timedelta(days=PROTECTION_DAYS[number])
    report.consultant_id, report.confirmed_by_id = consultant.id, by.id
    audit.record("channel_visit_confirmed", "channel_report", report.id,
                 project_id=report.project_id, user=by,
                 after={"customer": customer.id, "recommendation": number,
                        "protected_until": report.protected_until})
    return report


def confirm_arrival(report, customer, *, by):
    """confirm_visit from the reports page: the visit counts for the customer's consultant."""
    if customer.owner is None:
        raise RuleViolation("该客户在公共池中,请先分配置业顾问")
    return confirm_visit(report, customer, customer.owner, by=by)


def reports(project_id, status=None, limit=200):
    stmt = select(ChannelReport).where(ChannelReport.project_id == project_id)
    if status:
        stmt = stmt.where(ChannelReport.status == status)
    return db.session.scalars(stmt.order_by(ChannelReport.reported_at.desc()).limit(limit)).all()


def companies(project_id, active_only=False):
    stmt = select(ChannelCompany).where(ChannelCompany.project_id == project_id)
    if active_only:
        stmt = stmt.where(ChannelCompany.active.is_(True))
    return db.session.scalars(stmt.order_by(ChannelCompany.kind, ChannelCompany.name)).all()


def agents(project_id):
    return db.session.scalars(
        select(ChannelAgent).join(ChannelCompany)
        .where(ChannelCompany.project_id == project_id, ChannelAgent.active.is_(True),
               ChannelCompany.active.is_(True))
        .order_by(ChannelCompany.name, ChannelAgent.name)).all()


def report_counts(project_id):
    return dict(db.session.execute(
        select(ChannelReport.status, func.count()).where(ChannelReport.project_id == project_id)
        .group_by(ChannelReport.status)).all())


def set_company_active(company, active, *, by):
    """Stop (or resume) working with a channel: its agents can no longer report."""
    company.active = bool(active)
    audit.record("channel_company_saved", "channel_company", company.id,
                 project_id=company.project_id, after={"active": company.active}, user=by)
