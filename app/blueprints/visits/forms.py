from datetime import date

from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import Length, NumberRange, Optional

from app.forms import Form, choices, id_choice
from app.models.visit import VISIT_KINDS
from app.services.customers.visit_stats import PERIODS


class ContactForm(Form):
    """来人来电登记 outside the queue: a call, or a walk-in taken directly."""

    kind = RadioField("方式", choices=choices(VISIT_KINDS), default="call",
                      validate_choice=False)
    consultant = SelectField("接待顾问", coerce=id_choice, validate_choice=False, default=0)
    name = StringField("客户姓名", validators=[Length(max=64)])
    phone = StringField("电话", validators=[Length(max=32)])
    channel = SelectField("认知途径", validate_choice=False)
    duration = IntegerField("时长(分钟)", validators=[
        Optional(), NumberRange(1, 600, "时长应在 1 到 600 分钟之间")])
    result = StringField("结果", validators=[Length(max=200)])
    happened_at = DateTimeLocalField("实际发生时间(补录)", format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])


class PeriodForm(Form):
    class Meta:
        csrf = False  # a GET filter

    period = SelectField("周期", choices=choices(PERIODS), default="day", validate_choice=False)
    day = DateField("日期", validators=[Optional()], render_kw={"type": "date"})

    def chosen(self, today):
        valid = self.validate()
        period = self.period.data if valid and self.period.data in PERIODS else "day"
        return period, (self.day.data if valid and self.day.data else today)


class RangeForm(Form):
    class Meta:
        csrf = False

    start = DateField("首次到访自", validators=[Optional()], render_kw={"type": "date"})
    end = DateField("至", validators=[Optional()], render_kw={"type": "date"})

    def bounds(self):
        if not self.validate():
            return None, None
        start, end = self.start.data, self.end.data
        if start and end and start > end:
            start, end = end, start
        return start, end


def parse_day(text, default):
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default
