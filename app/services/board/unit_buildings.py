"""Building names as offices write them: "1栋", "1号楼", "1#", "1#楼" are one building.

A 房源表 that names a building another way than the board does is matched to the board's
building (and the preview says so); two spellings of one new building in the same file are
refused, with their lines. A look-alike never silently becomes a second building.
"""
import re

SUFFIX = re.compile(r"(?:号楼|#楼|号|栋|幢|座|楼|#)$")


def building_key(name):
    """"1号楼" → "1": the name without the word for building."""
    text = re.sub(r"\s+", "", name or "").replace("＃", "#").upper()
    return SUFFIX.sub("", text) or text


def resolve(rows, existing):
    """Rename rows' buildings to the board's look-alike names, in place.

    Returns (notes, errors): what was matched, and look-alike new buildings (Chinese)."""
    board = {}
    for name in existing:
        board.setdefault(building_key(name), name)
    notes, spellings = [], {}
    renames = {}
    for row in rows:
        name = row["building"]
        if name in existing:
            continue
        known = board.get(building_key(name))
        if known is not None:
            renames.setdefault(name, known)
            row["building"] = known
        else:
            spellings.setdefault(building_key(name), {}).setdefault(name, row["line"])
    notes = [f"楼栋「{name}」按已有楼栋「{known}」导入" for name, known in renames.items()]
    errors = [f"{'、'.join(f'{line}的「{name}」' for name, line in names.items())}"
              "像是同一栋楼的不同写法,请统一楼栋名称"
              for names in spellings.values() if len(names) > 1]
    return notes, errors
