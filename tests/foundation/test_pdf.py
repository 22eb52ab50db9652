"""PDFs show Chinese, and the renderer fetches only the app's own static files."""
import io
import secrets
import signal
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.pdf import PdfTimeout, StaticOnlyFetcher, html_to_pdf

DOC = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="css/print.css"></head><body>
<h1>认购书</h1><p>房号 1栋1801 总价 ¥2,594,513.00 大写 贰佰伍拾玖万肆仟伍佰壹拾叁元整</p>
{extra}</body></html>"""


def _text(pdf_bytes):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)


def test_chinese_text_is_in_the_pdf_and_reads_back(app):
    with app.app_context():
        pdf = html_to_pdf(DOC.format(extra=""))
    assert pdf.startswith(b"%PDF")
    text = _text(pdf).replace(" ", "")
    assert "认购书" in text and "贰佰伍拾玖万肆仟伍佰壹拾叁元整" in text and "1栋1801" in text


def test_a_cjk_font_is_installed_and_embedded(app):
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    assert out.stdout.strip(), "no CJK font: run `make` (installs fonts-noto-cjk)"
    with app.app_context():
        pdf = html_to_pdf(DOC.format(extra=""))
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in name for name in fonts), fonts


def test_fetcher_refuses_local_files_and_outside_urls(app):
    fetcher = StaticOnlyFetcher(app.static_folder)
    for url in ("file:///etc/passwd", "http://127.0.0.1:5432/", "https://example.com/a.css",
                Path(app.static_folder).joinpath("../config.py").resolve().as_uri(),
                "file://evil.example/share/x.css"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    ok = fetcher.fetch(Path(app.static_folder, "css/print.css").as_uri())
    assert b"Noto Sans CJK" in ok.read()
    ok.close()


def test_a_hostile_template_fetches_nothing(app):
    fetched = []

    class Spy(StaticOnlyFetcher):
        def fetch(self, url, headers=None):
            response = super().fetch(url, headers)
            fetched.append(url)
            return response

    extra = ('<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.com/x.css">'
             '<iframe src="file:///etc/shadow"></iframe>')
    import app.pdf as pdf_module
    original = pdf_module.StaticOnlyFetcher
    pdf_module.StaticOnlyFetcher = Spy
    try:
        with app.app_context():
            pdf = html_to_pdf(DOC.format(extra=extra))
    finally:
        pdf_module.StaticOnlyFetcher = original
    assert all(url.endswith("/static/css/print.css") for url in fetched), fetched
    assert "root:" not in _text(pdf)


def test_a_render_past_the_time_limit_is_abandoned_and_leaves_no_alarm(app, monkeypatch):
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda self: time.sleep(5))
    app.config["PDF_TIMEOUT_SECONDS"] = 0.3
    began = time.monotonic()
    with app.app_context(), pytest.raises(PdfTimeout):
        html_to_pdf(DOC.format(extra="<p>永远画不完</p>"))  # not a document kept earlier
    assert time.monotonic() - began < 2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)


def test_the_same_document_printed_again_is_not_rendered_again(app, monkeypatch):
    """A second copy of the same HTML comes from the worker's kept PDFs, byte for byte; a
    different document is rendered."""
    from app import pdf as pdf_module
    renders = []
    real = pdf_module._render
    monkeypatch.setattr(pdf_module, "_render", lambda html: renders.append(html) or real(html))
    with app.app_context():
        copy = f"<p>副本 {secrets.token_hex(4)}</p>"  # printed for the first time
        first = html_to_pdf(DOC.format(extra=copy))
        again = html_to_pdf(DOC.format(extra=copy))
        other = html_to_pdf(DOC.format(extra=copy + "<p>第二份</p>"))
    assert again == first and other != first
    assert len(renders) == 2
