"""Customers, visits and calls, channel reports, reception rotation."""
from tests.route_table import OWNER, Route

SALES = frozenset({"consultant", "secretary", "manager"})
OFFICE = frozenset({"secretary", "manager"})
CONSULTANT_MANAGER = frozenset({"consultant", "manager"})
MANAGER = frozenset({"manager"})
MANAGER_ADMIN = frozenset({"manager", "admin"})
CONSULTANT = frozenset({"consultant"})


def customer(w):
    return {"customer_id": w["customer"]}


ROUTES = {
    "customers.index": Route(SALES),
    "customers.new": Route(SALES),
    "customers.card": Route(SALES, args=customer, scope=OWNER),
    "customers.save_card": Route(CONSULTANT_MANAGER, args=customer, scope=OWNER),
    "customers.add_visit": Route(CONSULTANT_MANAGER, args=customer, scope=OWNER),
    "customers.add_follow_up": Route(CONSULTANT_MANAGER, args=customer, scope=OWNER),
    "customers.change_grade": Route(CONSULTANT_MANAGER, args=customer, scope=OWNER),
    "customers.reveal": Route(OFFICE, args=lambda w: {"customer_id": w["customer"],
                                                      "field": "phone"}),
    "customers.settle": Route(MANAGER, args=customer),
    "customers.anonymise": Route(MANAGER, args=customer),
    "customers.today": Route(CONSULTANT),
    "customers.ownership_page": Route(MANAGER),
    "customers.assign_pool": Route(MANAGER),
    "customers.reassign": Route(MANAGER),
    "customers.release_expired": Route(MANAGER),
    "customers.recycle": Route(MANAGER),
    "customers.acknowledge_downgrade": Route(MANAGER, args=lambda w: {"change_id": w["downgrade"]}),
    "customers.reject_downgrade": Route(MANAGER, args=lambda w: {"change_id": w["downgrade"]}),
    "customers.options": Route(MANAGER),
    "customers.follow_up_review": Route(MANAGER),
    "customers.mark_ineffective": Route(MANAGER,
                                        args=lambda w: {"follow_up_id": w["follow_up"]}),
    "customers.retention_page": Route(MANAGER),
    "customers.anonymise_retention": Route(MANAGER),
    "customers.record_consent": Route(CONSULTANT_MANAGER, args=customer, scope=OWNER),
    "customers.link": Route(MANAGER, args=customer),
    "customers.access_log": Route(MANAGER_ADMIN),
    "customers.export": Route(OFFICE),  # data.export and customers.view
    "customers.export_full": Route(MANAGER),  # data.export_full: full numbers, a reason
    "visits.log": Route(SALES),
    "visits.record": Route(SALES),
    "visits.statistics": Route(OFFICE),
    "visits.statistics_export": Route(OFFICE),
    "visits.log_export": Route(OFFICE),
    "visits.analysis": Route(OFFICE),
    "visits.weekly": Route(OFFICE),
    "channels.reports": Route(SALES),
    "channels.create_report": Route(SALES),
    "channels.companies": Route(OFFICE),
    "channels.add_company": Route(OFFICE),
    "channels.add_agent": Route(OFFICE, args=lambda w: {"company_id": w["channel_company"]}),
    "channels.toggle_company": Route(OFFICE, args=lambda w: {"company_id": w["channel_company"]}),
    "channels.confirm": Route(OFFICE, args=lambda w: {"report_id": w["channel_report"]}),
    "channels.confirmation_pdf": Route(OFFICE, args=lambda w: {"report_id": w["channel_report"]}),
    "rotation.desk": Route(SALES),
    "rotation.walk_in": Route(OFFICE),
    "rotation.lookup": Route(OFFICE),
    "rotation.toggle_away": Route(OFFICE, args=lambda w: {"user_id": w["consultant"]}),
    "rotation.toggle_busy": Route(OFFICE, args=lambda w: {"user_id": w["consultant"]}),
    "rotation.start_day": Route(OFFICE),
    "rotation.order": Route(MANAGER),
    "rotation.log": Route(SALES),
}
