"""Forms of the launch pages (开盘): the launch, 认筹, finance decisions, the console."""
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import PICK_CUSTOMER, Form, choices, optional_int, receipt_no_field
from app.services.deals.common import METHODS
from app.services.launch.launches import MODES


class LaunchForm(Form):
    name = StringField("活动名称", validators=[InputRequired("请填写活动名称"), Length(max=64)])
    mode = SelectField("排号方式", choices=choices(MODES))
    amount = StringField("诚意金(元)", validators=[InputRequired("请填写诚意金金额"),
                                                Length(max=20)])
    window_minutes = IntegerField("每位选房时限(分钟)", default=3, validators=[
        InputRequired("请填写选房时限"), NumberRange(1, 60, "1 到 60 分钟")])
    miss_penalty = IntegerField("过号顺延(位)", default=3, validators=[
        InputRequired("请填写顺延位数"), NumberRange(0, 100, "0 到 100 位")])


class RegistrationForm(Form):
    form_key = HiddenField()
    customer_id = SelectField("认筹客户", coerce=optional_int,
                              validators=[InputRequired("请选择认筹客户")], render_kw=PICK_CUSTOMER)
    consultant_id = SelectField("置业顾问", coerce=optional_int, validators=[Optional()])
    amount = StringField("诚意金(元)", validators=[InputRequired("请填写金额"), Length(max=20)])
    method = SelectField("付款方式", choices=choices(METHODS))
    receipt_no = receipt_no_field()
    layouts = SelectMultipleField("意向户型", validators=[Optional()])


class ReasonForm(Form):
    reason = StringField("原因", validators=[Optional(), Length(max=200, message="最多 200 字")])


class PickForm(Form):
    # the units on offer change every second on launch day: the service checks the pick
    unit_id = SelectField("选定房源", coerce=optional_int, validate_choice=False,
                          validators=[InputRequired("请选择房源")])


class ReleaseForm(Form):
    building_id = SelectField("楼栋", coerce=optional_int,
                              validators=[InputRequired("请选择楼栋")])
    floor_from = IntegerField("起始楼层", validators=[Optional(), NumberRange(-5, 200)])
    floor_to = IntegerField("结束楼层", validators=[Optional(), NumberRange(-5, 200)])


class ActionForm(Form):
    """A button-only post (call next, pause, draw...): the CSRF token only."""
