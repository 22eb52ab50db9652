from tests.route_table import PUBLIC, SHARED, Route

ALL = frozenset({"consultant", "secretary", "finance", "manager", "admin"})
OFFICE = frozenset({"secretary", "manager"})
EXPORT = frozenset({"secretary", "finance", "manager", "admin"})
PRINT = frozenset({"secretary", "finance", "manager"})


def add_to_world(world):
    """A lottery launch in selection with two registrations by the matrix secretary (one
    confirmed, one pending), the first called."""
    from app.extensions import db
    from app.models import Customer, Project, ReceiptBook, User
    from app.services.deals.common import new_form_key
    from app.services.launch import launches, lottery, registrations, selection

    project = db.session.get(Project, world["project"])
    secretary, finance = (db.session.get(User, world[r]) for r in ("secretary", "finance"))
    db.session.add(ReceiptBook(project_id=project.id, first_no=501, last_no=600, holder="开盘",
                               registered_by_id=finance.id))
    launch = launches.create(project, name="矩阵开盘", mode="lottery", amount_text="50000",
                             window_minutes=3, miss_penalty=2, actor=secretary)
    entries = []
    for n in (1, 2):
        buyer = Customer(project_id=project.id, name=f"认筹客户{n}", phone=f"1390000000{n}",
                         owner_id=world["consultant"])
        db.session.add(buyer)
        db.session.flush()
        entry, _ = registrations.register(
            launch, customer_id=buyer.id, amount_text="50000", method="cash",
            receipt_no=str(500 + n), layouts=[], consultant_id=None, form_key=new_form_key(),
            actor=secretary)
        entries.append(entry)
    registrations.confirm(entries[0], finance)
    lottery.commit(launch, secretary)
    lottery.draw(launch, secretary)
    selection.start(launch, secretary)
    selection.call_next(launch, secretary)
    db.session.commit()
    world.update(launch=launch.id, launch_token=launch.public_token,
                 launch_entry=entries[0].id, launch_pending=entries[1].id)


def launch(w):
    return {"launch_id": w["launch"]}


ROUTES = {
    "launch.index": Route(ALL),
    "launch.create": Route(OFFICE),
    "launch.console": Route(OFFICE, args=launch),
    "launch.console_poll": Route(OFFICE, args=launch),
    "launch.act": Route(OFFICE, args=lambda w: {"launch_id": w["launch"], "action": "pause"}),
    "launch.miss": Route(OFFICE, args=lambda w: {"entry_id": w["launch_entry"]}),
    "launch.pick": Route(OFFICE, args=lambda w: {"entry_id": w["launch_entry"]}),
    "launch.release": Route(frozenset({"manager"}), args=launch),
    "launch.registrations_list": Route(ALL, args=launch, scope=SHARED),  # the office's queue
    "launch.register": Route(frozenset({"consultant", "secretary"}), args=launch, scope=SHARED),
    "launch.export": Route(EXPORT, args=launch),
    "launch.registration_pdf": Route(PRINT, args=lambda w: {"entry_id": w["launch_entry"]}),
    "launch.decide": Route(frozenset({"finance"}), args=lambda w: {
        "entry_id": w["launch_pending"], "decision": "reject"}),
    "launch.lottery_page": Route(PUBLIC, args=lambda w: {"token": w["launch_token"]}),
    "launch.hall": Route(PUBLIC, args=lambda w: {"token": w["display_token"]}),
    "launch.hall_poll": Route(PUBLIC, args=lambda w: {"token": w["display_token"]}),
}
