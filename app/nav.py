"""Navigation entries; each role sees those its policy allows (app.policy)."""

# (endpoint, label, policy action). Areas append their pages here.
NAV = [
    ("main.home", "首页", "home.view"),
    ("admin.audit_log", "操作日志", "audit.view"),
    ("admin.users_list", "用户管理", "users.manage"),
    ("admin.projects_list", "项目设置", "settings.manage"),
]
