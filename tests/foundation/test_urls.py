"""The app keeps the paths it built (Anchang.url_for): a kept path is always the one
Flask would build."""
from flask import Flask, url_for


def _built(app, path="/", script_root="", **values):
    with app.test_request_context(path, base_url=f"http://localhost{script_root}/"):
        return url_for(**values)


def test_a_kept_path_is_the_one_flask_builds_for_the_same_values(app):
    plain = Flask("plain")
    for rule, endpoint in (("/board/units/<int:unit_id>/hold", "board.hold"),
                           ("/board/unit", "board.unit_panel")):
        plain.add_url_rule(rule, endpoint)
    cases = [
        {"endpoint": "board.hold", "unit_id": 7},
        {"endpoint": "board.unit_panel", "unit": 7},
        {"endpoint": "board.unit_panel", "unit": "7"},
        {"endpoint": "board.unit_panel", "unit": 7, "history": "all"},
        {"endpoint": "board.unit_panel", "history": "all", "unit": 7},  # order is kept
        {"endpoint": "board.unit_panel", "unit": True},  # 1 == True, but not the same path
        {"endpoint": "board.unit_panel", "unit": 1},
        {"endpoint": "board.unit_panel", "unit": None},
        {"endpoint": "board.unit_panel", "unit": [1, 2]},  # unhashable: built each time
    ]
    for _ in range(2):  # the second time from what was kept
        for values in cases:
            assert _built(app, **values) == _built(plain, **values), values
    assert _built(app, endpoint="board.unit_panel", unit=True) == "/board/unit?unit=True"


def test_a_path_under_another_script_root_or_external_is_not_taken_from_another(app):
    assert _built(app, endpoint="board.hold", unit_id=3) == "/board/units/3/hold"
    assert (_built(app, script_root="/anchang", endpoint="board.hold", unit_id=3)
            == "/anchang/board/units/3/hold")
    assert _built(app, endpoint="board.hold", unit_id=3, _external=True) == (
        "http://localhost/board/units/3/hold")
    assert _built(app, endpoint="board.hold", unit_id=3, _anchor="x") == "/board/units/3/hold#x"


def test_the_kept_paths_are_bounded(app, monkeypatch):
    monkeypatch.setattr(type(app), "URLS_KEPT", 5)
    for unit in range(12):
        assert _built(app, endpoint="board.hold", unit_id=unit) == f"/board/units/{unit}/hold"
    assert len(app._urls) <= 5
