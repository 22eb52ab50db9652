"""Error pages in Chinese, never a traceback; htmx gets a short text for its toast."""
import logging

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.pdf import PdfTimeout
from app.services.duplicates import refusal

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求无效", "请求内容不完整或已过期,请刷新页面后重试。"),
    403: ("没有权限", "您的角色无权查看或操作此内容。"),
    404: ("页面不存在", "您要找的内容不存在或已被删除。"),
    405: ("操作方式不正确", "该地址不支持这种操作。"),
    413: ("文件过大", "上传的文件超过了大小限制。"),
    409: ("记录已存在", "该记录刚被他人提交,请刷新页面后查看。"),
    422: ("填写有误", "请按提示修改后重新提交。"),
    429: ("尝试次数过多", "登录失败次数过多,请 15 分钟后再试。"),
    500: ("系统错误", "系统出了点问题,已记录。请稍后重试或联系管理员。"),
    503: ("系统繁忙", "系统繁忙,请重试。"),
}
PDF_TIMEOUT = "文档生成超时,请缩小筛选范围或稍后重试。"
DISK_FULL = "存储空间已满,本次操作未保存。请联系管理员清理磁盘后重试。"


def error_response(code, detail=None):
    title, text = MESSAGES.get(code, MESSAGES[500])
    text = detail or text
    if request.headers.get("HX-Request") == "true":
        return f"{title}:{text}", code, {"Content-Type": "text/plain; charset=utf-8"}
    if code >= 500:
        # The database itself may be the problem: render without context processors,
        # which would load the user (and query it) again.
        page = current_app.jinja_env.get_template("errors/plain.html")
        return page.render(code=code, title=title, text=text), code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def _http_error(exc):
    return error_response(exc.code or 500)


def _csrf_error(exc):
    return error_response(400, "页面已过期或缺少安全令牌(CSRF),请刷新页面后重试。")


def _operational_error(exc):
    """Locks, lost connections and a full disk: the transaction is gone, nothing half-saved."""
    db.session.rollback()
    message = str(exc).lower()
    if "disk is full" in message or "no space left" in message:
        log.error("database storage full: %s", exc.orig)
        return error_response(503, DISK_FULL)
    if any(sign in message for sign in ("database is locked", "busy", "lock timeout")):
        return error_response(503)
    if getattr(exc, "connection_invalidated", False) or "terminating connection" in message:
        log.warning("database connection lost: %s", exc.orig)
        return error_response(503)
    log.exception("database error")
    return error_response(500)


def _integrity_error(exc):
    """A duplicate outside the usual view shape (app.web.transact): 409 in Chinese."""
    db.session.rollback()
    message = refusal(exc)
    if message is None:
        log.exception("integrity error")
        return error_response(500)
    return error_response(409, message)


def _pdf_timeout(exc):
    db.session.rollback()
    log.warning("%s: %s %s", exc, request.method, request.path)
    return error_response(503, PDF_TIMEOUT)


def _unhandled(exc):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    db.session.rollback()
    log.exception("unhandled error")
    return error_response(500)


def register(app):
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _operational_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(PdfTimeout, _pdf_timeout)
    app.register_error_handler(Exception, _unhandled)
