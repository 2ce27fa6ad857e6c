"""Deadlines over HTTP: a branch's secretary or an administrator sets each step's due date of
a period, everyone who oversees or signs in a branch reads them with their sources, the
inbox says what is due and overdue as the clock moves, and the overdue list (逾期清单) and
its spreadsheet list every appraisal waiting past its date, in the reader's scope.

The clock is moved with time-machine, forward only, to days of February 2027 (the defaults
of January's period: self-check by the 5th, evaluation by the 8th, review by the 10th,
approval by the 12th); tokens are issued again there, as hour-long ones would have run out.
"""

import io
from typing import Any

from openpyxl import load_workbook

from tests.e2e.support import MORE_USERS, add_users, assert_problem, marks, on
from tests.helpers import Api

PERIOD = "2027-01"
DEFAULTS = {"self_check": "2027-02-05", "zone_evaluation": "2027-02-08",
            "group_review": "2027-02-10", "branch_approval": "2027-02-12"}


def set_branch(api: Api, user: str, branch: str, dates: Any, period: str = PERIOD) -> Any:
    return api.put(user, f"/branches/{branch}/deadlines/{period}", json={"dates": dates})


def set_all(api: Api, user: str, dates: Any, period: str = PERIOD) -> Any:
    return api.put(user, f"/deadlines/{period}", json={"dates": dates})


def read(api: Api, user: str, **params: str) -> Any:
    return api.get(user, f"/deadlines/{PERIOD}", params=params)


