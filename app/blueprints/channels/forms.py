from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form, choices, id_choice
from app.models.channel import CHANNEL_KINDS


class ReportForm(Form):
    agent_id = SelectField("经纪人", coerce=id_choice, validate_choice=False)
    customer_name = StringField("客户姓名", validators=[DataRequired("请填写客户姓名"),
                                                    Length(max=64)])
    gender = SelectField("性别", choices=choices([("", "请选择"), ("男", "男"), ("女", "女")]),
                         validate_choice=False)
    phone_mask = StringField("手机号(前四后五)", validators=[DataRequired("请填写手机号前四后五"),
                                                        Length(max=32)])
    group_visit = BooleanField("带团当日报备(分销,须完整手机号)")


class CompanyForm(Form):
    name = StringField("公司名称", validators=[DataRequired("请填写公司名称"), Length(max=100)])
    kind = SelectField("类别", choices=choices(CHANNEL_KINDS), validate_choice=False)
    contact = StringField("联系人", validators=[Optional(), Length(max=64)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=32)])


class AgentForm(Form):
    name = StringField("经纪人姓名", validators=[DataRequired("请填写经纪人姓名"), Length(max=64)])
    phone = StringField("电话", validators=[Optional(), Length(max=32)])
    id_number = StringField("身份证号", validators=[Optional(), Length(max=32)])


class ConfirmForm(Form):
    customer_id = IntegerField("客户", validators=[DataRequired("请选择客户")])
