"""The card's option lists: the office's standard choices, editable per project by a manager.

Defaults follow seed 000 (温馨卡录入统一标准): 单位性质, 年龄, 住房性质, 购房用途, 认知途径,
意向面积, 家庭月收入 as written there; 家庭结构 and 意向户型 from the seed's 客户资料登记表
and 客户分析统计图表 (seed 003). The seed's price bands (2500-4000 元/㎡) were for its market;
the default here is per-㎡ bands near this city's prices, which a manager adjusts per project.
Until a manager saves a list, a project uses the defaults (nothing is written on read).
"""
from sqlalchemy import delete, select

from app.extensions import db
from app.models import CustomerOption
from app.services import audit
from app.services.errors import RuleViolation

# kind -> (label, default choices)
OPTION_KINDS = {
    "employer_type": ("单位性质", ["企业单位", "事业单位", "个体"]),
    "age_band": ("年龄", ["25岁以下", "25-35岁", "35-45岁", "45-55岁", "55岁以上"]),
    "housing": ("现住房性质", ["福利分房", "自建", "集资建房", "商品房", "租赁"]),
    "purpose": ("购房用途", ["自住", "与父母同住", "为父母买房", "为子女买房", "投资"]),
    "channel": ("认知途径", ["亲友推荐", "户外广告", "电视", "路过", "大客户单位", "活动", "网络",
                         "DM", "渠道/中介", "全民经纪人", "老带新"]),
    "area_band": ("意向面积", ["80㎡以下", "80-100㎡", "100-120㎡", "120-140㎡", "140-160㎡",
                          "160㎡以上"]),
    "price_band": ("接受单价", ["1.9万以下", "1.9-2.1万", "2.1-2.3万", "2.3-2.5万", "2.5万以上"]),
    "income_band": ("家庭月收入", ["3万以下", "3-5万", "5-10万", "10-20万", "20万以上"]),
    "family_structure": ("家庭结构", ["单身", "二人世界", "三口之家", "四口之家", "三代同堂",
                                  "空巢家庭"]),
    "wanted_layout": ("意向户型", ["一房", "二房", "三房", "四房", "复式", "别墅"]),
}
MAX_OPTIONS = 30
MAX_LABEL = 32


def kind_label(kind):
    return OPTION_KINDS[kind][0]


def options_for(project_id, kind):
    """The project's choices for `kind`, in order (the defaults until a manager edits them)."""
    if kind not in OPTION_KINDS:
        raise KeyError(kind)
    labels = db.session.scalars(
        select(CustomerOption.label)
        .where(CustomerOption.project_id == project_id, CustomerOption.kind == kind)
        .order_by(CustomerOption.sort_order, CustomerOption.id)
    ).all()
    return list(labels) or list(OPTION_KINDS[kind][1])


def all_options(project_id):
    """{kind: [labels]} for every card field, in one query."""
    rows = db.session.execute(
        select(CustomerOption.kind, CustomerOption.label)
        .where(CustomerOption.project_id == project_id)
        .order_by(CustomerOption.sort_order, CustomerOption.id)
    ).all()
    custom = {}
    for kind, label in rows:
        custom.setdefault(kind, []).append(label)
    return {kind: custom.get(kind) or list(default) for kind, (_l, default) in OPTION_KINDS.items()}


def is_customised(project_id, kind):
    return db.session.scalar(select(CustomerOption.id).where(
        CustomerOption.project_id == project_id, CustomerOption.kind == kind).limit(1)) is not None


def parse_labels(text, field="labels"):
    """One choice per line; blanks and repeats dropped; each at most 32 characters."""
    labels = []
    for line in (text or "").splitlines():
        label = line.strip()
        if label and label not in labels:
            if len(label) > MAX_LABEL:
                raise RuleViolation(f"“{label[:12]}…”过长(最多 {MAX_LABEL} 个字)", field)
            labels.append(label)
    if not labels:
        raise RuleViolation("至少保留一个选项", field)
    if len(labels) > MAX_OPTIONS:
        raise RuleViolation(f"最多 {MAX_OPTIONS} 个选项", field)
    return labels


def set_options(project, kind, text, reset=False):
    """Replace the project's list for `kind` (or go back to the office defaults)."""
    if kind not in OPTION_KINDS:
        raise RuleViolation("未知的选项类别", "kind")
    before = options_for(project.id, kind)
    labels = list(OPTION_KINDS[kind][1]) if reset else parse_labels(text)
    db.session.execute(delete(CustomerOption).where(
        CustomerOption.project_id == project.id, CustomerOption.kind == kind))
    if not reset:
        db.session.add_all(CustomerOption(project_id=project.id, kind=kind, label=label,
                                          sort_order=index) for index, label in enumerate(labels))
    if before != labels or reset:
        audit.record("customer_options_changed", "project", project.id, project_id=project.id,
                     before={kind: before}, after={kind: labels},
                     reason="恢复默认" if reset else None)
    return labels


def check_choice(project_id, kind, value, current=None, options=None):
    """A card value must be one of the project's choices (or the value the card already has)."""
    if not value:
        return None
    allowed = options[kind] if options is not None else options_for(project_id, kind)
    if value != current and value not in allowed:
        raise RuleViolation(f"请从列表中选择{kind_label(kind)}", kind)
    return value
