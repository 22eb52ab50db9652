"""Form helpers shared by every blueprint."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, StringField, i18n
from wtforms.validators import InputRequired, Length, Optional

from app.csrf_tokens import KeptTokenFormCSRF
from app.loaders import MAX_ID


class _Chinese:
    """WTForms' bundled zh catalogue, with the few messages it does not translate."""

    MISSING = {
        "'%(value)s' is not a valid choice for this field.": "“%(value)s”不是可选的选项。",
        "Date must be at least %(min)s.": "日期不能早于 %(min)s。",
        "Date must be at most %(max)s.": "日期不能晚于 %(max)s。",
        "Date must be between %(min)s and %(max)s.": "日期必须介于 %(min)s 到 %(max)s 之间。",
        "This field cannot be edited.": "该字段不能修改。",
        "This field is disabled and cannot have a value.": "该字段已停用,不能填写。",
        "Not a valid week value.": "不是有效的周。",
    }

    def __init__(self):
        self.catalogue = i18n.get_translations(["zh"])

    def gettext(self, string):
        return self.MISSING.get(string) or self.catalogue.gettext(string)

    def ngettext(self, singular, plural, n):
        if singular in self.MISSING:  # Chinese says both the same way
            return self.MISSING[singular]
        return self.catalogue.ngettext(singular, plural, n)


CHINESE = _Chinese()


class Form(FlaskForm):
    """Every form of the app. WTForms' own messages (a choice that was not offered, a
    number that is not one, a text too long) come in Chinese: the office never sees
    "Not a valid choice."."""

    class Meta:
        csrf_class = KeptTokenFormCSRF  # the page's signed token, not one signed per form

        def get_translations(self, form):
            return CHINESE


class TokenInPageForm(Form):
    """A form whose page carries the session's CSRF token itself (csrf_token() in a hidden
    input, or htmx's X-CSRFToken header): the app-wide check (CSRFProtect, before every
    unsafe request's view) is its only one. The board's move forms are posted on launch
    day hundreds of times a minute; checking the same token twice cost each move its HMAC
    and a second token's making."""

    class Meta:
        csrf = False


def choices(pairs):
    """Select options from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if hasattr(pairs, "items") else pairs
    return [SelectChoice(value, label) for value, label in items]


def id_choice(value):
    """A select's id as the database can hold it (0: none chosen), else ValueError, which
    the field reports in Chinese; 99999999999999999999 never reaches a query."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"not an id: {value!r}")
    return number


def optional_int(value):
    """Select values to int; anything else (or an id past the database's range) to None
    (the view says what is missing)."""
    try:
        return id_choice(value)
    except (TypeError, ValueError):
        return None


class ChineseDateField(DateField):
    """A date field whose format error is in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("日期格式应为 年-月-日") from None


def receipt_no_field(label="收据编号", required=True):
    """A receipt number as printed (No.0002001) or typed (2001); the service checks the
    digits. The length limit is loose on purpose: a browser cuts input at maxlength, and a
    cut number would be one of another book."""
    first = InputRequired("请填写收据编号") if required else Optional()
    return StringField(label, validators=[first, Length(max=20, message="收据编号过长")])


# Searchable pickers (app.js): long lists of customers or units get a box that filters them.
PICK_CUSTOMER = {"data-search": "输入姓名或手机尾号筛选"}
PICK_UNIT = {"data-search": "输入房号筛选,如 2-1801 或 1801"}
