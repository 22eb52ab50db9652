from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.forms import Form, id_choice
from app.services.errors import RuleViolation


class WalkInForm(Form):
    """The front desk: name, phone, channel; who the customer asks for is optional."""

    name = StringField("客户姓名", validators=[DataRequired("请填写客户姓名"), Length(max=64)])
    phone = StringField("手机号", validators=[DataRequired("请填写电话号码"), Length(max=32)])
    channel = RadioField("认知途径", validate_choice=False,
                         validators=[DataRequired("请选择认知途径")])
    named = SelectField("客户指定顾问", coerce=id_choice, validate_choice=False, default=0)


class OrderForm(Form):
    """The day's order: a number per consultant (blank: not on duty), read by `positions`."""


def positions(form_data, consultants):
    """[user ids] ordered by the numbers typed next to each consultant."""
    chosen = []
    for user in consultants:
        text = (form_data.get(f"pos-{user.id}") or "").strip()
        if not text:
            continue
        if not text.isdigit() or not 0 < int(text) < 100:
            raise RuleViolation(f"{user.display_name} 的顺序应为 1 到 99 的数字", "order")
        chosen.append((int(text), user.display_name, user.id))
    return [uid for _n, _name, uid in sorted(chosen)]
