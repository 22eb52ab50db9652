"""Conversion funnel 转化漏斗: walk-ins → customer cards → holds → deposits → 认购 → 签约,
for a period, for the whole office and per consultant.

The office's stages are the dashboard's own figures over the same period (so the funnel and
the dashboard never disagree); the per-consultant stages are consultant performance's.
"""
from decimal import Decimal

from app.services.reports import consultant_stats, dashboard, deal_stats

STAGES = (("visits", "来访"), ("cards", "建卡(新增客户)"), ("holds", "保留房源"),
          ("deposits", "交定金"), ("subscriptions", "认购"), ("contracts", "签约"))


def _rate(part, whole):
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None


def office(project_id, start, end):
    """{stage: count} for the project in [start, end)."""
    periods = [(start, end)]
    return {"visits": dashboard.visit_counts(project_id, periods)[0]["visit"],
            "cards": sum(dashboard.new_customers(project_id, periods)[0].values()),
            "holds": dashboard.holds_made(project_id, periods)[0],
            "deposits": deal_stats.deposits(project_id, periods)[0]["count"],
            "subscriptions": deal_stats.subscriptions(project_id, periods)[0]["count"],
            "contracts": deal_stats.contracts(project_id, periods)[0]["count"]}


def steps(counts):
    """[(key, label, n, % of the stage before, % of visits)] for one row of the funnel."""
    out, before = [], None
    for key, label in STAGES:
        n = counts[key]
        out.append((key, label, n, _rate(n, before) if before is not None else None,
                    _rate(n, counts["visits"])))
        before = n
    return out


def funnel(project_id, start, end, day):
    """{'office': steps, 'rows': [(user, steps)]} for the period [start, end)."""
    rows = []
    for user, row in consultant_stats.performance(project_id, start, end, day):
        counts = {"visits": row["visits"], "cards": row["new_customers"], "holds": row["holds"],
                  "deposits": row["deposits"], "subscriptions": row["subscriptions"],
                  "contracts": row["contracts"]}
        rows.append((user, steps(counts)))
    return {"office": steps(office(project_id, start, end)), "rows": rows}
