"""Hostile uploads: a few KB that expand to minutes and gigabytes are refused in under a
second, in Chinese, and no upload is parsed inside a write transaction."""
import functools
import sqlite3
import time
import tracemalloc

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Unit, UnitImport
from app.services.board import unit_sheet
from tests.fixtures import bombs
from tests.fixtures.board import make_project, upload, xlsx_bytes

BOMBS = {  # name: (build, what the refusal says)
    "merged_whole_sheet": (bombs.merged_whole_sheet, "合并单元格共超过 200,000 格"),
    "many_merges": (bombs.many_merges, "合并单元格超过 10,000 个"),
    "far_cell": (bombs.far_cell, "超过 50,000 行"),
    "wide_row": (bombs.wide_row, "有一行超过 2,000 个单元格"),
    "many_cells": (functools.partial(bombs.many_cells, rows=3_100), "单元格超过 600,000 个"),
    "empty_rows": (bombs.empty_rows, "行超过 100,000 个"),
    "shared_strings": (bombs.shared_strings, "文字超过 300,000 个"),
}


@functools.cache
def built(name):
    return BOMBS[name][0]()


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_workbook_is_refused_in_under_a_second_in_chinese(app, login_as, name):
    make_project(app, buildings=())
    browser = login_as("secretary")
    data = built(name)
    started = time.perf_counter()
    response = upload(browser, data)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    upload(browser, data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"bomb {name}: {len(data) / 1024:.0f} KB, refused in {elapsed:.2f} s, "
          f"peak {peak / 2**20:.1f} MiB")
    assert response.status_code == 422
    assert BOMBS[name][1] in response.text and "已拒绝导入" in response.text
    assert elapsed < 1 and peak < 64 * 2**20
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UnitImport)) == 0
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_an_upload_is_parsed_with_no_transaction_open(app, login_as, monkeypatch):
    """On SQLite a write transaction holds the write lock: holds and logins would wait."""
    make_project(app, buildings=())
    seen = []
    real = unit_sheet.read_workbook

    def watching(data):
        seen.append(db.session().in_transaction())
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("sqlite"):  # another writer gets the lock at once
            other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0,
                                    isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            other.close()
        return real(data)

    monkeypatch.setattr(unit_sheet, "read_workbook", watching)
    response = upload(login_as("secretary"), xlsx_bytes(bombs.HEADER), htmx=True)
    assert response.status_code == 200 and "新增 1 套" in response.text
    assert seen == [False]
