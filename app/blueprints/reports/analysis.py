"""Consultant performance, the conversion funnel 转化漏斗 and collections 回款账龄: pages and
their .xlsx exports."""
from datetime import date
from decimal import Decimal

from app.blueprints.reports import bp
from app.blueprints.reports.routes import _bounds, _period
from app.charts import bar_chart, rate_chart
from app.loaders import project_or_404
from app.policy import require
from app.services.clock import today
from app.services.money import format_money
from app.services.reports import collection_stats, consultant_stats, funnel
from app.web import render_page
from app.xlsx import Column, build_workbook, xlsx_response

C = Column


def _span(first, last):
    return f"{first:%Y-%m-%d}" + (f" 至 {last:%Y-%m-%d}" if last != first else "")


def _period_report(compute):
    """The chosen period and `compute(project id, start, end, today)` over it."""
    project = project_or_404()
    form, period, day, first, last = _period()
    result = compute(project.id, *_bounds(first, last), today())
    return project, form, period, day, first, last, result


@bp.route("/consultants")
@require("reports.consultants")
def consultants():
    """置业顾问业绩: per consultant for a day, a week or a month."""
    project, form, period, day, first, last, rows = _period_report(consultant_stats.performance)
    return render_page("reports/consultants.html", form=form, period=period, first=first,
                       last=last, rows=rows, columns=consultant_stats.COLUMNS,
                       deal_columns=consultant_stats.DEAL_COLUMNS,
                       args={"period": period, "day": day.isoformat()})


@bp.route("/consultants.xlsx")
@require("reports.consultants")
def consultants_xlsx():
    project, form, period, day, first, last, rows = _period_report(consultant_stats.performance)
    kinds = {"money": "money", "int": "int"}
    columns = ([C("置业顾问", "name", width=10)]
               + [C(label, key, "int", 9) for key, label in consultant_stats.COLUMNS]
               + [C(label, key, kinds[kind], 14 if kind == "money" else 9)
                  for key, label, kind in consultant_stats.DEAL_COLUMNS]
               + [C("来访→认购转化率", "conversion", "percent", 12),
                  C("跟进及时率", "on_time", "percent", 10)])
    data = [{**row, "name": user.display_name,
             "conversion": row["conversion"] / 100 if row["conversion"] is not None else None,
             "on_time": row["on_time"] / 100 if row["on_time"] is not None else None}
            for user, row in rows]
    notes = [f"{project.name} 置业顾问业绩 {_span(first, last)}",
             "认购/签约/回款归属于登记定金时的置业顾问;"
             "登记定金时业绩分成涉及两位及以上顾问的认购,计为各方的合作成交。"]
    return xlsx_response(build_workbook("置业顾问业绩", columns, data, notes=notes),
                         f"置业顾问业绩 {first:%Y-%m-%d}.xlsx")


@bp.route("/funnel")
@require("reports.consultants")
def funnel_page():
    """转化漏斗: visits → cards → holds → deposits → 认购 → 签约, office and per consultant."""
    project, form, period, day, first, last, result = _period_report(funnel.funnel)
    office = result["office"]
    chart = bar_chart([(label, n) for _k, label, n, _s, _a in office], total=office[0][2],
                      label_width=110)
    return render_page("reports/funnel.html", form=form, period=period, first=first, last=last,
                       result=result, stages=funnel.STAGES, chart=chart,
                       args={"period": period, "day": day.isoformat()})


@bp.route("/funnel.xlsx")
@require("reports.consultants")
def funnel_xlsx():
    project, form, period, day, first, last, result = _period_report(funnel.funnel)
    columns = [C("置业顾问", "name", width=10)]
    for key, label in funnel.STAGES:
        columns.append(C(label, key, "int", 10))
        if key != "visits":
            columns.append(C(f"{label}/上一步", f"{key}_step", "percent", 11))
    columns.append(C("认购/来访", "conversion", "percent", 10))
    rows = [_funnel_row("全案场", result["office"])]
    rows += [_funnel_row(user.display_name, stages) for user, stages in result["rows"]]
    notes = [f"{project.name} 转化漏斗 {_span(first, last)}",
             "来访为来访登记(不含来电);建卡为新增客户(不含踩盘);定金不含财务退回的;认购不含作废的认购书。"]
    return xlsx_response(build_workbook("转化漏斗", columns, rows, notes=notes),
                         f"转化漏斗 {first:%Y-%m-%d}.xlsx")


