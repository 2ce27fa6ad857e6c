"""The year-end appraisal opened with its months (年度考核依据): the zone's twelve monthly
results as they stood then, recorded in its own history, shown in its document, its pages
and the year's archive."""

import io
import json
import re
from typing import Any

import openpyxl
import pytest

from tests.e2e.pages import Pages
from tests.e2e.support import (
    MORE_USERS,
    act_ok,
    add_users,
    advance,
    events,
    finalise,
    publish,
    republish,
)
from tests.helpers import Api

NONE = dict.fromkeys(f"2026-{m:02d}" for m in range(1, 13))
# Each item's average of the three published months' group reviews (95, 65 and 85.5: see
# support.marks), to one decimal: 3.5 = (10 + 0 + 0.5) / 3, 8.3 = (10 + 5 + 10) / 3.
OFFERED = {"thought": 3.5, "study": 10, "talks": 8.3, "order": 20, "policy": 10, "duty": 20,
           "skills": 10}


def a_year_of_z1(api: Api) -> dict[str, dict[str, Any]]:
    """Z1's months: January excellent and final, February unqualified, March reopened and
    approved again (80, then 85.5), April opened and not published, May reopened and not
    approved again; the others never opened. The published months' documents, by period."""
    january = publish(api, "Z1", "95", period="2026-01")
    finalise(api, january)
    february = publish(api, "Z1", "65", period="2026-02")
    march = republish(api, publish(api, "Z1", "80", period="2026-03"), "85.5")
    advance(api, api.open("Z1", "2026-04"), "group_review")
    may = publish(api, "Z1", "88.4", period="2026-05")
    act_ok(api, "secretary", may, "reopen", {"reason": "复核"})
    return {"2026-01": {**january, "version": january["version"] + 1},  # its Finalised
            "2026-02": february, "2026-03": march}


