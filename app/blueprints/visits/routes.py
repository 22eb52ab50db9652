"""来人来电: the day's log and its form, statistics by channel and consultant, analysis charts,
the Saturday grade check, and their .xlsx exports."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.customers.common import consultant_choices
from app.blueprints.visits import bp
from app.blueprints.visits.forms import ContactForm, PeriodForm, RangeForm, parse_day
from app.charts import bar_chart
from app.forms import choices
from app.loaders import project_or_404
from app.policy import authorize, require
from app.services.clock import local, today
from app.services.customers import privacy, reception, visit_stats
from app.services.customers.options import options_for
from app.web import attempt, commit, form_status, render_page
from app.xlsx import Column, build_workbook, xlsx_response


def _contact_form(project):
    form = ContactForm()
    form.channel.choices = choices([("", "—")] + [(c, c) for c in options_for(project.id,
                                                                               "channel")])
    form.consultant.choices = consultant_choices("请选择")
    return form


def _log_page(project, form, status=200):
    day = parse_day(request.args.get("day"), today())
    rows = visit_stats.visits_between(project.id, day, day)
    return render_page("visits/log.html", status=status, form=form, rows=rows, day=day,
                       stats=visit_stats.visit_statistics(project.id, day, day))


@bp.route("/")
@require("visits.view")
def log():
    project = project_or_404()
    return _log_page(project, _contact_form(project))


@bp.route("/record", methods=["POST"])
@require("visits.record")
def record():
    project = project_or_404()
    form = _contact_form(project)
    if form.validate_on_submit():
        ok, result = attempt(form, reception.take_contact, project, current_user,
                             form.consultant.data, form.kind.data, form.name.data,
                             form.phone.data, form.channel.data or None,
                             duration=form.duration.data, result=form.result.data,
                             happened=form.happened_at.data)
        if ok:
            customer, visit = result
            who = customer.name if customer else "未留资料"
            late = f",补录:实际 {local(visit.at):%m-%d %H:%M}" if visit.entered_at else ""
            flash(f"已登记{visit.kind_label}:{who}({visit.consultant.display_name}{late})",
                  "success")
            return redirect(url_for("visits.log"))
    return _log_page(project, form, status=form_status(form))


def _period(project):
    form = PeriodForm(request.args)
    period, day = form.chosen(today())
    form.period.data, form.day.data = period, day
    first, last = visit_stats.period_bounds(period, day)
    return form, period, first, last


@bp.route("/statistics")
@require("customers.stats")
def statistics():
    """来人来电统计表: by channel and consultant for a day, a week or a month."""
    project = project_or_404()
    form, period, first, last = _period(project)
    stats = visit_stats.visit_statistics(project.id, first, last)
    return render_page("visits/statistics.html", form=form, period=period, first=first,
                       last=last, stats=stats, columns=visit_stats.COLUMNS,
                       chart=bar_chart([(c, row["total"]) for c, row in stats["channels"]]))


STAT_COLUMNS = [Column("分组", "group", width=14), Column("项目", "name", width=16)] + [
    Column(label, key, "int", 10) for key, label in visit_stats.COLUMNS]


@bp.route("/statistics.xlsx", methods=["POST"])
@require("data.export")
def statistics_export():
    project = project_or_404()
    authorize("customers.stats")
    _form, period, first, last = _period(project)
    stats = visit_stats.visit_statistics(project.id, first, last)
    rows = visit_stats.statistics_rows(stats)
    title = f"来人来电统计表 {first:%Y-%m-%d}至{last:%Y-%m-%d}"
    totals = {k: stats["total"][k] for k, _ in visit_stats.COLUMNS}
    commit(privacy.log_export, project, "来人来电统计表", len(rows), user=current_user)
    return xlsx_response(build_workbook("来人来电统计表", STAT_COLUMNS, rows, totals=totals),
                         f"{title}.xlsx")


LOG_COLUMNS = [Column("时间", "at", "datetime", 18), Column("方式", "kind", width=6),
               Column("客户", "name", width=12), Column("电话", "phone", width=16),
               Column("到访次数", "visit_no", "int", 8), Column("认知途径", "channel"),
               Column("置业顾问", "consultant", width=10),
               Column("时长(分钟)", "duration", "int", 10),
               Column("结果", "result", width=30),
               Column("补录于", "entered_at", "datetime", 18)]


@bp.route("/log.xlsx", methods=["POST"])
@require("data.export")
def log_export():
    """The day's 来人来电登记表; names and phones are personal data, so the export is logged."""
    project = project_or_404()
    authorize("visits.view")
    day = parse_day(request.args.get("day"), today())
    rows = visit_stats.log_rows(project.id, day, full_phones=False)
    commit(privacy.log_export, project, "来人来电登记表", len(rows), user=current_user)
    return xlsx_response(build_workbook("来人来电登记表", LOG_COLUMNS, rows),
                         f"来人来电登记表 {day:%Y-%m-%d}.xlsx")


@bp.route("/analysis")
@require("customers.stats")
def analysis():
    """客户分析统计图表: counts, percentages and SVG bar charts, printable."""
    project = project_or_404()
    form = RangeForm(request.args)
    first, last = form.bounds()
    charts, total = visit_stats.customer_analysis(project.id, first, last)
    return render_page("visits/analysis.html", form=form, total=total, first=first, last=last,
                       charts=[(c, bar_chart([(r[0], r[1]) for r in c.rows], total=c.total))
                               for c in charts])


@bp.route("/weekly")
@require("customers.stats")
def weekly():
    """The Saturday check: A/B/C customers per consultant at the end of the last 8 Saturdays."""
    project = project_or_404()
    return render_page("visits/weekly.html", check=visit_stats.weekly_grade_check(
        project.id, today()))
