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


def test_every_status_keeps_its_own_letter_on_the_board_and_the_hall(app, login_as):
    """Colour is never the only sign: each status writes a letter of its own on its cell, so
    a board printed or seen in black and white still reads."""
    import re
    from datetime import timedelta

    from app.extensions import db
    from app.models import Project, Unit, User
    from app.services import clock
    from app.services.board import displays
    from tests.fixtures.board import make_project, set_status
    world = make_project(app, buildings=(("1栋", 2, 4),))
    statuses = list(UnitStatus.LABELS)
    units = dict(zip(statuses, world["units"].values(), strict=False))  # 8 units, 7 statuses
    for status, unit_id in units.items():
        set_status(app, unit_id, status)
    manager = login_as("manager")
    with app.app_context():  # a hold has its holder and its end
        held = db.session.get(Unit, units[UnitStatus.HELD])
        held.held_by_id, held.hold_expires_at = manager.user_id, clock.now() + timedelta(minutes=30)
        db.session.commit()
    building = manager.get(f"/board?building={world['buildings']['1栋']}").text
    whole = manager.get("/board").text
    with app.app_context():
        link = displays.create_link(db.session.get(Project, world["project"]), "大厅", True, 20,
                                    db.session.get(User, manager.user_id))
        db.session.commit()
        token = link.token
    hall = manager.get(f"/display/{token}").text
    seen = {}
    for pattern, page in ((r'class="cell s-(\w+)[^"]*"[^>]*><span class="c-no">\d+</span>'
                           r'<span class="c-st">(.)</span>', building),
                          (r'class="mini s-(\w+)[^"]*"[^>]*>\d+<b>(.)</b>', whole),
                          (r'class="hc s-(\w+)"[^>]*><b>\d+</b><i>(.)</i>', hall)):
        letters = dict(re.findall(pattern, page))
        assert set(letters) == set(statuses), (pattern, letters)
        assert len(set(letters.values())) == len(statuses)  # one letter per status
        seen = seen or letters
        assert letters == seen  # the same letter on every screen
