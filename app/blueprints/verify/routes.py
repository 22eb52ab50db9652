from app.blueprints.verify import bp
from app.services import verification
from app.web import render_page

STATUS = {"valid": 200, "void": 200, "mismatch": 409, "forged": 404}


@bp.route("/<token>")
def document(token):
    """Public: anyone holding the paper may check it (shows no personal data)."""
    outcome, doc = verification.check(token)
    return render_page("verify/document.html", status=STATUS[outcome], outcome=outcome, doc=doc)
