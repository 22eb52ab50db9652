"""gunicorn target for tests/deals/test_worker_faults.py: the app with one injected fault.

FAULT=deposit_before_commit pauses inside the deposit's transaction (rows written, not
committed); deposit_after_commit pauses after the commit, before the response is sent — once:
the worker writes its pid to FAULT_MARKER and sleeps until the test kills it.
FAULT=slow_pdf makes every PDF render take a minute, for PDF_TIMEOUT_SECONDS to cut short.
"""
import os
import time
from pathlib import Path


def make_app():
    from flask import request
    from weasyprint import HTML

    from app import create_app
    from app.services.deals import deposits

    app = create_app()
    fault = os.environ["FAULT"]
    marker = Path(os.environ.get("FAULT_MARKER", "/nonexistent"))

    def pause():
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(60)

    record = deposits.record

    def record_then_pause(*args, **kwargs):
        result = record(*args, **kwargs)
        if fault == "deposit_before_commit":
            pause()
        return result

    deposits.record = record_then_pause

    @app.after_request
    def pause_after_commit(response):
        if (fault == "deposit_after_commit" and request.endpoint == "deals.new_deposit"
                and response.status_code == 302):
            pause()
        return response

    if fault == "slow_pdf":
        HTML.write_pdf = lambda self, *args, **kwargs: time.sleep(60)
    return app
