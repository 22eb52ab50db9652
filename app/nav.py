"""Navigation entries; each role sees those its policy allows (app.policy)."""

# (endpoint, label, policy action). Areas append their pages here.
NAV = [
    ("main.home", "首页", "home.view"),
    ("board.index", "销控表", "board.view"),
    ("board.import_units", "导入房源", "board.import"),
    ("board.display_links", "销控大屏", "display.manage"),
    ("admin.audit_log", "操作日志", "audit.view"),
    ("admin.users_list", "用户管理", "users.manage"),
    ("admin.projects_list", "项目设置", "settings.manage"),
    # customers (issue 4)
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
    # reports (issue 8)
    ("reports.sales", "销售日报", "reports.sales"),
    ("reports.consultants", "顾问业绩", "reports.consultants"),
]

# endpoint -> (badge endpoint, policy action): a live count polled next to the entry.
NAV_BADGES = {
    "discounts.queue": ("discounts.badge", "discount.decide"),
}
