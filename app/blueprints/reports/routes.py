"""销售日报 / 周报 / 月报 (page, one-page PDF, .xlsx)."""
from flask import request

from app.blueprints.reports import bp
from app.blueprints.visits.forms import PeriodForm
from app.charts import bar_chart, rate_chart
from app.loaders import project_or_404
from app.pdf import pdf_response, render_pdf
from app.policy import require
from app.services.clock import day_bounds, today
from app.services.customers import visit_stats
from app.services.money import format_money
from app.services.reports import dashboard, deal_stats, sales_report
from app.web import render_page
from app.xlsx import Column, build_workbook, xlsx_response

TITLES = {"day": "销售日报", "week": "销售周报", "month": "销售月报"}


def _period():
    form = PeriodForm(request.args)
    period, day = form.chosen(today())
    form.period.data, form.day.data = period, day
    first, last = visit_stats.period_bounds(period, day)
    return form, period, day, first, last


def _bounds(first, last):
    return day_bounds(first)[0], day_bounds(last)[1]


def _report_context(project):
    form, period, day, first, last = _period()
    report = sales_report.sales_report(project.id, period, first, last)
    prev_first, prev_last = report["previous"]
    visits, previous_visits = dashboard.visit_counts(
        project.id, [_bounds(first, last), _bounds(prev_first, prev_last)])
    channels = dashboard.channel_counts(project.id, *_bounds(first, last))
    periods = [_bounds(first, last), _bounds(prev_first, prev_last)]
    deals = {key: fn(project.id, periods) for key, fn in (
        ("deposits", deal_stats.deposits), ("subscriptions", deal_stats.subscriptions),
        ("contracts", deal_stats.contracts), ("collections", deal_stats.collections))}
    return {"deals": deals, "form": form, "period": period, "day": day, "first": first,
            "last": last, "report": report, "title": TITLES[period], "project": project,
            "dimensions": sales_report.DIMENSIONS, "visits": visits,
            "previous_visits": previous_visits, "channels": channels,
            "args": {"period": period, "day": day.isoformat()}}


def _charts(project, context):
    report = context["report"]
    first, last = context["first"], context["last"]
    if context["period"] == "day":  # the day's month, so the chart has a trend to show
        first, last = visit_stats.period_bounds("month", context["day"])
    last = max(first, min(last, today()))  # no empty bars for days still to come
    per_day = sales_report.sales_per_day(project.id, first, last)
    return {
        "per_day": bar_chart([(f"{d:%m-%d}", n) for d, n in per_day], row=18, label_width=60),
        "per_day_range": (first, last),
        "rates": rate_chart([(g.label, g.rate, f"{g.cumulative.units}/{g.released} 套")
                             for g in report["dims"]["building"]]),
        "channels": bar_chart(context["channels"]),
    }


@bp.route("/sales")
@require("reports.sales")
def sales():
    project = project_or_404()
    context = _report_context(project)
    return render_page("reports/sales.html", charts=_charts(project, context), **context)


@bp.route("/sales.pdf")
@require("reports.sales")
def sales_pdf():
    project = project_or_404()
    context = _report_context(project)
    name = f"{context['title']} {context['first']:%Y-%m-%d}"
    return pdf_response(render_pdf("pdf/sales_report.html", **context), f"{name}.pdf")


SALES_COLUMNS = [
    Column("分组", "dimension", width=8), Column("项目", "label", width=14),
    Column("本期套数", "units", "int", 9), Column("本期面积(㎡)", "area", "area", 12),
    Column("本期金额(元)", "amount", "money", 16), Column("退房", "returned", "int", 6),
    Column("换出", "exchanged_out", "int", 6), Column("换入", "exchanged_in", "int", 6),
    Column("上期套数", "prev_units", "int", 9), Column("上期金额(元)", "prev_amount", "money", 16),
    Column("累计套数", "cum_units", "int", 9), Column("累计面积(㎡)", "cum_area", "area", 12),
    Column("累计金额(元)", "cum_amount", "money", 16), Column("剩余可售", "stock", "int", 9),
    Column("剩余金额(元)", "stock_amount", "money", 16), Column("去化率", "rate", "percent", 8)]


def _xlsx_row(dimension, group):
    return {"dimension": dimension, "label": group.label, "units": group.period.units,
            "area": group.period.area, "amount": group.period.amount,
            "returned": group.returned, "exchanged_out": group.exchanged_out,
            "exchanged_in": group.exchanged_in, "prev_units": group.previous.units,
            "prev_amount": group.previous.amount, "cum_units": group.cumulative.units,
            "cum_area": group.cumulative.area, "cum_amount": group.cumulative.amount,
            "stock": group.stock.units, "stock_amount": group.stock.amount,
            "rate": group.rate / 100}


def _deal_note(deals):
    dep, sub, con, col = (deals[k][0] for k in ("deposits", "subscriptions", "contracts",
                                                 "collections"))
    return (f"定金 {dep['count']} 笔(已确认 {format_money(dep['confirmed'])});"
            f"认购 {sub['count']} 套 {format_money(sub['amount'])};"
            f"签约 {con['count']} 套 {format_money(con['amount'])};"
            f"回款 {format_money(col['received'])}(到期应收 {format_money(col['due'])}"
            + (f",其中定金抵扣 {format_money(col['credited'])}" if col["credited"] else "")
            + ")")


@bp.route("/sales.xlsx")
@require("reports.sales")
def sales_xlsx():
    project = project_or_404()
    context = _report_context(project)
    report = context["report"]
    rows = [_xlsx_row(label, group) for dim, label in sales_report.DIMENSIONS
            for group in report["dims"][dim]]
    rows.append(_xlsx_row("合计", report["total"]))
    visits, previous = context["visits"], context["previous_visits"]
    prev_first, prev_last = report["previous"]
    notes = [f"{project.name} {context['title']} {context['first']}至{context['last']}",
             f"来访 {visits['visit']},来电 {visits['call']};上期({prev_first}至{prev_last})"
             f"来访 {previous['visit']},来电 {previous['call']}",
             _deal_note(context["deals"]),
             "成交以房源转为已认购/已签约计,金额为认购书成交价(作废的不计),剩余可售按表价;"
             "退房从本期中扣除;换房不计成交也不计退房,按换出/换入计入各分组(合计不变)。"]
    data = build_workbook(context["title"], SALES_COLUMNS, rows, notes=notes)
    return xlsx_response(data, f"{context['title']} {context['first']:%Y-%m-%d}.xlsx")
