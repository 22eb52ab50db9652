"""Reports: the sales report (page, PDF, xlsx), consultant performance, the conversion funnel
and collections ageing (each with its xlsx)."""
from tests.route_table import Route

SALES = frozenset({"secretary", "finance", "manager", "admin"})

ROUTES = {
    "reports.sales": Route(SALES),
    "reports.sales_pdf": Route(SALES),
    "reports.sales_xlsx": Route(SALES),
    "reports.consultants": Route(frozenset({"manager", "admin"})),
    "reports.consultants_xlsx": Route(frozenset({"manager", "admin"})),
    "reports.funnel_page": Route(frozenset({"manager", "admin"})),
    "reports.funnel_xlsx": Route(frozenset({"manager", "admin"})),
    "reports.collections": Route(SALES),
    "reports.collections_xlsx": Route(SALES),
}