def months_of(docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The evidence the year-end must hold of Z1's year."""
    results = {**NONE, **{period: {"score": doc["score"], "grade": doc["grade"],
                                   "final": period == "2026-01", "version": doc["version"]}
                          for period, doc in docs.items()}}
    return {"results": results, "average": 81.83,  # (95 + 65 + 85.5) / 3 = 81.8333…
            "excellent": 1, "unqualified": 1, "offered": OFFERED}


def test_the_year_end_records_its_months_as_they_stand_with_its_opening(api: Api) -> None:
    docs = a_year_of_z1(api)
    assert [d["score"] for d in docs.values()] == [95, 65, 85.5]
    year_end = api.open("Z1", "2026")
    assert year_end["months"] == months_of(docs)
    assert (year_end["version"], year_end["state"]) == (2, "self_check")
    history = events(api, year_end)
    assert [e["type"] for e in history] == ["opened", "months_summarised"]
    opened, summarised = history
    assert summarised["data"] == year_end["months"]
    assert (summarised["actor"], summarised["role"], summarised["state"]) == (
        opened["actor"], opened["role"], "self_check")
    assert summarised["at"] > opened["at"]
    # As they stood: April published later changes nothing recorded.
    april = api.get("secretary", "/appraisals", params={"period": "2026-04"}).json()["items"][0]
    advance(api, april, "published")
    assert api.get("m1", f"/appraisals/{year_end['id']}").json()["months"] == months_of(docs)
    # The document as it stood at its opening has no months yet; after, the same ones.
    first = api.get("inspector", f"/appraisals/{year_end['id']}", params={"version": 1})
    assert "months" not in first.json()
    listed = api.get("inspector", "/appraisals", params={"zone_id": "Z1"}).json()["items"]
    assert [d.get("months") for d in listed if d["period"] == "2026"] == [months_of(docs)]
    assert all("months" not in d for d in listed if d["period"] != "2026")


def test_a_branchs_year_end_opens_each_zone_with_its_own_months(api: Api,
                                                                 settings: Any) -> None:
    add_users(api, settings, MORE_USERS)
    z2 = publish(api, "Z2", "90", period="2026-12")
    response = api.post("secretary", "/periods/2026/appraisals", json={"branch_id": "B1"})
    assert response.json() == {"opened": 3, "already_open": 0}
    year = {d["zone_id"]: d for d in
            api.get("inspector", "/appraisals", params={"period": "2026"}).json()["items"]}
    assert set(year) == {"Z1", "Z2", "Z3"}
    nothing = {"results": NONE, "average": None, "excellent": 0, "unqualified": 0,
               "offered": None}
    assert year["Z1"]["months"] == year["Z3"]["months"] == nothing
    assert year["Z2"]["months"] == {
        "results": {**NONE, "2026-12": {"score": 90, "grade": "excellent", "final": False,
                                        "version": z2["version"]}},
        "average": 90, "excellent": 1, "unqualified": 0,
        "offered": z2["group_review"]["scores"]}


def test_months_scored_on_other_items_offer_no_starting_scores(api: Api) -> None:
    publish(api, "Z1", "91", period="2026-06")
    items = {"thought": 20, "study": 10, "talks": 10, "order": 20, "policy": 10, "duty": 20,
             "skills": 10}
    api.put("admin", "/forms/default", json={"items": items}).raise_for_status()
    year_end = api.open("Z1", "2026")
    assert year_end["template_version"] == 2
    assert year_end["months"]["average"] == 91
    assert year_end["months"]["offered"] is None


def test_the_year_end_forms_show_the_months_and_start_from_their_averages(api: Api) -> None:
    docs = a_year_of_z1(api)
    year_end = api.open("Z1", "2026")
    pages = Pages(api).as_user("m1")
    page = pages.get(f"/app/appraisals/{year_end['id']}").text
    section = page[page.index('id="months"'):page.index("</section>", page.index('id="months"'))]
    assert "各月考核结果（年度考核依据）" in section
    assert section.count("未公示") == 9
    march = docs["2026-03"]
    assert f'href="/app/appraisals/{march["id"]}?version={march["version"]}">85.5</a>' in section
    assert "<strong data-average>81.83</strong>" in section
    assert "<strong data-excellent>1</strong>" in section
    assert "<strong data-unqualified>1</strong>" in section
    form = page[page.index('action="/app/appraisals/'):]
    assert "各项已按各月党小组考核分的平均值预填" in form
    for code, value in OFFERED.items():
        assert re.search(rf'id="self-check-{code}" name="{code}"[^>]*value="{value}"', form)
    # Still editable: the member signs other scores, and the next form starts from those.
    signed = act_ok(api, "m1", year_end, "self-check",
                    {"scores": {**OFFERED, "thought": 12}, "comment": "年度自查"})
    evaluator = Pages(api).as_user("evaluator").get(f"/app/appraisals/{signed['id']}").text
    assert re.search(r'id="zone-evaluation-thought" name="thought"[^>]*value="12"', evaluator)
    assert "各项已按各月党小组考核分的平均值预填" not in evaluator
    assert "月均 3.5" in evaluator  # each item still names its monthly average
    api.client.cookies.set("appraisal_lang", "en")
    english = pages.as_user("m1").get(f"/app/appraisals/{year_end['id']}").text
    assert "Monthly results (the year-end&#39;s evidence)" in english


def test_the_history_page_shows_the_months_read(api: Api) -> None:
    a_year_of_z1(api)
    year_end = api.open("Z1", "2026")
    page = Pages(api).as_user("inspector").get(f"/app/appraisals/{year_end['id']}/history").text
    assert "汇总各月结果" in page
    assert "<strong data-average>81.83</strong>" in page


@pytest.fixture
def archived(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """Z1's year, its year-end published (92), and the archive's JSON."""
    docs = a_year_of_z1(api)
    year_end = advance(api, api.open("Z1", "2026"), "published")
    assert year_end["months"] == months_of(docs)
    body = json.loads(api.get("archivist", "/archives/2026").content)
    return year_end, body


def test_the_archive_keeps_the_months_with_the_year_end(
        api: Api, archived: tuple[dict[str, Any], dict[str, Any]]) -> None:
    year_end, body = archived
    kept = next(a for a in body["appraisals"] if a["period"] == "2026")
    assert kept["months"] == year_end["months"]
    assert [e["type"] for e in kept["history"][:2]] == ["opened", "months_summarised"]
    assert all("months" not in a for a in body["appraisals"] if a["period"] != "2026")
    sheet = openpyxl.load_workbook(io.BytesIO(
        api.get("archivist", "/archives/2026", params={"format": "xlsx",
                                                        "as_of": body["as_of"]}).content))
    rows = list(sheet["年度考核依据"].iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2
    assert (row["档案号"], row["责任区编号"], row["年度得分"]) == (year_end["id"], "Z1",
                                                               year_end["score"])
    assert [row[f"{m}月"] for m in range(1, 13)] == [95, 65, 85.5, *["未公示"] * 9]
    counts = (row["已公示月数"], row["月均分"], row["优秀月数"], row["不合格月数"])
    assert counts == (3, 81.83, 1, 1)
    assert row["已定稿月份"] == "1月"
    assert row["起评分·思想动态"] == 3.5
