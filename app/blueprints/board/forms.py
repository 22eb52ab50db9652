from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import Form, TokenInPageForm


class ReasonForm(TokenInPageForm):
    """A move with an optional reason (保留, 取消保留, 销控, 推售)."""

    reason = StringField("原因", validators=[Optional(),
                                             Length(max=200, message="原因最多 200 字")])


class ExtendHoldForm(TokenInPageForm):
    reason = StringField("延长原因", validators=[DataRequired("请填写延长原因"),
                                             Length(max=200, message="原因最多 200 字")])


class BlockForm(TokenInPageForm):
    """销控 or 推售 of a whole floor (floor given) or a whole building (滚动释放)."""

    floor = IntegerField("楼层", validators=[Optional()])
    unit = IntegerField(validators=[Optional()])  # the panel to show afterwards
    reason = StringField("原因", validators=[Optional(),
                                             Length(max=200, message="原因最多 200 字")])


class ImportForm(Form):
    file = FileField("房源表文件(.xlsx 或 .csv)", validators=[FileRequired("请选择要导入的文件")])


class DisplayLinkForm(Form):
    name = StringField("屏幕名称", validators=[DataRequired("请填写屏幕名称"), Length(max=64)])
    show_prices = BooleanField("显示价格")
    rotate_seconds = IntegerField("轮播间隔(秒)", default=15, validators=[
        InputRequired("请填写轮播间隔"), NumberRange(5, 300, "轮播间隔应在 5 到 300 秒之间")])

