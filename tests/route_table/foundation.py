from tests.route_table import PUBLIC, Route

ALL = frozenset({"consultant", "secretary", "finance", "manager", "admin"})
ADMIN = frozenset({"admin"})

ROUTES = {
    "auth.login": Route(PUBLIC),
    "auth.logout": Route(ALL, ends_session=True),
    "auth.change_password": Route(ALL, ends_session=True),
    "main.home": Route(ALL),
    "main.switch_project": Route(ALL),
    "admin.users_list": Route(ADMIN),
    "admin.user_new": Route(ADMIN),
    "admin.user_edit": Route(ADMIN, args=lambda w: {"user_id": w["victim"]}),
    "admin.user_reset_password": Route(ADMIN, args=lambda w: {"user_id": w["victim"]}),
    "admin.user_set_active": Route(ADMIN, args=lambda w: {"user_id": w["victim"]}),
    "admin.audit_log": Route(frozenset({"manager", "admin"})),
    "admin.lockouts": Route(ADMIN),
    "admin.lockout_clear": Route(ADMIN),
    "admin.projects_list": Route(ADMIN),
    "admin.project_settings": Route(ADMIN, args=lambda w: {"project_id": w["project"]}),
    "admin.project_new": Route(ADMIN),
    "admin.project_archive": Route(ADMIN, args=lambda w: {"project_id": w["project"]}),
    "admin.project_member_set": Route(ADMIN, args=lambda w: {"project_id": w["project"]}),
    "admin.project_member_remove": Route(ADMIN, args=lambda w: {"project_id": w["project"],
                                                                 "user_id": w["victim"]}),
    "opening.index": Route(ADMIN),
    "opening.template": Route(ADMIN, args=lambda w: {"kind": "customers"}),
    "opening.upload": Route(ADMIN, args=lambda w: {"kind": "customers"}),
    "opening.apply": Route(ADMIN, args=lambda w: {"import_id": w["unit_import"]}),
    "verify.document": Route(PUBLIC, args=lambda w: {"token": "not-a-token"}),
}