def dues(dates: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {step: (d["due"], d["source"]) for step, d in dates.items()}


def test_branch_dates_win_over_the_organisation_over_the_defaults(api):
    answer = set_all(api, "admin", {"self_check": "2027-02-03"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["branch_id"] is None
    assert dues(answer.json()["dates"]) == {
        "self_check": ("2027-02-03", "organisation"),
        **{s: (d, "default") for s, d in DEFAULTS.items() if s != "self_check"}}
    answer = set_branch(api, "secretary", "B1", {"group_review": "2027-02-09"})
    assert answer.status_code == 200, answer.text
    b1 = dues(answer.json()["dates"])
    assert b1["self_check"] == ("2027-02-03", "organisation")
    assert b1["group_review"] == ("2027-02-09", "branch")
    # A second change keeps the dates set before it.
    again = set_branch(api, "admin", "B1", {"branch_approval": "2027-02-14"}).json()
    assert dues(again["dates"])["group_review"] == ("2027-02-09", "branch")
    body = read(api, "inspector").json()
    assert body["period"] == PERIOD
    assert dues(body["organisation"])["self_check"] == ("2027-02-03", "organisation")
    by_branch = {b["branch_id"]: (b["name"], dues(b["dates"])) for b in body["branches"]}
    assert by_branch["B1"] == ("综采支部", dues(again["dates"]))
    assert by_branch["B2"][1]["group_review"] == ("2027-02-10", "default")
    assert by_branch["B2"][1]["self_check"] == ("2027-02-03", "organisation")


def test_secretaries_set_their_own_branch_and_administrators_every_branch(api):
    dates = {"self_check": "2027-02-03"}
    for user in ("secretary2", "leader", "inspector", "m1", "archivist"):
        assert_problem(set_branch(api, user, "B1", dates), 403)
    for user in ("secretary", "inspector", "leader"):
        assert_problem(set_all(api, user, dates), 403)
    assert_problem(set_branch(api, "admin", "B9", dates), 404)
    assert read(api, "admin").json()["organisation"]["self_check"]["source"] == "default"


def test_deadlines_are_read_by_who_oversees_or_signs_in_the_branch(api, settings):
    add_users(api, settings, MORE_USERS)
    def branches(user: str, **params: str) -> list[str]:
        response = read(api, user, **params)
        assert response.status_code == 200, response.text
        return [b["branch_id"] for b in response.json()["branches"]]
    assert branches("archivist") == branches("inspector") == ["B1", "B2"]
    assert branches("secretary") == branches("leader") == branches("evaluator") == ["B1"]
    assert branches("m4") == branches("inspector2") == ["B2"]  # a member of B2's group G3
    assert branches("leader23") == ["B1", "B2"]  # G2 in B1, G3 in B2
    assert branches("m1", branch_id="B1") == ["B1"]
    for user in ("m4", "secretary2", "inspector2", "evaluator"):
        body = assert_problem(read(api, user, branch_id="B1" if user != "evaluator" else "B2"),
                              403)
        assert body["reason"] == "scope"
    assert_problem(read(api, "inspector", branch_id="B9"), 422)
    assert_problem(api.get("inspector", "/deadlines/2027-13"), 422)


def test_bad_dates_are_refused_and_record_nothing(api):
    assert set_branch(api, "secretary", "B1", {"zone_evaluation": "2027-02-08"}).status_code \
        == 200
    rt = api.client.app.state.runtime
    before = rt.recorder.max_notification_id()
    for dates in ({}, {"published": "2027-02-01"}, {"self_check": "2027-2-1"},
                  {"self_check": "2027-02-30"}, {"self_check": 20270201},
                  {"self_check": "2026-12-31"}, {"self_check": "2028-02-03"},
                  {"self_check": "2027-02-09"},  # after the evaluation set before
                  {"group_review": "2027-02-10", "branch_approval": "2027-02-09"},
                  {"self_check": "２０２７-02-01"}, ["2027-02-01"], "2027-02-01", None,
                  {f"s{i}": "2027-02-01" for i in range(5)}, {"self_check": "x" * 11}):
        assert_problem(set_branch(api, "secretary", "B1", dates), 422)
        assert_problem(set_all(api, "admin", dates), 422)
    assert_problem(set_branch(api, "secretary", "B1", {"self_check": "2027-02-01"},
                              period="2027-13"), 422)
    assert rt.recorder.max_notification_id() == before


def inbox(api: Api, user: str) -> dict[str, tuple[str, str, str]]:
    response = api.get(user, "/inbox")
    assert response.status_code == 200, response.text
    return {i["zone_id"]: (i["state"], i["due"], i["deadline"]) for i in response.json()["items"]}


def test_the_inbox_shows_what_is_due_and_overdue_as_the_clock_moves(api):
    with on(api, "2027-02-01"):
        doc = api.open("Z1", PERIOD)
        api.open("Z2", PERIOD)
        assert inbox(api, "m1") == {"Z1": ("self_check", "2027-02-05", "pending")}
        assert inbox(api, "secretary") == {}
    with on(api, "2027-02-03"):
        assert inbox(api, "m1")["Z1"][2] == "due"  # two days before
    with on(api, "2027-02-05"):
        assert inbox(api, "m1")["Z1"][2] == "due"  # on the day
    with on(api, "2027-02-06"):
        assert inbox(api, "m1")["Z1"][2] == "overdue"
        assert inbox(api, "m2")["Z2"] == ("self_check", "2027-02-05", "overdue")
        api.post("m1", f"/appraisals/{doc['id']}/self-check",
                 json={"scores": marks("90"), "comment": "自查"}).raise_for_status()
        assert inbox(api, "m1") == {}
        assert inbox(api, "evaluator") == {"Z1": ("zone_evaluation", "2027-02-08", "due")}
        # The branch moves the date: the inbox follows.
        set_branch(api, "secretary", "B1", {"zone_evaluation": "2027-02-09"}).raise_for_status()
        assert inbox(api, "evaluator")["Z1"] == ("zone_evaluation", "2027-02-09", "pending")


def sign(api: Api, user: str, doc: dict[str, Any], action: str) -> dict[str, Any]:
    response = api.post(user, f"/appraisals/{doc['id']}/{action}",
                        json={"scores": marks("90"), "comment": action})
    assert response.status_code == 200, response.text
    return response.json()


def late(api: Api, user: str, **params: str) -> Any:
    return api.get(user, "/overdue", params=params)


def test_the_overdue_list_holds_each_late_appraisal_in_scope_most_overdue_first(api, settings):
    add_users(api, settings, MORE_USERS)
    with on(api, "2027-02-01"):
        z1 = api.open("Z1", PERIOD)
        z1 = sign(api, "m1", z1, "self-check")
        z1 = sign(api, "evaluator", z1, "zone-evaluation")
        for zone in ("Z2", "Z3", "Z4"):
            api.open(zone, PERIOD)
        api.open("Z1", "2027-02")  # due in March: never late here
        set_branch(api, "secretary", "B1", {"self_check": "2027-02-07"}).raise_for_status()
        assert late(api, "inspector").json()["items"] == []
    with on(api, "2027-02-06"):  # B2's self-checks are late (the 5th), not yet B1's (the 7th)
        assert [r["zone_id"] for r in late(api, "inspector").json()["items"]] == ["Z4"]
    with on(api, "2027-02-10"):
        body = late(api, "inspector").json()
        assert body["today"] == "2027-02-10" and body["period"] is None
        rows = [(r["zone_id"], r["step"], r["role"], r["who"], r["due"], r["days_overdue"])
                for r in body["items"]]
        # Z1 waits for its review, due today: not late.
        assert rows == [("Z4", "self_check", "responsible_member", ["刘洋"], "2027-02-05", 5),
                        ("Z2", "self_check", "responsible_member", ["王芳"], "2027-02-07", 3),
                        ("Z3", "self_check", "responsible_member", ["李强"], "2027-02-07", 3)]
        first = body["items"][0]
        assert (first["period"], first["branch_id"], first["branch_name"], first["group_id"],
                first["group_name"], first["zone_name"]) == (PERIOD, "B2", "地面支部", "G3",
                                                             "三组", "材料库")
        zones = lambda user, **p: [r["zone_id"] for r in late(api, user, **p).json()["items"]]  # noqa: E731
        assert zones("secretary") == zones("inspector", branch_id="B1") == ["Z2", "Z3"]
        assert zones("inspector2") == zones("secretary2") == zones("archivist", branch_id="B2") \
            == ["Z4"]
        assert zones("admin", period="2027-02") == []
    with on(api, "2027-02-11"):
        rows = late(api, "admin", period=PERIOD).json()["items"]
        assert (rows[-1]["zone_id"], rows[-1]["step"], rows[-1]["role"], rows[-1]["who"],
                rows[-1]["days_overdue"]) == ("Z1", "group_review", "group_leader", ["组长"], 1)
        for user in ("leader", "evaluator", "m1"):
            assert_problem(late(api, user), 403)
        assert assert_problem(late(api, "secretary", branch_id="B2"), 403)["reason"] == "scope"
        assert_problem(late(api, "secretary", branch_id="B9"), 422)
        assert_problem(late(api, "inspector", period="2027-13"), 422)
        check_spreadsheet(api)


def check_spreadsheet(api: Api) -> None:
    response = late(api, "inspector", period=PERIOD, format="xlsx")
    assert response.status_code == 200
    assert "overdue-2027-01.xlsx" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "2027年1月党员责任区考核逾期清单" in rows[0][0]
    assert rows[1] == ("考核期", "支部", "党小组", "责任区编号", "责任区", "待办环节",
                       "签署角色", "责任人", "截止日期", "逾期天数")
    assert rows[2] == ("2027年1月", "地面支部", "三组", "Z4", "材料库", "自查", "责任人",
                       "刘洋", "2027-02-05", 6)
    assert [r[3] for r in rows[2:]] == ["Z4", "Z2", "Z3", "Z1"]
    assert rows[-1][5:] == ("党小组长考核", "党小组长", "组长", "2027-02-10", 1)
