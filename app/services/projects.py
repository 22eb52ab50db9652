"""Project settings (managed by admins)."""
from app.services import audit
from app.services.errors import RuleViolation
from app.services.money import parse_money

SETTINGS = ("name", "hold_minutes", "transfer_fee", "rounding", "approval_valid_days",
            "retention_months")


def update_settings(project, name, hold_minutes, transfer_fee, rounding, approval_valid_days,
                    retention_months=None):
    fee = parse_money(transfer_fee, field="transfer_fee")
    if rounding not in ("fen", "yuan", "ten_yuan"):
        raise RuleViolation("未知的取整规则", "rounding")
    before = {key: getattr(project, key) for key in SETTINGS}
    project.name = name.strip()
    project.hold_minutes = hold_minutes
    project.transfer_fee = fee
    project.rounding = rounding
    project.approval_valid_days = approval_valid_days
    if retention_months is not None:  # seed 004: how long cards without a deal are kept
        project.retention_months = retention_months
    after = {key: getattr(project, key) for key in SETTINGS}
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit.record("project_settings_changed", "project", project.id, project_id=project.id,
                     before={k: before[k] for k in changed}, after=changed)
