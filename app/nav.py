"""Navigation entries; each role sees those its policy allows (app.policy)."""

# (endpoint, label, policy action). Areas append their pages here.
NAV = [
    ("main.home", "首页", "home.view"),
    ("board.index", "销控表", "board.view"),
    ("board.import_units", "导入房源", "board.import"),
    ("board.display_links", "销控大屏", "display.manage"),
    ("admin.audit_log", "操作日志", "audit.view"),
    ("admin.users_list", "用户管理", "users.manage"),
    ("admin.lockouts", "登录锁定", "users.manage"),
    ("admin.projects_list", "项目设置", "settings.manage"),
    ("opening.index", "期初数据", "opening.import"),
    # customers
    ("customers.today", "我的今天", "customers.today"),
    ("rotation.desk", "轮流接待", "rotation.view"),
    ("customers.index", "客户", "customers.view"),
    ("visits.log", "来人来电", "visits.view"),
    ("channels.reports", "渠道报备", "channels.view"),
    ("visits.statistics", "统计分析", "customers.stats"),
    ("customers.ownership_page", "客户归属", "customers.assign"),
    # discounts
    ("discounts.mine", "优惠申请", "discount.request"),
    ("discounts.queue", "优惠审批", "discount.queue"),
    ("discounts.log", "特殊优惠一览表", "discount.log"),
    ("discounts.limits", "审批权限", "discount.limits"),
    # deals
    ("deals.queue", "待确认收款", "deposit.queue"),
    ("deals.registers_index", "明细表", "deals.view"),
    ("deals.receipt_books", "收据本", "receipt.books"),
    ("deals.price_policy_page", "价格政策", "price_policy.view"),
    # exchange / refund / name change
    ("changes.index", "换房退房", "change.view"),
    ("changes.finance", "退款与过户费", "payout.pay"),
    # commissions 佣金/提成
    ("commissions.index", "佣金明细", "commission.view"),
    ("commissions.summary", "佣金结算表", "commission.registers"),  # consultants: via 佣金明细
    ("commissions.approvals", "提成审批", "commission.approve"),
    ("commissions.payouts", "佣金发放", "commission.pay"),
    ("commissions.referrals", "员工推荐", "commission.referrer"),
    ("commissions.rules_page", "佣金规则", "commission.rules"),
    # reports
    ("reports.sales", "销售日报", "reports.sales"),
    ("reports.consultants", "顾问业绩", "reports.consultants"),
    ("reports.funnel_page", "转化漏斗", "reports.consultants"),
    ("reports.collections", "回款账龄", "reports.sales"),
    # launch day 开盘
    ("launch.index", "开盘选房", "launch.view"),
]

# The sidebar groups pages by area (the blueprint of the endpoint), in this order. When a role
# sees more than NAV_FOLD_ABOVE pages, groups are folded except the one holding the page on
# screen and those with a live badge (a manager's approvals); the browser remembers the
# groups its user opened (static/js/app.js).
NAV_GROUPS = [
    ("", ("main",)),
    ("销控", ("board", "launch")),
    ("客户", ("customers", "rotation", "visits", "channels")),
    ("成交", ("deals", "changes")),
    ("佣金", ("commissions",)),
    ("优惠", ("discounts",)),
    ("报表", ("reports",)),
    ("管理", ("admin", "opening")),
]
NAV_FOLD_ABOVE = 12

# endpoint -> (badge endpoint, policy action): a live count polled next to the entry.
NAV_BADGES = {
    "discounts.queue": ("discounts.badge", "discount.decide"),
}


def grouped(entries, current, badges=()):
    """[(group title, [(endpoint, label)], open)] for the sidebar, from a role's entries."""
    by_area = {}
    for endpoint, label in entries:
        by_area.setdefault(endpoint.split(".")[0], []).append((endpoint, label))
    fold = len(entries) > NAV_FOLD_ABOVE
    groups = []
    for title, areas in NAV_GROUPS:
        items = [item for area in areas for item in by_area.pop(area, [])]
        if items:
            wanted = any(endpoint == current or endpoint in badges for endpoint, _ in items)
            groups.append((title, items, not (fold and title) or wanted))
    rest = [item for items in by_area.values() for item in items]
    if rest:
        groups.append(("其他", rest, True))
    return groups
