"""渠道报备: reports and their refusals, channel companies and agents, visit confirmations
and the printable 看房确认单."""
from flask import flash, redirect, url_for
from flask_login import current_user

from app.blueprints.channels import bp
from app.blueprints.channels.forms import AgentForm, CompanyForm, ConfirmForm, ReportForm
from app.blueprints.customers.common import form_status, in_project_or_404, project_or_404
from app.extensions import db
from app.forms import choices
from app.models import ChannelCompany, ChannelReport, Customer
from app.pdf import pdf_response, render_pdf
from app.policy import require
from app.services.customers import channels
from app.services.errors import RuleViolation
from app.web import apply_violation, render_page


def _report_form(project):
    form = ReportForm()
    form.agent_id.choices = choices([(0, "请选择经纪人")] + [
        (a.id, f"{a.company.name} · {a.name}") for a in channels.agents(project.id)])
    return form


def _reports_page(project, form, status=200):
    return render_page("channels/reports.html", status=status, form=form,
                       reports=channels.reports(project.id),
                       counts=channels.report_counts(project.id),
                       public_refusal=channels.PUBLIC_REFUSAL, valid=channels.report_valid)


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
        try:
            agent = next((a for a in channels.agents(project.id) if a.id == form.agent_id.data),
                         None)
            if agent is None:
                raise RuleViolation("请选择经纪人", "agent_id")
            report = channels.report_customer(project, agent, form.customer_name.data,
                                              form.phone_mask.data, by=current_user)
        except RuleViolation as exc:
            db.session.rollback()
            apply_violation(form, exc)
        else:
            db.session.commit()
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
        try:
            company = channels.save_company(project, form.name.data, form.kind.data,
                                            form.contact.data, form.phone.data, by=current_user)
        except RuleViolation as exc:
            db.session.rollback()
            apply_violation(form, exc)
        else:
            db.session.commit()
            flash(f"已添加渠道公司 {company.name}", "success")
            return redirect(url_for("channels.companies"))
    return _companies_page(project, 422, company_form=form)


@bp.route("/companies/<int:company_id>/agents", methods=["POST"])
@require("channels.manage")
def add_agent(company_id):
    project = project_or_404()
    company = in_project_or_404(ChannelCompany, company_id, project)
    form = AgentForm()
    if form.validate_on_submit():
        try:
            agent = channels.add_agent(company, form.name.data, form.phone.data,
                                       form.id_number.data, by=current_user)
        except RuleViolation as exc:
            db.session.rollback()
            apply_violation(form, exc)
        else:
            db.session.commit()
            flash(f"已添加经纪人 {agent.name}({company.name})", "success")
            return redirect(url_for("channels.companies"))
    return _companies_page(project, 422, agent_form=form, agent_company=company.id)


@bp.route("/companies/<int:company_id>/active", methods=["POST"])
@require("channels.manage")
def toggle_company(company_id):
    project = project_or_404()
    company = in_project_or_404(ChannelCompany, company_id, project)
    channels.set_company_active(company, not company.active, by=current_user)
    db.session.commit()
    flash(f"{company.name} 已{'恢复合作' if company.active else '停止合作'}", "success")
    return redirect(url_for("channels.companies"))


@bp.route("/reports/<int:report_id>/confirm", methods=["POST"])
@require("channels.manage")
def confirm(report_id):
    """The reported customer came (看房确认单): protection starts for the channel."""
    project = project_or_404()
    report = in_project_or_404(ChannelReport, report_id, project)
    form = ConfirmForm()
    customer = None
    if form.validate_on_submit():
        customer = in_project_or_404(Customer, form.customer_id.data, project, "customers.view")
        try:
            if customer.owner is None:
                raise RuleViolation("该客户在公共池中,请先分配置业顾问")
            channels.confirm_visit(report, customer, customer.owner, by=current_user)
        except RuleViolation as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"已确认渠道带看:{report.agent.company.name} 保护期至 "
                  f"{report.protected_until:%Y-%m-%d}", "success")
    else:
        flash("请选择到访的客户", "error")
    if customer is not None:
        return redirect(url_for("customers.card", customer_id=customer.id))
    return redirect(url_for("channels.reports"))


@bp.route("/reports/<int:report_id>/confirmation.pdf")
@require("channels.manage")
def confirmation_pdf(report_id):
    """看房确认单 / 来访客户确认单 for the three signatures (seed 003)."""
    project = project_or_404()
    report = in_project_or_404(ChannelReport, report_id, project)
    if report.status != "visited":
        flash("报备尚未确认到访,不能打印确认单", "error")
        return redirect(url_for("channels.reports"))
    pdf = render_pdf("pdf/viewing_confirmation.html", report=report, project=project)
    return pdf_response(pdf, f"看房确认单-{report.id}.pdf")
