"""Forms of the customer card 温馨卡, quick registration, follow-ups and ownership."""
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import Form, choices, id_choice
from app.models.customer import GRADE_LABELS
from app.models.visit import FOLLOW_UP_WAYS, VISIT_KINDS
from app.services.customers.options import OPTION_KINDS


class QuickRegisterForm(Form):
    """The front-desk short form: name, phone, channel (and who took the contact)."""

    name = StringField("客户姓名", validators=[DataRequired("请填写客户姓名"), Length(max=64)])
    phone = StringField("手机号", validators=[DataRequired("请填写电话号码"), Length(max=32)])
    channel = RadioField("认知途径", validate_choice=False,
                         validators=[DataRequired("请选择认知途径")])
    kind = RadioField("方式", choices=choices(VISIT_KINDS), default="visit",
                      validate_choice=False)
    consultant = SelectField("接待顾问", coerce=id_choice, validate_choice=False, default=0)


class CardForm(Form):
    name = StringField("姓名", validators=[DataRequired("请填写客户姓名"), Length(max=64)])
    phone = StringField("手机号", validators=[DataRequired("请填写电话号码"), Length(max=32)])
    gender = SelectField("性别", choices=choices([("", "—"), ("男", "男"), ("女", "女")]),
                         validate_choice=False)
    id_number = StringField("身份证号", validators=[Optional(), Length(max=32)])
    is_peer = BooleanField("踩盘(同行)")
    appearance = TextAreaField("相貌特征 / 性格", validators=[Length(max=500)])
    concerns = TextAreaField("关注点 / 兴趣点", validators=[Length(max=500)])
    objections = TextAreaField("抗性 / 存在问题及解决措施", validators=[Length(max=500)])
    notes = TextAreaField("其他记录(本次讲解内容、自身感受)", validators=[Length(max=4000)])
    next_appointment_on = DateField("下次约访日期", validators=[Optional()],
                                    render_kw={"type": "date"})
    next_appointment_pretext = StringField("约访由头", validators=[Length(max=200)])


for _kind, (_label, _defaults) in OPTION_KINDS.items():
    setattr(CardForm, _kind, SelectField(_label, validate_choice=False))


def fill_choices(form, options, customer=None):
    """Put the project's option lists (plus a value the card already has) on the selects."""
    for kind, labels in options.items():
        field = getattr(form, kind)
        current = getattr(customer, kind, None)
        extra = [current] if current and current not in labels else []
        field.choices = choices([("", "—")] + [(v, v) for v in labels + extra])


class GradeForm(Form):
    grade = RadioField("级别", choices=choices(GRADE_LABELS), validate_choice=False,
                       validators=[DataRequired("请选择级别")])
    reason = StringField("原因", validators=[DataRequired("请填写调整级别的原因"), Length(max=300)])


class FollowUpForm(Form):
    way = RadioField("方式", choices=choices(FOLLOW_UP_WAYS), default="phone",
                     validate_choice=False)
    content = TextAreaField("跟进内容", validators=[DataRequired("请填写跟进内容"),
                                                Length(max=1000)])
    result = StringField("结果", validators=[Length(max=200)])
    effective = BooleanField("已联系上(有效跟进)", default=True)
    next_on = DateField("下次跟进日期", validators=[Optional()], render_kw={"type": "date"})


class VisitForm(Form):
    kind = RadioField("方式", choices=choices(VISIT_KINDS), default="visit",
                      validate_choice=False)
    duration = IntegerField("接待时长(分钟)", validators=[
        Optional(), NumberRange(1, 600, "接待时长应在 1 到 600 分钟之间")])
    result = StringField("结果", validators=[Length(max=200)])


class ReasonForm(Form):
    reason = StringField("原因", validators=[DataRequired("请填写原因"), Length(max=300)])


class ExportReasonForm(Form):
    reason = TextAreaField("用途", validators=[DataRequired("请填写导出完整号码的用途"),
                                             Length(max=200, message="用途最多 200 字")])


class SettleForm(Form):
    to_user = SelectField("归属给", coerce=id_choice, validate_choice=False)
    reason = StringField("裁定依据", validators=[DataRequired("请填写裁定依据"), Length(max=300)])


class AssignForm(Form):
    customer_ids = SelectMultipleField("客户", coerce=id_choice, validate_choice=False)
    to_user = SelectField("分配给", coerce=id_choice, validate_choice=False)
    mode = HiddenField(default="one")


class ReassignForm(Form):
    from_user = SelectField("原顾问", coerce=id_choice, validate_choice=False)
    to_user = SelectField("转给", coerce=id_choice, validate_choice=False)
    reason = StringField("原因", validators=[DataRequired("请填写原因(如休假、离职)"),
                                           Length(max=300)])


class OptionsForm(Form):
    kind = HiddenField()
    labels = TextAreaField("选项(每行一个)")


class SearchForm(Form):
    class Meta:
        csrf = False  # a GET filter: changes nothing

    q = StringField("搜索", validators=[Optional(), Length(max=64)])
    owner = StringField("归属", validators=[Optional(), Length(max=16)])
    grade = SelectField("级别", choices=choices([("", "全部级别")] + [(g, f"{g} 级")
                                                                     for g in "ABCD"]),
                        validators=[Optional()], validate_choice=False)
