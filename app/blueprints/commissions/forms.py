from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import ChineseDateField, Form, choices, id_choice, optional_int
from app.models.commission import PAYABLE_WHEN, PAYEE_KINDS, PRODUCT_TYPES, RATE_KINDS
from app.services.commissions.settlement import RECOVERY_METHODS
from app.services.deals.common import METHODS


class RuleForm(Form):
    payee_kind = SelectField("佣金对象", choices=choices(PAYEE_KINDS))
    product_type = SelectField("业态", choices=choices(PRODUCT_TYPES))
    kind = SelectField("计算方式", choices=choices(RATE_KINDS))
    value = StringField("比例(%)/ 金额(第1套)",
                        validators=[InputRequired("请填写比例或金额"), Length(max=20)])
    value_2 = StringField("第2套金额", validators=[Optional(), Length(max=20)])
    value_3 = StringField("第3套及以上金额", validators=[Optional(), Length(max=20)])
    valid_from = ChineseDateField("生效日期", validators=[InputRequired("请填写生效日期")])
    valid_until = ChineseDateField("截止日期(含)", validators=[Optional()])


class EndRuleForm(Form):
    valid_until = ChineseDateField("截止日期(含)", validators=[InputRequired("请填写截止日期")])


class SettingsForm(Form):
    payable = SelectField("结算条件", choices=choices(PAYABLE_WHEN))
    percent = IntegerField("回款比例(%)", validators=[Optional(), NumberRange(1, 100, "1 到 100")])


class ProductTypeForm(Form):
    building_id = SelectField("楼栋", coerce=id_choice, validate_choice=False)
    product_type = SelectField("业态", choices=choices(PRODUCT_TYPES))


class LinesForm(Form):
    """A button post over the ticked lines (提成审批)."""

    lines = SelectMultipleField("佣金", coerce=optional_int, validate_choice=False)


class PayForm(LinesForm):
    paid_on = ChineseDateField("发放日期", validators=[InputRequired("请填写发放日期")])
    method = SelectField("发放方式", choices=choices(METHODS), default="transfer")
    reference = StringField("凭证号", validators=[Optional(),
                                                Length(max=64, message="最多 64 个字符")])


class ReferrerForm(Form):
    deposit_id = SelectField("成交房源", coerce=id_choice, validate_choice=False)
    staff_referrer = StringField("推荐员工姓名(留空为取消)",
                                 validators=[Optional(), Length(max=64, message="最多 64 个字符")])


class RecoverForm(LinesForm):
    """追回登记: the ticked 待追回 lines' money came back (on the payouts page beside PayForm,
    under the prefix "recover")."""

    paid_on = ChineseDateField("追回日期", validators=[InputRequired("请填写追回日期")])
    method = SelectField("追回方式", choices=choices(RECOVERY_METHODS), default="deducted")
    reference = StringField("凭证号或扣回说明", validators=[
        Optional(), Length(max=64, message="最多 64 个字符")])
