"""Horizontal bar charts drawn on the server as SVG geometry (templates/_macros/charts.html).

Colours and fonts come from CSS classes (the CSP forbids inline style attributes), so the
charts print as they show.
"""
from decimal import Decimal

PALETTE_SIZE = 8


def _percent(part, total):
    return (Decimal(part) * 100 / total).quantize(Decimal("0.1")) if total else Decimal("0.0")


def bar_chart(pairs, total=None, width=520, row=28, label_width=100, value_width=96,
              muted=("未填写",)):
    """Geometry for [(label, count)]: one bar per row, scaled to the largest count; labels in
    `muted` (no answer) are drawn grey."""
    pairs = list(pairs)
    counts = [count for _label, count in pairs]
    total = sum(counts) if total is None else total
    plot = width - label_width - value_width
    step = max(1, -(-max(counts, default=0) // 4))  # four whole-number gridlines
    scale = step * 4
    bars = []
    for index, (label, count) in enumerate(pairs):
        length = round(plot * count / scale, 1)
        bars.append({"label": str(label), "count": count, "pct": _percent(count, total),
                     "y": index * row + 6, "w": length,
                     "cls": "bar-muted" if label in muted else f"bar-{index % PALETTE_SIZE}",
                     "value_x": label_width + length + 8})
    ticks = [{"x": round(label_width + plot * n / 4, 1), "value": step * n} for n in range(5)]
    return {"width": width, "height": len(pairs) * row + 30, "label_width": label_width,
            "plot": plot, "bars": bars, "row": row, "total": total, "ticks": ticks,
            "axis_y": len(pairs) * row + 8}


def rate_chart(rows, width=520, row=28, label_width=100, value_width=110):
    """Geometry for [(label, percent, caption)] on a 0–100% scale (去化率 by building), drawn by
    the same bar_chart macro: `count` shows the caption ('12/40 套'), `pct` the rate."""
    plot = width - label_width - value_width
    bars = []
    for index, (label, pct, caption) in enumerate(rows):
        length = round(plot * float(pct) / 100, 1)
        bars.append({"label": str(label), "count": caption, "pct": pct, "y": index * row + 6,
                     "w": length, "cls": f"bar-{index % PALETTE_SIZE}",
                     "value_x": label_width + length + 8})
    ticks = [{"x": round(label_width + plot * n / 4, 1), "value": f"{n * 25}%"} for n in range(5)]
    return {"width": width, "height": len(rows) * row + 30, "label_width": label_width,
            "plot": plot, "bars": bars, "row": row, "total": len(rows), "ticks": ticks,
            "axis_y": len(rows) * row + 8}
