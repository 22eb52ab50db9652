"""Forms of the special-discount pages; every message in Chinese."""
from datetime import datetime

from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from app.forms import PICK_CUSTOMER, ChineseDateField, Form, choices, optional_int
from app.services.discounts.files import KINDS as ATTACHMENT_KINDS
from app.services.discounts.register import STATUS_FILTERS

KIND_CHOICES = {"percent": "按比例折让(%)", "amount": "直减金额(元)",
                "price": "一口价(成交总价,元)"}
PLAN_CHOICES = {"": "未定(只计通用标准优惠)", "full": "一次性付款", "mortgage": "按揭贷款",
                "instalments": "分期付款"}


class LocalDateTimeField(StringField):
    """<input type=datetime-local>: a naive office-local datetime, Chinese errors."""

    FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        for fmt in self.FORMATS:
            try:
                self.data = datetime.strptime(text, fmt)
                return
            except ValueError:
                continue
        raise ValueError("时间格式应为 年-月-日 时:分")

    def pre_validate(self, form):
        if self.process_errors:  # say what is wrong with the format, not "missing"
            raise StopValidation()

    def _value(self):
        return self.data.strftime(self.FORMATS[0]) if self.data else ""


class RequestForm(Form):
    customer_id = SelectField("客户", coerce=optional_int, validate_choice=False,
                              render_kw=PICK_CUSTOMER)
    building_id = SelectField("楼栋", coerce=optional_int, validate_choice=False)
    unit_no = StringField("房号", validators=[DataRequired("请填写房号"), Length(max=16)])
    kind = SelectField("优惠方式", choices=choices(KIND_CHOICES), validate_choice=False)
    plan = SelectField("付款方式", choices=choices(PLAN_CHOICES), validate_choice=False,
                       default="")
    value = StringField("数值", validators=[DataRequired("请填写优惠数值"), Length(max=32)])
    reason = TextAreaField("申请理由", validators=[DataRequired("请填写申请理由"),
                                               Length(max=500, message="理由最多 500 字")])
    attachment = FileField("签字申请单照片(可选)")


class DecisionForm(Form):
    decision = StringField()  # the clicked button: approve / reject
    comment = StringField("审批意见", validators=[Optional(), Length(max=500,
                                                                   message="意见最多 500 字")])


class VerbalForm(Form):
    approver_id = SelectField("批准人", coerce=optional_int, validate_choice=False)
    approved_at = LocalDateTimeField("电话批准时间", validators=[DataRequired("请填写批准时间")])
    note = TextAreaField("批准内容", validators=[DataRequired("请填写批准内容"),
                                             Length(max=500, message="最多 500 字")])


class ConfirmForm(Form):
    comment = StringField("确认意见", validators=[Optional(), Length(max=500)])


class AttachmentForm(Form):
    kind = SelectField("附件类型", choices=choices(ATTACHMENT_KINDS), validate_choice=False)
    photo = FileField("照片")


class LogFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter: changes nothing

    start = ChineseDateField("起始日期", validators=[Optional()])
    end = ChineseDateField("截止日期", validators=[Optional()])
    approver_id = SelectField("审批人", coerce=optional_int, validate_choice=False)
    consultant_id = SelectField("置业顾问", coerce=optional_int, validate_choice=False)
    building_id = SelectField("楼栋", coerce=optional_int, validate_choice=False)
    status = SelectField("状态", choices=choices({"": "全部", **STATUS_FILTERS}),
                         validate_choice=False)


class LimitForm(Form):
    max_percent = StringField("低于表价最多(%)", validators=[Length(max=16)])
    max_amount = StringField("优惠金额最多(元)", validators=[Length(max=32)])
    max_below_floor = StringField("低于底价最多(元)", validators=[Length(max=32)])
