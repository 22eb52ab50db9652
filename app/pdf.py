"""Print documents: a Jinja template rendered to PDF by WeasyPrint, with a CJK font.

The fetcher loads only the app's own static files and data: URIs, so a template (or
text a user typed into one) that points at file:///etc/passwd or an outside URL
fetches nothing.

A render is bounded in time (PDF_TIMEOUT_SECONDS): a document that takes longer is abandoned
and the user is told to retry, so one runaway render holds a worker seconds, not minutes.

A render costs about half a second of CPU (laying out and subsetting the CJK font), and the
same document is often printed again (a second copy, the customer's and finance's): each
worker keeps its last few PDFs by the digest of their HTML, which fixes every byte of them.
"""
import hashlib
import signal
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, make_response, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher


class StaticOnlyFetcher(URLFetcher):
    """Serve data: URIs and files under app/static; refuse everything else."""

    def __init__(self, static_dir):
        super().__init__(allowed_protocols={"file", "data"}, timeout=2)
        self.static_dir = Path(static_dir).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file" and not parts.netloc:
            path = Path(unquote(parts.path)).resolve()
            if path.is_relative_to(self.static_dir) and path.is_file():
                return super().fetch(url, headers)
        raise ValueError(f"refused to fetch {url!r}: only the app's static files")


class PdfTimeout(Exception):
    """A PDF took longer than PDF_TIMEOUT_SECONDS to render."""


@contextmanager
def time_limit(seconds):
    """Raise PdfTimeout in the block after `seconds` (a sync worker's main thread only).

    gunicorn's sync workers serve requests on their main thread, where SIGALRM can interrupt
    WeasyPrint; elsewhere (a threaded dev server) gunicorn's own worker timeout is the bound.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum, _frame):
        raise PdfTimeout(f"PDF render exceeded {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_pdf(template, **context):
    """Render `template` (under templates/pdf/) to PDF bytes."""
    return html_to_pdf(render_template(template, **context))


KEPT_DOCUMENTS = 16


def html_to_pdf(html):
    """PDF bytes from an HTML string whose relative URLs resolve under app/static."""
    kept = current_app.extensions.setdefault("pdf_documents", OrderedDict())
    key = hashlib.sha256(html.encode()).digest()
    if key in kept:
        kept.move_to_end(key)
        return kept[key]
    kept[key] = pdf = _render(html)
    while len(kept) > KEPT_DOCUMENTS:
        kept.popitem(last=False)
    return pdf


def _render(html):
    static_dir = Path(current_app.static_folder)
    document = HTML(string=html, base_url=static_dir.as_uri() + "/",
                    url_fetcher=StaticOnlyFetcher(static_dir))
    with time_limit(current_app.config["PDF_TIMEOUT_SECONDS"]):
        return document.write_pdf()


def printed(customer, document, template, **context):
    """Render a document with `customer`'s personal data: full phone and ID numbers only for
    viewers who may see them (`full` in the template), and one access-log row per print."""
    from flask_login import current_user

    from app.services.customers import privacy
    from app.web import commit
    full = customer is not None and privacy.sees_full(current_user, customer)
    pdf = render_pdf(template, full=full, **context)
    if customer is not None:
        commit(privacy.log_print, customer, document, user=current_user, full=full, fresh=True)
    return pdf


def pdf_response(pdf_bytes, filename, inline=True):
    response = make_response(pdf_bytes)
    response.headers["Content-Type"] = "application/pdf"
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response

