"""Reports: the sales report (page, PDF, xlsx) and consultant performance."""
from tests.route_table import Route

SALES = frozenset({"secretary", "finance", "manager", "admin"})

ROUTES = {
    "reports.sales": Route(SALES),
    "reports.sales_pdf": Route(SALES),
    "reports.sales_xlsx": Route(SALES),
    "reports.consultants": Route(frozenset({"manager", "admin"})),
}
