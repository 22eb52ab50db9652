"""Opening staff accounts: name, username and role, each made a member of the project with
that role; a password is generated for each and shown once, to hand out."""
import secrets

from app.models.user import ROLE_LABELS
from app.services import projects, users
from app.services.errors import RuleViolation
from app.services.opening.sheets import Field, text

TITLE = "员工账号"
FIELDS = [
    Field("display_name", "姓名", ("员工姓名",), True, 10),
    Field("username", "用户名", ("登录名", "账号"), True, 14),
    Field("role", "角色", ("岗位", "职务"), True, 12),
]
EXAMPLE = {"display_name": "李静", "username": "lijing", "role": "置业顾问"}
NOTES = ["员工账号填写说明", "1. 每行一位员工;用户名只能包含字母、数字、点和下划线,不能重复。",
         f"2. 角色填:{'、'.join(ROLE_LABELS.values())}。",
         "3. 导入后系统为每人生成初始密码,只显示一次:请当场抄下或打印后分发,"
         "员工首次登录后自行修改。",
         "4. 任一行有错则不导入任何账号。"]
ROLES = {**{label: role for role, label in ROLE_LABELS.items()}, **{r: r for r in ROLE_LABELS}}
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"


def context(project):
    return {}


def apply_row(project, values, actor, ctx):
    role = ROLES.get(text(values.get("role")))
    if role is None:
        raise RuleViolation(f"角色「{text(values.get('role'))}」不存在,应为"
                            f"{'、'.join(ROLE_LABELS.values())}之一")
    password = new_password()
    user = users.create_user(text(values.get("username")), text(values.get("display_name")),
                             role, password)
    projects.add_member(project, user, role, actor)
    return {"username": user.username, "display_name": user.display_name,
            "role": ROLE_LABELS[role], "password": password}


def new_password():
    """12 characters without look-alikes (0/O, 1/l/I): easy to read out, hard to guess."""
    return "".join(secrets.choice(ALPHABET) for _ in range(12))


def finish(project, actor):
    return 0


def summary(results, _released):
    roles = {}
    for result in results:
        roles[result["role"]] = roles.get(result["role"], 0) + 1
    return {"rows": len(results), "roles": roles}
