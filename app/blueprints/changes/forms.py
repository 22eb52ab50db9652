"""Forms of the change pages."""
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.forms import PICK_CUSTOMER, PICK_UNIT, Form, choices, optional_int, receipt_no_field
from app.services.changes import KINDS, REASONS, RENAME_ACTIONS, UNIT_AFTER
from app.services.deals.common import METHODS

BLANK = choices([("", "— 请选择 —")])


class RequestForm(Form):
    form_key = HiddenField()
    # the service judges units and customers (with a reason), not the list of choices
    unit_id = SelectField("成交房源", coerce=optional_int, validate_choice=False,
                          validators=[InputRequired("请选择房源")], render_kw=PICK_UNIT)
    kind = SelectField("申请类型", choices=choices(KINDS))
    reason = SelectField("原因", choices=BLANK + choices(REASONS))
    notes = TextAreaField("说明(客户为什么换房/退房)", validators=[Optional(), Length(max=500)])
    target_unit_id = SelectField("换入房源(换房)", coerce=optional_int, validate_choice=False,
                                 validators=[Optional()], render_kw=PICK_UNIT)
    rename_action = SelectField("换名方式(换名)", choices=BLANK + choices(RENAME_ACTIONS),
                                validators=[Optional()])
    rename_name = StringField("共同购房人姓名", validators=[Optional(), Length(max=32)])
    rename_id_number = StringField("共同购房人身份证号", validators=[Optional(), Length(max=18)])
    new_customer_id = SelectField("新买受人(更换买受人)", coerce=optional_int,
                                  validate_choice=False, validators=[Optional()],
                                  render_kw=PICK_CUSTOMER)


class DecideForm(Form):
    comment = StringField("审批意见 / 驳回原因", validators=[Optional(), Length(max=200)])
    penalty = StringField("违约金(元,退房)", validators=[Optional(), Length(max=20)])
    unit_after = SelectField("退房后房源", choices=choices(UNIT_AFTER), validators=[Optional()])
    override = BooleanField("经理特批(违反以小换大或签约后不退房的原则)")
    override_reason = StringField("特批理由", validators=[Optional(), Length(max=200)])


class ExecuteForm(Form):
    receipt_no = receipt_no_field("过户费收据编号", required=False)
    method = SelectField("过户费付款方式", choices=choices(METHODS), validators=[Optional()])


class CancelForm(Form):
    reason = StringField("撤回原因", validators=[Optional(), Length(max=200)])


class PayForm(Form):
    method = SelectField("退款方式", choices=choices(METHODS))


class FeeForm(Form):
    reason = StringField("退回原因", validators=[Optional(), Length(max=200)])
