"""Status colours meet WCAG 2.1 AA (4.5:1) with the letter written on them (控 售 留 待 定 认 签):
read from the stylesheets as the browser does, the later rule winning."""
import re
from pathlib import Path

from app.models import UnitStatus

CSS = Path(__file__).parents[2] / "app" / "static" / "css"
SHEETS = [CSS / "app.css", CSS / "screens.css"]  # the order base.html loads them in
DARK_TEXT = "#1d2433"


def _luminance(colour):
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_status_letter_meets_aa_contrast():
    text = "\n".join(sheet.read_text(encoding="utf-8") for sheet in SHEETS if sheet.exists())
    colours = dict(re.findall(r"--st-(\w+):\s*(#[0-9a-fA-F]{6})", text))  # last one wins
    dark = set(re.findall(r"\.swatch\.s-(\w+)[^{]*\{[^}]*color: " + DARK_TEXT, text))
    dark |= {s for rule in re.findall(r"([^}]*)\{\s*color: " + DARK_TEXT + r"; \}", text)
             for s in re.findall(r"\.swatch\.s-(\w+)", rule)}
    for status in UnitStatus.LABELS:
        letter_colour = DARK_TEXT if status in dark else "#ffffff"
        ratio = contrast(colours[status], letter_colour)
        assert ratio >= 4.5, f"{status}: {letter_colour} on {colours[status]} is {ratio:.2f}:1"
