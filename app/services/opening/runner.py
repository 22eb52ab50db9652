"""Run an opening-data sheet: every line through its kind's service in a savepoint (errors
listed with their line), a preview that writes nothing, and an apply that writes all or
nothing with the audit log saying 期初导入."""
import json

from app.extensions import db
from app.models import UnitImport
from app.services import audit, clock
from app.services.board.unit_rows import MAX_ERRORS, ImportRejected
from app.services.errors import RuleViolation
from app.services.opening import customers, deals, users
from app.services.opening.sheets import read_rows, template

KINDS = {"customers": customers, "users": users, "deals": deals}


def template_for(kind):
    module = KINDS[kind]
    return template(module.TITLE, module.FIELDS, module.EXAMPLE, module.NOTES)


def prepare(kind, project, filename, data, actor):
    """Check an upload by running it and rolling it back; keep it for the preview."""
    module = KINDS[kind]
    rows = read_rows(data, module.FIELDS)
    if not rows:
        raise ImportRejected(["文件中没有数据(表头下面没有任何行)"])
    trial = db.session.begin_nested()
    try:
        preview = _run(module, project, rows, actor)
    finally:
        trial.rollback()
    record = UnitImport(project_id=project.id, kind=kind, filename=filename[:200],
                        row_count=len(rows), rows=json.dumps(rows, ensure_ascii=False),
                        created_by_id=actor.id, created_at=clock.now())
    db.session.add(record)
    db.session.flush()
    return record, preview


def apply(record, project, actor):
    """Apply a previewed sheet in the caller's transaction; returns its summary (with the
    generated passwords of a users sheet: shown once, never stored)."""
    if record.applied_at is not None:
        raise RuleViolation("该文件已经导入过了")
    module = KINDS[record.kind]
    with audit.reason_for_all("期初导入"):
        result = _run(module, project, [tuple(row) for row in json.loads(record.rows)], actor)
    record.applied_at, record.applied_by_id = clock.now(), actor.id
    counts = {k: v for k, v in result.items() if k != "lines"}
    record.result = json.dumps(counts, ensure_ascii=False)
    audit.record("opening_imported", "project", project.id, project_id=project.id, user=actor,
                 reason="期初导入", after={"kind": record.kind, "file": record.filename, **counts})
    return result


def _run(module, project, rows, actor):
    ctx = module.context(project)
    results, errors = [], []
    for line, values in rows:
        ctx["line"] = line  # a line that repeats an earlier one names it
        try:
            with db.session.begin_nested():
                results.append(module.apply_row(project, values, actor, ctx))
        except RuleViolation as exc:
            errors.append(f"第 {line} 行: {exc.message}")
    if errors:
        raise ImportRejected(errors[:MAX_ERRORS], len(errors))
    summary = module.summary(results, module.finish(project, actor))
    return {**summary, "lines": results}
