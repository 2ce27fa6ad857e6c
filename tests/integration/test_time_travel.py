"""Time travel, read back from the event store: appraisals by version and instant, zones'
responsible members and branches' reward policies as they stood.

The past is read by a freshly started app (no aggregate cached from the writes), after
later events have changed the present.
"""

from datetime import UTC, datetime, timedelta, timezone

from tests.helpers import Api

PROBLEM = "application/problem+json"
MICROSECOND = timedelta(microseconds=1)


def instants(history: list[dict]) -> list[datetime]:
    return [datetime.fromisoformat(e["at"]) for e in history]


def as_of(api: Api, path: str, moment: datetime, user: str = "inspector"):
    return api.get(user, path, params={"as_of": moment.isoformat()})


def test_an_appraisal_as_it_stood_after_each_event_and_at_each_instant(mine):
    with mine.started() as writer:
        doc = writer.publish("Z1", "2022-01")
        writer.post("secretary", f"/appraisals/{doc['id']}/reopen",
                    json={"reason": "分数有误"}).raise_for_status()
    with mine.started() as api:
        path = f"/appraisals/{doc['id']}"
        history = api.get("inspector", f"{path}/history").json()["events"]
        states = ["self_check", "zone_evaluation", "group_review", "branch_approval",
                  "published", "group_review"]
        assert [e["version"] for e in history] == [1, 2, 3, 4, 5, 6]
        for version, state in enumerate(states, start=1):
            then = api.get("inspector", path, params={"version": version})
            assert then.status_code == 200, then.text
            assert (then.json()["version"], then.json()["state"]) == (version, state)
            assert then.json()["allowed_actions"] == []
            assert then.headers["ETag"] == f'"{version}"'
        # Every event whose `at` is at or before `as_of`, and none after it.
        for version, moment in enumerate(instants(history), start=1):
            assert as_of(api, path, moment).json()["version"] == version
            assert as_of(api, path, moment - MICROSECOND).json().get("version") != version
        published = api.get("inspector", path, params={"version": 5}).json()
        assert {k: published[k] for k in ("score", "grade")} == {k: doc[k] for k in
                                                                  ("score", "grade")}
        assert published["self_check"] == doc["self_check"]
        assert api.get("inspector", path).json()["state"] == "group_review"
        beyond = api.get("inspector", path, params={"version": 7})
        assert beyond.status_code == 404 and beyond.headers["content-type"] == PROBLEM


def test_as_of_must_be_a_past_instant_with_its_offset_after_the_opening(shared_api):
    doc = shared_api.open("Z2", "2022-02")
    path = f"/appraisals/{doc['id']}"
    opened = instants(shared_api.get("inspector", f"{path}/history").json()["events"])[0]
    future = as_of(shared_api, path, datetime.now(UTC) + timedelta(days=1))
    before = as_of(shared_api, path, opened - MICROSECOND)
    naive = shared_api.get("inspector", path, params={"as_of": "2022-02-01T08:00:00"})
    assert [r.status_code for r in (future, before, naive)] == [422, 404, 422]
    assert all(r.headers["content-type"] == PROBLEM for r in (future, before, naive))
    # The same instant given with another offset is the same instant.
    shanghai = opened.astimezone(timezone(timedelta(hours=8)))
    assert as_of(shared_api, path, shanghai).json()["version"] == 1


def test_a_zone_as_of_shows_who_was_responsible_then(mine):
    with mine.started() as writer:
        for member_ids, reason in ((["M2"], "原责任人调岗"), ([], "责任人离岗")):
            reassigned = writer.put("admin", "/zones/Z3/responsibles",
                                    json={"member_ids": member_ids, "reason": reason})
            assert reassigned.status_code == 200, reassigned.text
            assert reassigned.json()["responsible_member_ids"] == member_ids
    with mine.started() as api:
        assignments = api.get("inspector", "/zones/Z3/history").json()["assignments"]
        assert [(a["member_ids"], a["reason"], a["actor"]) for a in assignments] == [
            (["M3"], None, "admin"), (["M2"], "原责任人调岗", "admin"),
            ([], "责任人离岗", "admin")]
        moments = instants(assignments)
        assert moments == sorted(moments)
        for assignment, moment in zip(assignments, moments, strict=True):
            then = as_of(api, "/zones/Z3", moment)
            assert then.json()["responsible_member_ids"] == assignment["member_ids"]
            assert then.json()["group_id"] == "G2" and then.json()["branch_id"] == "B1"
        assert as_of(api, "/zones/Z3", moments[0] - MICROSECOND).status_code == 404
        assert api.get("inspector", "/zones/Z3").json()["responsible_member_ids"] == []


def test_a_branch_reward_policy_as_of_shows_the_policy_in_force_then(mine):
    policies = [{"excellent": 300, "qualified": 50, "basically_qualified": 0,
                 "unqualified": -150},
                {"excellent": 250.5, "qualified": 0, "basically_qualified": -20,
                 "unqualified": -200}]
    with mine.started() as writer:
        moments = [datetime.now(UTC)]
        for user, policy in zip(("admin", "secretary2"), policies, strict=True):
            changed = writer.put(user, "/branches/B2/reward-policy", json=policy)
            assert changed.status_code == 200, changed.text
            moments.append(datetime.now(UTC))
    default = {"excellent": 200, "qualified": 0, "basically_qualified": 0, "unqualified": -100}
    with mine.started() as api:
        for moment, expected in zip(moments, [default, *policies], strict=True):
            then = as_of(api, "/branches/B2/reward-policy", moment)
            assert then.status_code == 200, then.text
            assert {k: then.json()[k] for k in default} == expected
        now = api.get("inspector", "/branches/B2/reward-policy").json()
        assert {k: now[k] for k in default} == policies[-1]
        untouched = as_of(api, "/branches/B1/reward-policy", moments[1]).json()
        assert {k: untouched[k] for k in default} == default
