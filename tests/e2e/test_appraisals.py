"""API.md "Appraisals": opening, listing with filters and scope, reading, history, time travel."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from tests.e2e.support import INSTANT, advance, assert_problem, events
from tests.helpers import SCORES

DOCUMENT_FIELDS = {"id", "zone_id", "period", "template_id", "template_version", "state",
                   "version", "responsible_member_ids", "self_check", "zone_evaluation",
                   "group_review", "branch_approval", "score", "grade", "allowed_actions"}


def listed(api, user, **params) -> list[tuple[str, str]]:
    response = api.get(user, "/appraisals", params=params)
    assert response.status_code == 200, response.text
    return sorted((doc["zone_id"], doc["period"]) for doc in response.json()["items"])


def test_opening_answers_201_with_every_field_of_the_document(api):
    response = api.post("secretary", "/appraisals",
                        json={"zone_id": "Z1", "period": "2026-10", "template_id": "default"})
    assert response.status_code == 201, response.text
    doc = response.json()
    assert set(doc) >= DOCUMENT_FIELDS
    UUID(doc["id"])
    assert {k: v for k, v in doc.items() if k != "id"} == {
        "zone_id": "Z1", "period": "2026-10", "template_id": "default", "template_version": 1,
        "state": "self_check", "version": 1, "responsible_member_ids": ["M1"],
        "self_check": None, "zone_evaluation": None, "group_review": None,
        "branch_approval": None, "score": None, "grade": None,
        "allowed_actions": ["cancel"]}  # the secretary's, while nobody has signed
    assert response.headers["etag"] == '"1"'
    assert api.get("m1", f"/appraisals/{doc['id']}").json()["allowed_actions"] == ["self-check"]


def test_an_admin_opens_too_and_a_year_end_period_is_a_period(api):
    response = api.post("admin", "/appraisals", json={"zone_id": "Z4", "period": "2026"})
    assert response.status_code == 201, response.text
    assert (response.json()["period"], response.json()["template_id"]) == ("2026", "default")


def test_opening_refuses_duplicates_unknown_ids_bad_periods_and_non_openers(api, subtests):
    api.open("Z1", "2026-10")
    for user, body, status in [
        ("secretary", {"zone_id": "Z1", "period": "2026-10"}, 409),
        ("admin", {"zone_id": "Z1", "period": "2026-10"}, 409),
        ("secretary", {"zone_id": "Z99", "period": "2026-10"}, 422),
        ("secretary", {"zone_id": "Z2", "period": "2026-10", "template_id": "nope"}, 422),
        ("secretary", {"zone_id": "Z2", "period": "2026-13"}, 422),
        ("secretary", {"zone_id": "Z2", "period": "26-10"}, 422),
        ("secretary", {"zone_id": "Z2"}, 422),
        ("secretary", {"zone_id": "Z4", "period": "2026-10"}, 403),  # B2 is not theirs
        *[(user, {"zone_id": "Z2", "period": "2026-10"}, 403)
          for user in ("leader", "evaluator", "inspector", "archivist", "m2")],
    ]:
        with subtests.test(user=user, body=body):
            assert_problem(api.post(user, "/appraisals", json=body), status)
    assert listed(api, "inspector") == [("Z1", "2026-10")]


def test_the_document_keeps_the_responsibles_of_when_it_was_opened(api):
    first = api.open("Z1", "2026-10")
    api.put("admin", "/zones/Z1/responsibles",
            json={"member_ids": ["M2"], "reason": "调整"}).raise_for_status()
    assert api.get("admin", f"/appraisals/{first['id']}").json()[
        "responsible_member_ids"] == ["M1"]
    assert api.open("Z1", "2026-11")["responsible_member_ids"] == ["M2"]


def test_opening_a_period_opens_every_zone_in_scope_and_is_repeatable(api):
    def open_period(user, branch_id=None, period="2026-10"):
        response = api.post(user, f"/periods/{period}/appraisals", json={"branch_id": branch_id})
        assert response.status_code == 200, response.text
        return response.json()

    api.open("Z2", "2026-10")
    assert open_period("secretary") == {"opened": 2, "already_open": 1}  # B1: Z1, Z2, Z3
    assert open_period("secretary2") == {"opened": 1, "already_open": 0}  # B2: Z4
    assert open_period("admin") == {"opened": 0, "already_open": 4}
    assert open_period("admin", period="2026") == {"opened": 4, "already_open": 0}
    assert open_period("secretary", "B1", "2026-11") == {"opened": 3, "already_open": 0}
    assert listed(api, "inspector", period="2026-10") == [
        ("Z1", "2026-10"), ("Z2", "2026-10"), ("Z3", "2026-10"), ("Z4", "2026-10")]


def test_opening_a_period_outside_ones_scope_or_role_is_403(api, subtests):
    for user, branch_id in [("secretary", "B2"), ("leader", None), ("inspector", None),
                            ("m1", None)]:
        with subtests.test(user=user):
            assert_problem(api.post(user, "/periods/2026-10/appraisals",
                                    json={"branch_id": branch_id}), 403)
    assert_problem(api.post("admin", "/periods/2026-13/appraisals", json={}), 422)
    assert_problem(api.post("admin", "/periods/2026-10/appraisals", json={"branch_id": "B9"}),
                   422)
    assert listed(api, "inspector") == []


def test_listing_filters_by_period_zone_branch_and_state(api, subtests):
    api.post("admin", "/periods/2026-10/appraisals", json={"branch_id": None}).raise_for_status()
    advance(api, api.open("Z1", "2026-11"), "zone_evaluation")
    for params, expected in [
        ({"period": "2026-11"}, [("Z1", "2026-11")]),
        ({"zone_id": "Z1"}, [("Z1", "2026-10"), ("Z1", "2026-11")]),
        ({"branch_id": "B2"}, [("Z4", "2026-10")]),
        ({"state": "zone_evaluation"}, [("Z1", "2026-11")]),
        ({"state": "self_check", "branch_id": "B1", "period": "2026-10"},
         [("Z1", "2026-10"), ("Z2", "2026-10"), ("Z3", "2026-10")]),
        ({"period": "2027-01"}, []), ({"zone_id": "Z4", "branch_id": "B1"}, []),
    ]:
        with subtests.test(params=params):
            assert listed(api, "inspector", **params) == expected


def test_listing_shows_each_caller_only_their_scope(api, subtests):
    api.post("admin", "/periods/2026-10/appraisals", json={"branch_id": None}).raise_for_status()
    every = [(zone, "2026-10") for zone in ("Z1", "Z2", "Z3", "Z4")]
    for user, expected in [("inspector2", every[3:]), ("secretary", every[:3]),
                           ("secretary2", every[3:]), ("leader", every[:2]),
                           ("evaluator", every[:2]), ("m1", every[:1]), ("m4", every[3:]),
                           ("inspector", every), ("archivist", every), ("admin", every)]:
        with subtests.test(user=user):
            assert listed(api, user) == expected
    assert listed(api, "inspector2", branch_id="B1") == []
    (z1,) = api.get("m1", "/appraisals", params={"zone_id": "Z1"}).json()["items"]
    assert z1["allowed_actions"] == ["self-check"]


def test_reading_an_appraisal_gives_its_version_as_etag(api):
    doc = api.open()
    assert api.get("inspector", f"/appraisals/{doc['id']}").headers["etag"] == '"1"'
    doc = advance(api, doc, "zone_evaluation")
    response = api.get("evaluator", f"/appraisals/{doc['id']}")
    assert response.headers["etag"] == '"2"'
    assert response.json() == doc | {"allowed_actions": ["zone-evaluation", "return"]}


def test_an_appraisal_outside_ones_scope_is_403_and_an_unknown_one_404(api, subtests):
    doc = api.open()
    for user in ("inspector", "archivist", "admin", "secretary", "leader", "evaluator", "m1"):
        for path in (f"/appraisals/{doc['id']}", f"/appraisals/{doc['id']}/history"):
            with subtests.test(user=user, path=path):
                assert api.get(user, path).status_code == 200
    for user in ("inspector2", "secretary2", "m2", "m4"):
        for path in (f"/appraisals/{doc['id']}", f"/appraisals/{doc['id']}/history"):
            with subtests.test(user=user, path=path):
                assert_problem(api.get(user, path), 403)
    for ident in (uuid4(), "nope", "Z1-2026-10"):
        for path in (f"/appraisals/{ident}", f"/appraisals/{ident}/history"):
            with subtests.test(path=path):
                assert_problem(api.get("inspector", path), 404)


def test_history_lists_every_event_with_its_fields_oldest_first(api):
    doc = advance(api, api.open(), "branch_approval")
    api.post("secretary", f"/appraisals/{doc['id']}/return", json={"reason": "复核"})
    doc = advance(api, api.get("admin", f"/appraisals/{doc['id']}").json(), "published")
    history = api.get("inspector", f"/appraisals/{doc['id']}/history").json()
    assert history["appraisal_id"] == doc["id"]
    found = history["events"]
    assert [(e["version"], e["type"], e["actor"], e["role"]) for e in found] == [
        (1, "opened", "secretary", "branch_secretary"),
        (2, "self_check_submitted", "m1", "responsible_member"),
        (3, "zone_evaluation_submitted", "evaluator", "zone_evaluator"),
        (4, "group_review_submitted", "leader", "group_leader"),
        (5, "returned", "secretary", "branch_secretary"),
        (6, "group_review_submitted", "leader", "group_leader"),
        (7, "branch_approved", "secretary", "branch_secretary")]
    assert all(set(e) >= {"version", "type", "at", "actor", "role", "data"} for e in found)
    assert all(type(e["version"]) is int and type(e["data"]) is dict for e in found)
    instants = [e["at"] for e in found]
    assert all(INSTANT.match(at) for at in instants) and instants == sorted(set(instants))
    assert found[1]["data"] == {"scores": SCORES, "total": 93.5, "comment": "自查"}
    assert found[4]["data"] == {"reason": "复核"}
    assert found[6]["data"]["comment"] == "同意"
    assert found[0]["data"]["zone_id"] == "Z1"
    assert doc["group_review"] == {"actor": "leader", "at": instants[5], "scores": SCORES,
                                   "total": 93.5, "comment": "考核"}
    assert doc["branch_approval"] == {"actor": "secretary", "at": instants[6], "scores": None,
                                      "total": None, "comment": "同意"}


def test_an_appraisal_reads_as_it_stood_at_a_version_or_an_instant(api, subtests):
    doc = advance(api, api.open(), "group_review")
    path = f"/appraisals/{doc['id']}"
    at = [datetime.fromisoformat(e["at"]) for e in events(api, doc)]
    then = api.get("leader", path, params={"version": 2})
    assert then.headers["etag"] == '"2"'
    assert (then.json()["state"], then.json()["allowed_actions"]) == ("zone_evaluation", [])
    as_of = (at[1] + (at[2] - at[1]) / 2).isoformat()
    assert api.get("leader", path, params={"as_of": as_of}).json() == then.json()
    assert api.get("leader", path, params={"as_of": at[0].isoformat()}).json()["version"] == 1
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    for params, status in [({"version": 9}, 404), ({"version": 0}, 422),
                           ({"as_of": future}, 422), ({"as_of": "2026-10-01T08:00:00"}, 422),
                           ({"as_of": "yesterday"}, 422)]:
        with subtests.test(params=params):
            assert_problem(api.get("leader", path, params=params), status)
