"""Expected access for every route, one module per area; test_route_matrix walks them.

A route missing here fails the matrix: add it to its area's module with the roles that
may use it. `args` builds the URL arguments from the matrix's world (see test_route_matrix).
"""
from dataclasses import dataclass, field
from typing import Callable

PUBLIC = "public"
# Object scope of a route that takes an id and that consultants may use (test_object_access):
OWNER = "owner"  # the object is the consultant's own (customer, request): others get 403/404
SHARED = "shared"  # the object is the office's (a unit on the board): rules of state apply


@dataclass(frozen=True)
class Route:
    roles: object  # frozenset of roles, or PUBLIC
    args: Callable = field(default=lambda world: {})
    ok: int = 200  # what an allowed role gets on GET
    ends_session: bool = False  # an allowed POST logs the user out
    scope: str = None  # OWNER or SHARED, for routes with an id that consultants may use


def collect():
    from tests.route_table import (
        board,
        changes,
        commissions,
        customers,
        deals,
        discounts,
        foundation,
        launch,
        reports,
    )
    table = {}
    for module in (foundation, board, customers, discounts, deals, reports, changes, launch,
                   commissions):
        overlap = table.keys() & module.ROUTES.keys()
        assert not overlap, f"routes listed twice: {overlap}"
        table.update(module.ROUTES)
    return table
