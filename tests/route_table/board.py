from tests.route_table import PUBLIC, SHARED, Route

ADMIN = frozenset({"admin"})

ALL = frozenset({"consultant", "secretary", "finance", "manager", "admin"})
MANAGER = frozenset({"manager"})
OFFICE = frozenset({"secretary", "manager"})
EXPORT = frozenset({"secretary", "finance", "manager", "admin"})


def unit(w):
    return {"unit_id": w["unit"]}


def held(w):
    return {"unit_id": w["held_unit"]}


ROUTES = {
    "board.index": Route(ALL),
    "board.poll": Route(ALL, args=lambda w: {"project": w["project"]}, scope=SHARED),
    "board.unit_panel": Route(ALL, args=lambda w: {"unit": w["unit"]}, scope=SHARED),
    "board.export": Route(EXPORT),
    "board.hold": Route(frozenset({"consultant", "manager"}), args=unit, scope=SHARED),
    "board.cancel_hold": Route(frozenset({"consultant", "manager"}), args=held, scope=SHARED),
    "board.extend_hold": Route(MANAGER, args=held),
    "board.withhold": Route(MANAGER, args=unit),
    "board.release": Route(MANAGER, args=unit),
    "board.withhold_block": Route(MANAGER, args=lambda w: {"building_id": w["building"]}),
    "board.release_block": Route(MANAGER, args=lambda w: {"building_id": w["building"]}),
    # the admin too: a new office's first day starts with the admin importing the 房源表
    "board.import_units": Route(OFFICE | ADMIN),
    "board.import_apply": Route(OFFICE | ADMIN, args=lambda w: {"import_id": w["unit_import"]}),
    "board.import_template": Route(OFFICE | ADMIN),
    "board.display_links": Route(MANAGER),
    "board.revoke_display": Route(MANAGER, args=lambda w: {"link_id": w["display_link"]}),
    "board.display": Route(PUBLIC, args=lambda w: {"token": w["display_token"]}),
    "board.display_poll": Route(PUBLIC, args=lambda w: {"token": w["display_token"]}),
}
