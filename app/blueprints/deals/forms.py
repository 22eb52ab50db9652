"""Forms of the deal pages; money forms carry a one-time key (hidden) against double submits."""
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import PICK_CUSTOMER, ChineseDateField, Form, choices, optional_int, receipt_no_field
from app.models.pricing import RULE_KINDS, RULE_PLANS
from app.services.customers.attribution import SPLIT_CASES
from app.services.deals.common import DEPOSIT_KINDS, METHODS, PLANS
from app.services.deals.identity import ID_TYPES

CASE_CHOICES = choices([("", "本人客户 / 无归属客户(自动)")] + [
    (key, f"{label} — {rule}") for key, (label, rule) in SPLIT_CASES.items()])


class KeyedForm(Form):
    form_key = HiddenField()


class DepositForm(KeyedForm):
    customer_id = SelectField("付款客户", coerce=optional_int,
                              validators=[InputRequired("请选择付款客户")], render_kw=PICK_CUSTOMER)
    consultant_id = SelectField("置业顾问", coerce=optional_int, validators=[Optional()])
    kind = SelectField("定金类型", choices=choices(DEPOSIT_KINDS))
    amount = StringField("金额(元)", validators=[InputRequired("请填写金额"), Length(max=20)])
    method = SelectField("付款方式", choices=choices(METHODS))
    receipt_no = receipt_no_field()
    case = SelectField("业绩分成情形", choices=CASE_CHOICES, default="")


class ReasonForm(Form):
    reason = StringField("原因", validators=[Optional(), Length(max=200, message="最多 200 字")])


class SubscriptionForm(KeyedForm):
    customer_id = SelectField("买受人", coerce=optional_int,
                              validators=[InputRequired("请选择买受人")], render_kw=PICK_CUSTOMER)
    co_buyers = TextAreaField("共同购房人", validators=[Optional(), Length(max=400)])
    deal_price = StringField("成交总价(元)", validators=[Optional(), Length(max=20)])
    # the plan the form shows selected is the one it submits, and the one the panel prices
    plan = SelectField("付款方式", choices=choices(PLANS), default=next(iter(PLANS)))
    down_payment = StringField("首付款(元,按揭)", validators=[Optional(), Length(max=20)])
    bank = StringField("按揭银行", validators=[Optional(), Length(max=64)])
    sign_deadline = ChineseDateField("签约期限", validators=[InputRequired("请填写签约期限")])
    id_type = SelectField("证件类型", choices=choices(ID_TYPES), default="id_card")
    id_number = StringField("证件号码", validators=[Optional(), Length(max=32)])
    address = StringField("通讯地址", validators=[Optional(), Length(max=200)])
    identity_note = StringField("暂缺原因(没有证件号码或地址时必填)",
                                validators=[Optional(), Length(max=200)])


class ReissueForm(SubscriptionForm):
    reason = StringField("作废原因", validators=[InputRequired("请填写作废原因"),
                                             Length(max=200)])


class ContractForm(KeyedForm):
    number = StringField("合同编号", validators=[InputRequired("请填写合同编号"), Length(max=32)])
    sign_date = ChineseDateField("签约日期", validators=[InputRequired("请填写签约日期")])
    first_due = ChineseDateField("首期付款日", validators=[InputRequired("请填写首期付款日")])
    count = IntegerField("分期期数", validators=[Optional(), NumberRange(2, 36, "2 到 36 期")])


class PaymentForm(KeyedForm):
    instalment_id = SelectField("付款期次", coerce=optional_int,
                                validators=[InputRequired("请选择期次")])
    amount = StringField("金额(元)", validators=[InputRequired("请填写金额"), Length(max=20)])
    method = SelectField("付款方式", choices=choices(METHODS))
    receipt_no = receipt_no_field()


class BookForm(Form):
    first_no = StringField("起始编号", validators=[InputRequired("请填写起始编号"),
                                               Length(max=20, message="编号过长")])
    last_no = StringField("结束编号", validators=[InputRequired("请填写结束编号"),
                                              Length(max=20, message="编号过长")])
    holder = StringField("领用人", validators=[InputRequired("请填写领用人"), Length(max=64)])


class PriceRuleForm(Form):
    seq = IntegerField("顺序", validators=[InputRequired("请填写顺序"),
                                         NumberRange(1, 99, "1 到 99")])
    name = StringField("名称", validators=[InputRequired("请填写名称"), Length(max=64)])
    kind = SelectField("优惠方式", choices=choices(RULE_KINDS))
    value = StringField("折扣 / 金额", validators=[InputRequired("请填写折扣或金额"),
                                               Length(max=20)])
    plan = SelectField("适用付款方式", choices=choices(RULE_PLANS), default="")
    valid_from = ChineseDateField("生效日期", validators=[InputRequired("请填写生效日期")])
    valid_until = ChineseDateField("截止日期(含)", validators=[Optional()])


class RuleToggleForm(Form):
    """A button-only post (CSRF)."""


class VoidReceiptForm(Form):
    receipt_no = receipt_no_field()
    reason = StringField("作废原因", validators=[InputRequired("请填写作废原因"),
                                             Length(max=200, message="最多 200 字")])
