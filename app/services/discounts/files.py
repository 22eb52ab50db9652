"""Attachments: photos of the signed paper form or of the written approval.

The bytes must really be a JPEG, PNG or WebP image (decoded with Pillow, whatever the file
name or browser says), within a size limit. They are stored unchanged (evidence) under
the instance folder with a random name, and served only through an authorised view.
"""
import hashlib
import os
import secrets
from io import BytesIO
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from app.extensions import db
from app.models import DiscountAttachment, DiscountStatus
from app.policy import can
from app.services.clock import now
from app.services.discounts.decisions import mark_confirmed
from app.services.discounts.events import log_event
from app.services.errors import NotAllowed, RuleViolation

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
           "WEBP": ("webp", "image/webp")}
KINDS = {"form": "签字申请单照片", "written": "书面审批照片"}
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; more is a decompression bomb, not a form
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


def max_bytes():
    return int(current_app.config.get("DISCOUNT_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def storage_dir():
    return Path(current_app.config["UPLOAD_DIR"]) / "discounts"


def path_of(attachment):
    path = (storage_dir() / attachment.stored_name).resolve()
    if not path.is_relative_to(storage_dir().resolve()):
        raise NotAllowed("bad attachment path")
    return path


def check_image(data, field="attachment"):
    """(format, width, height) of a real image in an accepted format, else RuleViolation."""
    if not data:
        raise RuleViolation("请选择要上传的照片", field)
    if len(data) > max_bytes():
        raise RuleViolation(f"照片不能超过 {max_bytes() // (1024 * 1024) or 1} MB", field)
    try:
        with Image.open(BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
            if fmt not in FORMATS:
                raise RuleViolation("只接受 JPG、PNG 或 WebP 格式的照片", field)
            if width * height > MAX_PIXELS:
                raise RuleViolation("照片像素过大,请压缩后上传", field)
            image.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()  # verify() does not decode: a truncated photo fails here
    except RuleViolation:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise RuleViolation("文件不是有效的图片(可能已损坏),请重新拍照上传", field) from None
    return fmt, width, height


def read_upload(file_storage):
    """At most max_bytes()+1 bytes: enough to refuse an oversized file without reading it all."""
    if file_storage is None or not getattr(file_storage, "filename", ""):
        return b"", ""
    return file_storage.stream.read(max_bytes() + 1), os.path.basename(file_storage.filename)


def _store(data, extension):
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    tmp = directory / f".{name}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, directory / name)
    return name


def can_attach(request, actor, kind):
    if kind == "written":
        return request.awaiting_confirmation and (
            can(actor, "discount.verbal") or actor.id == request.decided_by_id)
    return request.status != DiscountStatus.WITHDRAWN and (
        actor.id == request.requested_by_id or can(actor, "discount.queue"))


def add_attachment(request, file_storage, kind, actor, at=None):
    """Check and store one photo; a written approval also confirms a verbal approval."""
    at = at or now()
    if kind not in KINDS:
        raise RuleViolation("请选择附件类型", "kind")
    if kind == "written" and not request.awaiting_confirmation:
        raise RuleViolation("该申请没有待补书面审批的口头批准", "kind")
    if not can_attach(request, actor, kind):
        raise NotAllowed("不能为此申请上传附件")
    data, original = read_upload(file_storage)
    fmt, width, height = check_image(data)
    extension, content_type = FORMATS[fmt]
    attachment = DiscountAttachment(
        request_id=request.id, kind=kind, original_name=(original or f"photo.{extension}")[:200],
        stored_name=_store(data, extension), content_type=content_type, size=len(data),
        width=width, height=height, sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id, uploaded_at=at)
    db.session.add(attachment)
    db.session.flush()
    detail = f"{KINDS[kind]} {attachment.original_name}"
    if kind == "written":
        mark_confirmed(request, actor, "written", detail, at)
    else:
        log_event(request, "attachment", actor, detail=detail, at=at)
    return attachment
