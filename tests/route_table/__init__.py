"""Expected access for every route, one module per area; test_route_matrix walks them.

A route missing here fails the matrix: add it to its area's module with the roles that
may use it. `args` builds the URL arguments from the matrix's world (see test_route_matrix).
"""
from dataclasses import dataclass, field
from typing import Callable

PUBLIC = "public"


@dataclass(frozen=True)
class Route:
    roles: object  # frozenset of roles, or PUBLIC
    args: Callable = field(default=lambda world: {})
    ok: int = 200  # what an allowed role gets on GET
    ends_session: bool = False  # an allowed POST logs the user out


def collect():
    from tests.route_table import board, customers, deals, discounts, foundation, reports
    table = {}
    for module in (foundation, board, customers, discounts, deals, reports):
        overlap = table.keys() & module.ROUTES.keys()
        assert not overlap, f"routes listed twice: {overlap}"
        table.update(module.ROUTES)
    return table