def _funnel_row(name, stages):
    row = {"name": name}
    for key, _label, n, step, _of_visits in stages:
        row[key] = n
        row[f"{key}_step"] = step / 100 if step is not None else None
    subscriptions = stages[4][4]
    row["conversion"] = subscriptions / 100 if subscriptions is not None else None
    return row


def _months(day):
    """The six months up to `day`'s month and the three after it (instalments to come)."""
    first = date(day.year - (day.month <= 5), (day.month - 6) % 12 + 1, 1)
    last = date(day.year + (day.month + 3 > 12), (day.month + 2) % 12 + 1, 1)
    return first, last


@bp.route("/collections")
@require("reports.sales")
def collections():
    """回款: outstanding by age (未到期 / 1–30 / 31–60 / 60 天以上 违约), received vs due by
    month."""
    project = project_or_404()
    ageing = collection_stats.ageing(project.id)
    months = collection_stats.by_month(project.id, *_months(ageing.day))
    chart = bar_chart([(label, _wan(ageing.buckets[key]["amount"]))
                       for key, label, *_r in collection_stats.BUCKETS], label_width=130)
    for bar, colour in zip(chart["bars"], BUCKET_COLOURS, strict=True):  # 未到期 calm … 违约 red
        bar["cls"] = colour
    # 回款率: 回款 against what was due as 回款 (the 定金抵扣 part was paid as the deposit)
    rates = rate_chart([(f"{m.month:%Y-%m}", min(_pct(m.received, m.scheduled - m.credited), 100),
                         f"{_wan(m.received)}/{_wan(m.scheduled - m.credited)} 万")
                        for m in months if m.scheduled > m.credited], label_width=70,
                       value_width=170)
    return render_page("reports/collections.html", ageing=ageing, months=months, chart=chart,
                       rates=rates, buckets=collection_stats.BUCKETS, project=project,
                       shown=ageing.rows[:PAGE_ROWS])


BUCKET_COLOURS = ("bar-3", "bar-2", "bar-1", "bar-0")
PAGE_ROWS = 300  # the page lists the most overdue; the .xlsx has every instalment


def _wan(amount):
    """Yuan → 万元 with one decimal, for chart labels."""
    return (amount / 10000).quantize(Decimal("0.1"))


def _pct(part, whole):
    return (part * 100 / whole).quantize(1) if whole else 0


AGEING_COLUMNS = [
    C("合同编号", "contract", width=12), C("房号", "unit", width=12), C("客户", "customer"),
    C("期次", "label", width=10), C("应付日期", "due_date", "date", 11),
    C("应付金额", "amount", "money", 15), C("定金抵扣", "credited", "money", 15),
    C("已确认回款", "received", "money", 15),
    C("逾期天数", "days", "int", 9), C("未付金额", "unpaid", "money", 15),
    C("账龄", "bucket_label", width=18)]


@bp.route("/collections.xlsx")
@require("reports.sales")
def collections_xlsx():
    project = project_or_404()
    ageing = collection_stats.ageing(project.id)
    labels = {key: label for key, label, *_r in collection_stats.BUCKETS}
    rows = [{**vars(r), "days": max(r.days, 0), "bucket_label": labels[r.bucket]}
            for r in ageing.rows]
    totals = {"amount": sum((r.amount for r in ageing.rows), collection_stats.ZERO),
              "credited": sum((r.credited for r in ageing.rows), collection_stats.ZERO),
              "received": sum((r.received for r in ageing.rows), collection_stats.ZERO),
              "unpaid": ageing.outstanding}
    notes = [f"{project.name} 回款账龄 截至 {ageing.day:%Y-%m-%d}",
             f"合同总价 {format_money(ageing.scheduled)},"
             f"定金抵扣 {format_money(ageing.credited)},"
             f"已确认回款 {format_money(ageing.received)},"
             f"未回款 {format_money(ageing.outstanding)},待财务确认 {format_money(ageing.pending)}"]
    notes += [f"{label}:{format_money(ageing.buckets[key]['amount'])}"
              f"({ageing.buckets[key]['count']} 期)" for key, label, *_r in
              collection_stats.BUCKETS]
    return xlsx_response(build_workbook("回款账龄", AGEING_COLUMNS, rows, totals, notes),
                         f"回款账龄 {ageing.day:%Y-%m-%d}.xlsx")
