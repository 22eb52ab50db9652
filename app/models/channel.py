"""Channel companies 渠道/分销, their agents, and their customer reports 报备."""
from sqlalchemy import CheckConstraint

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

CHANNEL_KINDS = {"agency": "渠道公司", "distributor": "分销机构", "broker": "全民经纪人"}
REPORT_STATUSES = {"reported": "已报备", "visited": "已到访确认", "refused": "报备失败"}


class ChannelCompany(db.Model):
    """A channel company, distributor or the broker scheme (records, not logins)."""

    __tablename__ = "channel_company"
    __table_args__ = (
        db.UniqueConstraint("project_id", "name"),
        CheckConstraint("kind IN ('agency', 'distributor', 'broker')", name="kind_known"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)
    kind = db.Column(db.String(16), nullable=False)
    contact = db.Column(db.String(64))
    phone = db.Column(db.String(20))
    active = db.Column(db.Boolean, nullable=False, default=True)

    agents = db.relationship("ChannelAgent", back_populates="company",
                             order_by="ChannelAgent.name")

    @property
    def kind_label(self):
        return CHANNEL_KINDS[self.kind]


class ChannelAgent(db.Model):
    """An agent of a channel company (or a broker, 全民经纪人, checked by ID)."""

    __tablename__ = "channel_agent"

    id = db.Column(db.Integer, primary_key=True)
    company_id = db.Column(db.ForeignKey("channel_company.id"), nullable=False, index=True)
    name = db.Column(db.String(64), nullable=False)
    phone = db.Column(db.String(20))
    id_number = db.Column(db.String(32))
    active = db.Column(db.Boolean, nullable=False, default=True)

    company = db.relationship("ChannelCompany", back_populates="agents")


class ChannelReport(db.Model):
    """A customer reported by an agent (姓名, 性别, 前四后五 phone) before the visit."""

    __tablename__ = "channel_report"
    __table_args__ = (
        CheckConstraint("status IN ('reported', 'visited', 'refused')", name="status_known"),
        db.Index("ix_channel_report_project_id_phone_mask", "project_id", "phone_mask"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False)
    agent_id = db.Column(db.ForeignKey("channel_agent.id"), nullable=False, index=True)
    customer_name = db.Column(db.String(64), nullable=False)
    gender = db.Column(db.String(4))  # seed 003: 姓名.性别.前四后五 (older reports: none)
    # 带团 (seed 003): a distributor's group, reported on the day with the full number.
    group_visit = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    phone_mask = db.Column(db.String(20), nullable=False)  # 前四后五: 1380**38000
    reported_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    valid_until = db.Column(db.Date, nullable=False)  # last day the visit counts
    status = db.Column(db.String(16), nullable=False, default="reported")
    refusal = db.Column(db.String(200))  # internal reason; the reporter is told less
    recommendation_no = db.Column(db.Integer)  # 1 or 2 once the visit is confirmed
    customer_id = db.Column(db.ForeignKey("customer.id"), index=True)
    visited_at = db.Column(UTCDateTime)
    protected_until = db.Column(db.Date)
    recorded_by_id = db.Column(db.ForeignKey("user.id"))
    confirmed_by_id = db.Column(db.ForeignKey("user.id"))
    consultant_id = db.Column(db.ForeignKey("user.id"))

    agent = db.relationship("ChannelAgent")
    customer = db.relationship("Customer")
    consultant = db.relationship("User", foreign_keys=[consultant_id])
    confirmed_by = db.relationship("User", foreign_keys=[confirmed_by_id])

    @property
    def status_label(self):
        return REPORT_STATUSES[self.status]
