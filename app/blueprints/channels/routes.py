"""渠道报备: reports and their refusals, channel companies and agents, visit confirmations
and the printable 看房确认单."""
from flask import flash, redirect, url_for
from flask_login import current_user

from app.blueprints.channels import bp
from app.blueprints.channels.forms import AgentForm, CompanyForm, ConfirmForm, ReportForm
from app.forms import choices
from app.loaders import load, project_or_404
from app.models import ChannelCompany, ChannelReport, Customer
from app.pdf import pdf_response, printed
from app.policy import require
from app.services.customers import channels
from app.web import attempt, commit, form_status, perform, render_page


def _report_form(project):
    form = ReportForm()
    form.agent_id.choices = choices([(0, "请选择经纪人")] + [
        (a.id, f"{a.company.name} · {a.name}") for a in channels.agents(project.id)
        if channels.may_report_for(current_user, a)])
    return form


def _reports_page(project, form, status=200):
    reports = channels.reports(project.id)
    return render_page("channels/reports.html", status=status, form=form, reports=reports,
                       counts=channels.report_counts(project.id),
                       public_refusal=channels.PUBLIC_REFUSAL,
                       valid=channels.report_validity(reports))


@bp.route("/")
@require("channels.view")
def reports():
    project = project_or_404()
    return _reports_page(project, _report_form(project))


@bp.route("/reports", methods=["POST"])
@require("channels.report")
def create_report():
    project = project_or_404()
    form = _report_form(project)
    if form.validate_on_submit():
        ok, report = attempt(form, channels.report_by_agent, project, form.agent_id.data,
                             form.customer_name.data, form.gender.data, form.phone_mask.data,
                             by=current_user, group=form.group_visit.data)
        if ok:
            if report.status == "refused":
                flash(channels.PUBLIC_REFUSAL, "error")
            else:
                flash(f"报备成功:{report.customer_name} {report.phone_mask},"
                      f"须在 {report.valid_until:%Y-%m-%d} 前到访", "success")
            return redirect(url_for("channels.reports"))
    return _reports_page(project, form, status=form_status(form))


def _companies_page(project, status=200, company_form=None, agent_form=None, agent_company=None):
    return render_page("channels/companies.html", status=status,
                       companies=channels.companies(project.id),
                       company_form=company_form or CompanyForm(formdata=None),
                       agent_form=agent_form or AgentForm(formdata=None),
                       agent_company=agent_company)


@bp.route("/companies")
@require("channels.manage")
def companies():
    return _companies_page(project_or_404())


@bp.route("/companies/new", methods=["POST"])
@require("channels.manage")
def add_company():
    project = project_or_404()
    form = CompanyForm()
    if form.validate_on_submit():
        ok, company = attempt(form, channels.save_company, project, form.name.data,
                              form.kind.data, form.contact.data, form.phone.data, by=current_user)
        if ok:
            flash(f"已添加渠道公司 {company.name}", "success")
            return redirect(url_for("channels.companies"))
    return _companies_page(project, 422, company_form=form)


@bp.route("/companies/<int:company_id>/agents", methods=["POST"])
@require("channels.manage")
def add_agent(company_id):
    project = project_or_404()
    company = load(ChannelCompany, company_id)
    form = AgentForm()
    if form.validate_on_submit():
        ok, agent = attempt(form, channels.add_agent, company, form.name.data, form.phone.data,
                            form.id_number.data, by=current_user)
        if ok:
            flash(f"已添加经纪人 {agent.name}({company.name})", "success")
            return redirect(url_for("channels.companies"))
    return _companies_page(project, 422, agent_form=form, agent_company=company.id)


@bp.route("/companies/<int:company_id>/active", methods=["POST"])
@require("channels.manage")
def toggle_company(company_id):
    company = load(ChannelCompany, company_id)
    commit(channels.set_company_active, company, not company.active, by=current_user)
    flash(f"{company.name} 已{'恢复合作' if company.active else '停止合作'}", "success")
    return redirect(url_for("channels.companies"))


@bp.route("/reports/<int:report_id>/confirm", methods=["POST"])
@require("channels.manage")
def confirm(report_id):
    """The reported customer came (看房确认单): protection starts for the channel."""
    report = load(ChannelReport, report_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("请选择到访的客户", "error")
        return redirect(url_for("channels.reports"))
    customer = load(Customer, form.customer_id.data, "customers.view")
    if perform(channels.confirm_arrival, report, customer, by=current_user)[0]:
        flash(f"已确认渠道带看:{report.agent.company.name} 保护期至 "
              f"{report.protected_until:%Y-%m-%d}", "success")
    return redirect(url_for("customers.card", customer_id=customer.id))


@bp.route("/reports/<int:report_id>/confirmation.pdf")
@require("channels.manage")
def confirmation_pdf(report_id):
    """看房确认单 / 来访客户确认单 for the three signatures (seed 003)."""
    project = project_or_404()
    report = load(ChannelReport, report_id)
    if report.status != "visited":
        flash("报备尚未确认到访,不能打印确认单", "error")
        return redirect(url_for("channels.reports"))
    pdf = printed(report.customer, f"看房确认单 {report.id}", "pdf/viewing_confirmation.html",
                  report=report, project=project)
    return pdf_response(pdf, f"看房确认单-{report.id}.pdf")
