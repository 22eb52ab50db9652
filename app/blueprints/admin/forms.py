from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import Form, choices
from app.models.project import ROUNDING_CHOICES
from app.models.user import ROLE_LABELS
from app.services.audit_labels import ACTION_LABELS, OBJECT_LABELS

ROLE_CHOICES = choices(ROLE_LABELS)


class UserForm(Form):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(max=64)])
    role = SelectField("角色", choices=ROLE_CHOICES)
    is_admin = BooleanField("同时为管理员")
    password = PasswordField("初始密码", validators=[DataRequired("请设置初始密码")])


class UserEditForm(Form):
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(max=64)])
    role = SelectField("角色", choices=ROLE_CHOICES)
    is_admin = BooleanField("同时为管理员")


class ResetPasswordForm(Form):
    password = PasswordField("新密码", validators=[DataRequired("请输入新密码")])


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter: changes nothing

    # Picked from lists (the people, the registry's actions and objects), never typed codes.
    # A filter left out of the address is 全部 (""): a link naming one filter, or the 更早的记录
    # link (which drops the empty ones), would otherwise fail the form and lose every filter.
    actor = SelectField("操作人", choices=choices([("", "全部")]), validate_choice=False,
                        default="")
    action = SelectField("操作", choices=choices([("", "全部")]) + choices(ACTION_LABELS),
                         default="")
    object_type = SelectField("对象", choices=choices([("", "全部")]) + choices(OBJECT_LABELS),
                              default="")


class ProjectSettingsForm(Form):
    name = StringField("项目名称", validators=[DataRequired("请输入项目名称"), Length(max=100)])
    address = StringField("项目地址", validators=[Optional(), Length(max=200)])
    hold_minutes = IntegerField(
        "保留时长(分钟)", validators=[InputRequired("请输入保留时长"),
                                  NumberRange(1, 24 * 60, "保留时长应在 1 到 1440 分钟之间")])
    hold_cap = IntegerField(
        "每人保留上限(套)",
        validators=[Optional(), NumberRange(1, 99, "保留上限应在 1 到 99 套之间")])
    reveal_limit = IntegerField(
        "每小时显示上限(次)",
        validators=[Optional(), NumberRange(1, 1000, "每小时显示上限应在 1 到 1000 次之间")])
    transfer_fee = StringField("过户费(元)", validators=[DataRequired("请输入过户费")])
    rounding = SelectField("总价取整规则", choices=choices(ROUNDING_CHOICES))
    approval_valid_days = IntegerField(
        "特殊优惠审批有效天数", validators=[InputRequired("请输入天数"),
                                     NumberRange(1, 90, "有效天数应在 1 到 90 天之间")])
    retention_months = IntegerField(
        "客户资料保存期限(月)",
        validators=[Optional(), NumberRange(6, 120, "保存期限应在 6 到 120 个月之间")])


class ProjectForm(ProjectSettingsForm):
    code = StringField("项目编号", validators=[Optional(), Length(max=32)])


class MemberForm(Form):
    user_id = SelectField("用户", coerce=int, validate_choice=False)
    role = SelectField("在本项目的角色", choices=ROLE_CHOICES)
