"""GET /rankings/{period} over HTTP: published results only, ties, filters, pages, rewards
as each publication recorded them, reopen, and the XLSX a branch posts and pays from."""

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl

from tests.e2e.support import (
    MORE_USERS,
    PERIOD,
    a_moment_passes,
    act_ok,
    add_users,
    assert_problem,
    finalise,
    four_published,
    instant,
    marks,
    publish,
    republish,
)
from tests.helpers import Api

NO_GRADES = {"excellent": 0, "qualified": 0, "basically_qualified": 0, "unqualified": 0}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ranking(api: Api, user: str = "m4", period: str = PERIOD, **query: Any) -> dict[str, Any]:
    response = api.get(user, f"/rankings/{period}", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def listed(body: dict[str, Any]) -> list[tuple[int, str, float, float]]:
    return [(e["rank"], e["zone_id"], e["score"], e["reward"]) for e in body["entries"]]


def test_published_results_rank_highest_first_ties_share_a_rank_and_list_by_zone(api, settings):
    four_published(api, settings)
    body = ranking(api)
    assert listed(body) == [(1, "Z1", 95, 200), (2, "Z2", 90, 200), (2, "Z3", 90, 200),
                            (4, "Z4", 80, 0)]
    z3 = api.get("secretary", "/appraisals", params={"zone_id": "Z3"}).json()["items"][0]
    assert body["entries"][2] == {
        "rank": 2, "appraisal_id": z3["id"], "zone_id": "Z3", "zone_name": "机电队",
        "branch_id": "B1", "group_id": "G2", "line": "机电运输线",
        "responsible_member_ids": ["M3"], "score": 90, "grade": "excellent", "reward": 200,
        "final": False}
    assert body["distribution"] == {**NO_GRADES, "excellent": 3, "qualified": 1}
    assert (body["period"], body["unpublished"]) == (PERIOD, 0)
    # Filters narrow what is ranked: ranks count within them.
    assert listed(ranking(api, branch_id="B2")) == [(1, "Z4", 80, 0)]
    assert listed(ranking(api, branch_id="B1", group_id="G2")) == [(1, "Z3", 90, 200)]
    assert listed(ranking(api, line="开掘线")) == [(1, "Z2", 90, 200)]
    assert ranking(api, branch_id="B1")["distribution"] == {**NO_GRADES, "excellent": 3}
    # Pages keep the ranks of the whole scope, whether a page starts in a tie or after one.
    for offset, limit, expected in ((0, 2, ["Z1", "Z2"]), (2, 1, ["Z3"]), (2, 5, ["Z3", "Z4"]),
                                    (3, 1, ["Z4"]), (1, 2, ["Z2", "Z3"]), (4, 2, [])):
        page = ranking(api, offset=offset, limit=limit)
        assert [(e["rank"], e["zone_id"]) for e in page["entries"]] == \
            [(r, z) for r, z, _, _ in listed(body) if z in expected]
        assert (page["distribution"], page["unpublished"]) == (body["distribution"], 0)


def test_only_published_results_are_ranked_and_the_rest_count_as_unpublished(api):
    publish(api, "Z1", "93.5")
    api.open("Z2")
    api.open("Z4")
    api.open("Z1", "2026-11")  # another period
    body = ranking(api)
    assert listed(body) == [(1, "Z1", 93.5, 200)]
    assert body["unpublished"] == 2
    assert ranking(api, branch_id="B2") == {"period": PERIOD, "entries": [],
                                            "distribution": NO_GRADES, "unpublished": 1,
                                            "cancelled": 0}
    assert ranking(api, period="2026-12") == {"period": "2026-12", "entries": [],
                                              "distribution": NO_GRADES, "unpublished": 0,
                                              "cancelled": 0}


def test_a_reward_is_the_policy_at_publication_and_a_reopened_result_leaves_the_ranking(api):
    z1 = publish(api, "Z1", "95")
    policy = {"excellent": 300, "qualified": 50.5, "basically_qualified": 0, "unqualified": -80}
    assert api.put("secretary", "/branches/B1/reward-policy", json=policy).status_code == 200
    publish(api, "Z2", "85")
    # The change did not rewrite Z1's reward; Z2 was published under the new policy.
    assert listed(ranking(api)) == [(1, "Z1", 95, 200), (2, "Z2", 85, 50.5)]
    z1 = act_ok(api, "secretary", z1, "reopen", {"reason": "复核"})
    body = ranking(api)
    assert (listed(body), body["unpublished"]) == ([(1, "Z2", 85, 50.5)], 1)
    assert body["distribution"] == {**NO_GRADES, "qualified": 1}
    doc = act_ok(api, "leader", z1, "group-review", {"scores": marks("96"), "comment": "复核"})
    act_ok(api, "secretary", doc, "branch-approval", {"comment": "同意"})
    assert listed(ranking(api)) == [(1, "Z1", 96, 300), (2, "Z2", 85, 50.5)]
    assert listed(ranking(api, group_id="G1")) == [(1, "Z1", 96, 300), (2, "Z2", 85, 50.5)]


def test_republished_with_a_lower_grade_takes_that_grade_and_its_reward(api):
    doc = publish(api, "Z1", "95")
    republish(api, doc, "65")
    body = ranking(api)
    assert listed(body) == [(1, "Z1", 65, -100)]
    assert body["distribution"] == {**NO_GRADES, "unqualified": 1}


def test_a_finalised_result_is_final_until_it_is_reopened(api):
    z1, z2 = publish(api, "Z1", "95"), publish(api, "Z2", "85")
    finalise(api, z1)
    assert finality(ranking(api)) == {"Z1": True, "Z2": False}
    z1 = act_ok(api, "secretary", z1, "reopen", {"reason": "异议成立"})
    z1 = act_ok(api, "leader", z1, "group-review", {"scores": marks("91"), "comment": "复核"})
    z1 = act_ok(api, "secretary", z1, "branch-approval", {"comment": "同意"})
    assert finality(ranking(api)) == {"Z1": False, "Z2": False}  # posted again, not yet final
    finalise(api, z1, posting="x-p2")
    finalise(api, z2)
    assert finality(ranking(api)) == {"Z1": True, "Z2": True}


def finality(body: dict[str, Any]) -> dict[str, bool]:
    return {e["zone_id"]: e["final"] for e in body["entries"]}


def test_any_signed_in_user_reads_rankings_and_nobody_else(api):
    publish(api, "Z1", "93.5")
    for user in ("m4", "secretary2", "inspector2", "archivist", "admin"):
        assert listed(ranking(api, user)) == [(1, "Z1", 93.5, 200)]
    assert_problem(api.client.get(f"/rankings/{PERIOD}"), 401)


def test_an_invalid_period_or_filter_or_page_is_422(api):
    for period in ("2026-13", "2026-00", "26-10", "2026-1", "octobre"):
        assert_problem(api.get("m1", f"/rankings/{period}"), 422)
    for query in ({"limit": -1}, {"offset": -1}, {"format": "pdf"}, {"branch_id": "B 1"}):
        assert_problem(api.get("m1", f"/rankings/{PERIOD}", params=query), 422)


def test_the_xlsx_is_the_same_ranking_with_chinese_headers_names_and_a_ledger_of_final_results(
        api, settings):
    four_published(api, settings)
    api.put("secretary", "/branches/B1/reward-policy",
            json={"excellent": 200, "qualified": 0, "basically_qualified": 0,
                  "unqualified": -100.5})
    republish(api, appraisal_of(api, "Z2"), "60")
    for zone in ("Z1", "Z2", "Z4"):  # Z3's result is not final yet
        finalise(api, appraisal_of(api, zone))
    json_body = ranking(api)
    response = api.get("m1", f"/rankings/{PERIOD}", params={"format": "xlsx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert f'filename="ranking-{PERIOD}.xlsx"' in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "2026年10月" in rows[0][0]
    assert rows[1] == ["名次", "责任区", "支部", "党小组", "条线", "责任人", "得分", "等次",
                       "奖惩金额(元)", "定稿"]
    table = rows[2:2 + len(json_body["entries"])]
    assert [(r[0], r[6], r[8], r[9]) for r in table] == \
        [(e["rank"], e["score"], e["reward"], "是" if e["final"] else "否")
         for e in json_body["entries"]]
    assert table[0] == [1, "综采一队", "综采支部", "一组", "采煤线", "张伟", 95, "优秀", 200, "是"]
    assert [(r[1], r[7], r[9]) for r in table] == [
        ("综采一队", "优秀", "是"), ("机电队", "优秀", "否"), ("材料库", "合格", "是"),
        ("掘进二队", "不合格", "是")]
    # The ledger counts what can no longer change: Z3's 200 is not paid yet.
    ledger = {r[0]: r[1] for r in rows[2 + len(table):] if r and r[0]}
    assert ledger == {"奖惩汇总（仅计已定稿结果）": None, "奖励合计(元)": 200,
                      "处罚合计(元)": -100.5, "净额(元)": 99.5, "优秀(个)": 1, "合格(个)": 1,
                      "基本合格(个)": 0, "不合格(个)": 1, "未定稿(个)": 1, "未公示(个)": 0,
                      "已撤销(个)": 0}
    branch = api.get("m1", f"/rankings/{PERIOD}", params={"format": "xlsx", "branch_id": "B2"})
    title = openpyxl.load_workbook(io.BytesIO(branch.content)).active["A1"].value
    assert "地面支部" in title


def appraisal_of(api: Api, zone: str) -> dict[str, Any]:
    return api.get("archivist", "/appraisals",
                   params={"zone_id": zone, "period": PERIOD}).json()["items"][0]


def test_a_ranking_as_of_an_instant_is_the_one_that_was_current_then(api, settings):
    add_users(api, settings, MORE_USERS)
    z1 = publish(api, "Z1", "95")
    api.open("Z4")
    between = ranking(api), ranking(api, branch_id="B1"), ranking(api, limit=1, offset=1)
    then = a_moment_passes()  # between the first approval and the second
    policy = {"excellent": 300, "qualified": 50.5, "basically_qualified": 0, "unqualified": -80}
    assert api.put("secretary", "/branches/B1/reward-policy", json=policy).status_code == 200
    publish(api, "Z2", "85")
    publish(api, "Z3", "95")
    now = ranking(api)
    assert listed(now) == [(1, "Z1", 95, 200), (1, "Z3", 95, 300), (3, "Z2", 85, 50.5)]
    # As it stood then: what a read at that moment answered, naming the instant.
    old = ranking(api, as_of=then)
    assert old == {**between[0], "as_of": then} != {**now, "as_of": then}
    assert listed(old) == [(1, "Z1", 95, 200)] and old["unpublished"] == 1
    assert ranking(api, as_of=then, branch_id="B1") == {**between[1], "as_of": then}
    assert ranking(api, as_of=then, limit=1, offset=1) == {**between[2], "as_of": then}
    # And as of a moment after everything, the ranking now, filters and pages alike.
    later = a_moment_passes()
    for query in ({}, {"branch_id": "B1"}, {"group_id": "G1"}, {"line": "机电运输线"},
                  {"limit": 1, "offset": 1}, {"limit": 2, "offset": 0}):
        assert ranking(api, as_of=later, **query) == {**ranking(api, **query), "as_of": later}
    assert ranking(api, as_of=later)["entries"][0]["appraisal_id"] == z1["id"]


def test_a_result_reopened_then_is_out_of_the_ranking_then_and_back_with_its_new_reward(api):
    z1 = publish(api, "Z1", "95")
    published = a_moment_passes()
    z1 = act_ok(api, "secretary", z1, "reopen", {"reason": "复核"})
    reopened = a_moment_passes()
    policy = {"excellent": 300, "qualified": 50, "basically_qualified": 0, "unqualified": -80}
    assert api.put("secretary", "/branches/B1/reward-policy", json=policy).status_code == 200
    z1 = act_ok(api, "leader", z1, "group-review", {"scores": marks("88"), "comment": "复核"})
    act_ok(api, "secretary", z1, "branch-approval", {"comment": "同意"})
    republished = a_moment_passes()
    publish(api, "Z2", "91")  # under the new policy too, after all three
    assert listed(ranking(api, as_of=published)) == [(1, "Z1", 95, 200)]
    while_reopened = ranking(api, as_of=reopened)
    assert (while_reopened["entries"], while_reopened["unpublished"]) == ([], 1)
    assert while_reopened["distribution"] == NO_GRADES
    again = ranking(api, as_of=republished)
    assert listed(again) == [(1, "Z1", 88, 50)]
    assert (again["distribution"], again["unpublished"]) == ({**NO_GRADES, "qualified": 1}, 0)
    assert listed(ranking(api)) == [(1, "Z2", 91, 300), (2, "Z1", 88, 50)]


def test_finality_as_of_an_instant_is_what_it_was_then(api):
    z1, z2 = publish(api, "Z1", "95"), publish(api, "Z2", "85")
    posted = a_moment_passes()
    finalise(api, z1)
    finalised = a_moment_passes()
    z1 = act_ok(api, "secretary", z1, "reopen", {"reason": "异议成立"})
    z1 = act_ok(api, "leader", z1, "group-review", {"scores": marks("93"), "comment": "复核"})
    act_ok(api, "secretary", z1, "branch-approval", {"comment": "同意"})
    reposted = a_moment_passes()
    finalise(api, z2)
    assert finality(ranking(api, as_of=posted)) == {"Z1": False, "Z2": False}
    assert finality(ranking(api, as_of=finalised)) == {"Z1": True, "Z2": False}
    assert finality(ranking(api, as_of=reposted)) == {"Z1": False, "Z2": False}
    assert finality(ranking(api)) == {"Z1": False, "Z2": True}
    assert ranking(api, as_of=a_moment_passes())["entries"] == ranking(api)["entries"]


def test_the_same_as_of_gives_the_same_bytes_in_json_and_xlsx_whatever_happened_later(api):
    z1 = publish(api, "Z1", "95")
    publish(api, "Z2", "85", period="2026-11")
    then = a_moment_passes()
    first = {form: as_of_bytes(api, then, form) for form in ("json", "xlsx")}
    republish(api, z1, "75")
    publish(api, "Z2", "91")
    finalise(api, appraisal_of(api, "Z2"))
    for form in ("json", "xlsx"):
        assert as_of_bytes(api, then, form) == first[form], form
    # Another spelling of the same instant is the same ranking, byte for byte.
    beijing = datetime.fromisoformat(then).astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    assert as_of_bytes(api, beijing, "json") == first["json"]
    assert as_of_bytes(api, beijing, "xlsx") == first["xlsx"]
    assert listed(json.loads(first["json"])) == [(1, "Z1", 95, 200)]


def as_of_bytes(api: Api, as_of: str, form: str) -> bytes:
    response = api.get("m1", f"/rankings/{PERIOD}", params={"as_of": as_of, "format": form})
    assert response.status_code == 200, response.text
    return response.content


def test_an_as_of_in_the_future_before_1970_or_without_a_time_zone_is_422(api):
    publish(api, "Z1", "95")
    future = instant(datetime.now(UTC) + timedelta(minutes=5))
    for as_of in (future, "1969-12-31T23:59:59Z", "2026-10-01T08:00:00", "yesterday",
                  "2026-13-01T00:00:00Z"):
        for form in ("json", "xlsx"):
            assert_problem(api.get("m1", f"/rankings/{PERIOD}",
                                   params={"as_of": as_of, "format": form}), 422)
    # The first instants that are allowed: nothing was opened then.
    assert ranking(api, as_of="1970-01-01T00:00:00Z") == {
        "period": PERIOD, "as_of": "1970-01-01T00:00:00.000000Z", "entries": [],
        "distribution": NO_GRADES, "unpublished": 0, "cancelled": 0}
    early = api.get("m1", f"/rankings/{PERIOD}", params={"as_of": "1975-06-01T00:00:00+08:00",
                                                         "format": "xlsx"})
    assert early.status_code == 200, early.text
    title = openpyxl.load_workbook(io.BytesIO(early.content)).active["A1"].value
    assert title.endswith("（截至北京时间 1975-06-01 00:00）")
