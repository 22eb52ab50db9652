"""Hall display links (销控大屏): created and revoked by a manager, read without a login."""
import secrets

from sqlalchemy import select

from app.extensions import db
from app.models import DisplayLink
from app.services import audit, clock
from app.services.errors import RuleViolation


def create_link(project, name, show_prices, rotate_seconds, actor):
    name = (name or "").strip()
    if not name:
        raise RuleViolation("请填写屏幕名称", "name")
    if not 5 <= rotate_seconds <= 300:
        raise RuleViolation("轮播间隔应在 5 到 300 秒之间", "rotate_seconds")
    link = DisplayLink(project_id=project.id, token=secrets.token_urlsafe(24), name=name[:64],
                       show_prices=bool(show_prices), rotate_seconds=rotate_seconds,
                       created_by_id=actor.id, created_at=clock.now())
    db.session.add(link)
    db.session.flush()
    audit.record("display_link_created", "display_link", link.id, project_id=project.id,
                 user=actor, after={"name": link.name, "show_prices": link.show_prices})
    return link


def revoke_link(link, actor):
    if link.revoked_at is not None:
        raise RuleViolation("该链接已撤销")
    link.revoked_at, link.revoked_by_id = clock.now(), actor.id
    audit.record("display_link_revoked", "display_link", link.id, project_id=link.project_id,
                 user=actor, before={"active": True}, after={"active": False})


def active_link(token):
    """The live link for a token, or None (unknown or revoked)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(DisplayLink).where(DisplayLink.token == token, DisplayLink.revoked_at.is_(None)))


def links_of(project_id):
    return db.session.scalars(select(DisplayLink).where(DisplayLink.project_id == project_id)
                              .order_by(DisplayLink.revoked_at.isnot(None),
                                        DisplayLink.id.desc())).all()
