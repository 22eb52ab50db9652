"""Printed documents carry a QR code that opens a verification page.

The QR encodes a signed token naming the document and a fingerprint of its key fields
(amount, unit, number). The page reloads the document from the database: a forged token
fails the signature, and an altered paper document (or one since voided or reissued) no
longer matches the record. Areas register a loader per document kind.
"""
import hashlib
from dataclasses import dataclass, field

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "anchang-document-v1"
_LOADERS = {}


@dataclass
class VerifiedDocument:
    title: str  # e.g. 收据 No.0001234
    status: str  # Chinese status label: 有效 / 已作废 / 已退款 ...
    valid: bool  # whether the paper still stands for money or a right
    fields: list = field(default_factory=list)  # [(label, value)] shown on the page
    fingerprint: str = ""


def fingerprint(*parts):
    """A short digest of the fields a forger would change."""
    text = "|".join(str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def register(kind, loader):
    """loader(object_id) -> VerifiedDocument or None."""
    _LOADERS[kind] = loader


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(kind, object_id, print_fingerprint):
    return _serializer().dumps([kind, object_id, print_fingerprint])


def verify_url(kind, object_id, print_fingerprint):
    """The absolute URL printed as a QR code."""
    token = token_for(kind, object_id, print_fingerprint)
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("verify.document", token=token)
    return url_for("verify.document", token=token, _external=True)


def check(token):
    """(outcome, document): outcome is 'valid', 'mismatch', 'void' or 'forged'."""
    try:
        kind, object_id, printed = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return "forged", None
    loader = _LOADERS.get(kind)
    document = loader(object_id) if loader else None
    if document is None:
        return "forged", None
    if document.fingerprint != printed:
        return "mismatch", document
    return ("valid" if document.valid else "void"), document
