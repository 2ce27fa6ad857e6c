"""The deadline pages: a secretary sets their branch's dates (an administrator every
branch's) and sees the dates in force with their source; the inbox marks what is due soon
and overdue; the overdue list (逾期清单) shows the API's rows and gives its spreadsheet."""

import re

import pytest

from tests.e2e.pages import Pages
from tests.e2e.support import on
from tests.e2e.test_deadlines import PERIOD
from tests.helpers import Api


@pytest.fixture
def pages(api: Api) -> Pages:
    return Pages(api)


def cell(html: str, scope: str) -> list[str]:
    """The dates and sources of one row of the table of dates in force."""
    row = re.search(rf'<tr data-scope="{re.escape(scope)}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {scope}"
    return re.findall(r'<time datetime="([\d-]+)">.*?class="source source-(\w+)"',
                      row.group(1), re.S)


def test_a_secretary_sets_their_branchs_dates_and_sees_them_in_force(pages: Pages) -> None:
    pages.as_user("secretary")
    shown = pages.get(f"/app/deadlines?period={PERIOD}")
    assert shown.status_code == 200
    assert "截止日期" in shown.text and 'data-scope="*"' not in shown.text  # not every branch
    assert cell(shown.text, "B1")[0] == ("2027-02-05", "default")
    assert 'data-scope="B2"' not in shown.text
    before = pages.recorded()
    refused = pages.post("/app/deadlines", {"period": PERIOD, "scope": "B1",
                                            "self_check": "2027-02-11"}, "/app/deadlines")
    assert refused.status_code == 422 and "后一环节的截止日期不能早于前一环节" in refused.text
    refused = pages.post("/app/deadlines", {"period": PERIOD, "scope": "B1",
                                            "self_check": "2027-2-1"}, "/app/deadlines")
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    assert pages.recorded() == before
    done = pages.post("/app/deadlines", {"period": PERIOD, "scope": "B1",
                                         "self_check": "2027-02-03", "group_review": ""},
                      "/app/deadlines")
    assert done.status_code == 303 and done.headers["location"].endswith("saved=1")
    shown = pages.get(done.headers["location"])
    assert "截止日期已保存" in shown.text
    assert cell(shown.text, "B1")[:2] == [("2027-02-03", "branch"), ("2027-02-08", "default")]
    assert pages.post("/app/deadlines", {"period": PERIOD, "scope": "B2",
                                         "self_check": "2027-02-03"}).status_code == 403
    assert pages.post("/app/deadlines", {"period": PERIOD, "scope": "",
                                         "self_check": "2027-02-03"}).status_code == 403
    assert pages.as_user("leader").get("/app/deadlines").status_code == 403


def test_an_administrator_sets_every_branchs_dates(pages: Pages) -> None:
    pages.as_user("admin")
    done = pages.post("/app/deadlines", {"period": PERIOD, "scope": "",
                                         "zone_evaluation": "2027-02-07"}, "/app/deadlines")
    assert done.status_code == 303
    shown = pages.get(done.headers["location"]).text
    assert cell(shown, "*")[1] == ("2027-02-07", "organisation")
    assert cell(shown, "B2")[1] == ("2027-02-07", "organisation")
    assert "全部支部" in shown


def test_the_inbox_marks_due_soon_and_overdue(pages: Pages) -> None:
    with on(pages.api, "2027-02-04"):
        pages.api.open("Z1", PERIOD)
        shown = pages.as_user("m1").get("/app/inbox").text
        assert 'datetime="2027-02-05"' in shown
        assert '<span class="badge deadline-due">即将到期</span>' in shown
    with on(pages.api, "2027-02-07"):
        shown = pages.as_user("m1").get("/app/inbox").text
        assert '<span class="badge deadline-overdue">逾期</span>' in shown


def test_the_overdue_page_lists_the_apis_rows_and_gives_its_sheet(pages: Pages) -> None:
    with on(pages.api, "2027-02-01"):
        for zone in ("Z1", "Z2", "Z4"):
            pages.api.open(zone, PERIOD)
    with on(pages.api, "2027-02-09"):
        shown = pages.as_user("secretary").get("/app/overdue")
        assert shown.status_code == 200
        assert re.findall(r'<tr data-zone="(\w+)">', shown.text) == ["Z1", "Z2"]  # B1's
        assert "张伟" in shown.text and "逾期清单" in shown.text
        everyone = pages.as_user("inspector").get(f"/app/overdue?period={PERIOD}").text
        assert re.findall(r'<tr data-zone="(\w+)">', everyone) == ["Z1", "Z2", "Z4"]
        only = pages.get("/app/overdue?branch_id=B2").text
        assert re.findall(r'<tr data-zone="(\w+)">', only) == ["Z4"]
        sheet = pages.get(f"/app/overdue.xlsx?period={PERIOD}")
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
        assert pages.get("/app/overdue?period=2027-13").status_code == 422
        assert pages.as_user("m1").get("/app/overdue").status_code == 403
        assert pages.as_user("secretary").get("/app/overdue?branch_id=B2").status_code == 403
