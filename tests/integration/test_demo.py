"""`appraisal demo` on real stores: the seed's mine, users for every role, every state, no
duplicates on a second run, and the README's walkthrough on top of it.

The whole demo (four months, ~3,600 signatures) is loaded on SQLite, by `appraisal demo` once
per run for these tests and the browser's (tests/conftest.py). On PostgreSQL, where every
signature is a round trip and a commit, the same loader appraises only the latest month,
which still holds every state; the organisation and users are the same.
"""

from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from demo.load import DEPUTY, PASSWORD, PRINCIPAL, WALKTHROUGH, load
from demo.plan import LATEST, PERIODS, PUBLISHED, REOPENED
from domain.appraisal import Appraisal
from ledger.offline import ED25519, open_checkpoint
from projections.appraisal_index import find_appraisals
from projections.directory import groups, list_zones, members, responsibles
from service.app import create_app
from service.cases import checkpoints
from service.runtime import Runtime, build
from service.settings import Settings
from tests.conftest import copy_sqlite
from tests.helpers import Observer
from workflows.machine import STATES

SECRET = "test-secret-" + "x" * 32


@pytest.fixture(scope="module")
def demo(module_url: str, request: pytest.FixtureRequest
         ) -> tuple[Settings, tuple[str, ...], list[str]]:
    """The module's store with the demo loaded once; its settings, months and output. On
    SQLite, a copy of the one `appraisal demo` loaded for the run (tests/conftest.py)."""
    # No admin password: the demo creates `admin` itself, with the demo password.
    settings = Settings(database_url=module_url, secret_key=SECRET)
    if settings.is_sqlite:
        loaded = request.getfixturevalue("demo_mine")
        copy_sqlite(loaded.url, module_url)
        return settings, PERIODS, loaded.output.splitlines()
    output: list[str] = []
    runtime = build(settings)
    try:
        load(runtime, output.append, (LATEST,))
    finally:
        runtime.close()
    return settings, (LATEST,), output


@pytest.fixture(scope="module")
def demo_client(demo) -> Iterator[TestClient]:
    """The HTTP app on the demo's store, started once for the module."""
    with Observer(create_app(demo[0])) as started:
        yield started


@pytest.fixture
def runtime(demo) -> Iterator[Runtime]:
    started = build(demo[0])
    try:
        yield started
    finally:
        started.close()


def test_the_demo_mine_has_the_seeds_188_zones_in_its_lines_and_areas(runtime):
    with runtime.engines.reader.connect() as conn:
        zones = list_zones(conn)
    assert len(zones) == 188
    assert Counter(z["line"] for z in zones) == {
        "采煤线": 23, "开掘线": 39, "机电运输线": 45, "通风安全线": 22, "地面": 59}
    assert Counter(z["area"] for z in zones) == {"井下生产": 62, "井下辅助": 67, "地面": 59}
    assert sum(len(z["responsible_member_ids"]) == 2 for z in zones) >= 3  # shared zones


def test_the_coverage_gaps_of_the_seed_are_there_to_be_reported(runtime):
    with runtime.engines.reader.connect() as conn:
        zones = {z["id"]: z for z in list_zones(conn)}
        covered = set(conn.execute(select(responsibles.c.member_id)).scalars())
        everyone = set(conn.execute(select(members.c.id)).scalars())
        all_groups = set(conn.execute(select(groups.c.id)).scalars())
    assert zones["DM17"]["responsible_member_ids"] == []
    assert "材料库" in zones["DM17"]["name"]
    assert everyone - covered == {"M006", "M200", "M201"}  # M006 handed CM05 over
    assert all_groups - {z["group_id"] for z in zones.values()} == {"G28"}


@pytest.mark.parametrize("username, role, scope", [
    ("admin", "admin", None), ("secretary-b1", "branch_secretary", "B1"),
    ("leader-g01", "group_leader", "G01"), ("evaluator-g01", "zone_evaluator", "CM01"),
    ("inspector", "inspector", None), ("inspector-b6", "inspector", "B6"),
    ("archivist", "archivist", None), ("m001", None, None),
])
def test_a_demo_user_of_every_role_signs_in_with_the_demo_password(demo_client, username,
                                                                    role, scope):
    token = demo_client.post("/auth/token", data={"username": username, "password": PASSWORD})
    assert token.status_code == 200, token.text
    me = demo_client.get("/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    if role is None:
        assert me.json()["member_id"] == "M001"
    else:
        assert {"role": role, "scope": scope} in me.json()["roles"]


def test_the_latest_month_holds_appraisals_in_every_state(runtime):
    with runtime.engines.reader.connect() as conn:
        counts = {s: len(find_appraisals(conn, period=LATEST, state=s)) for s in STATES}
    assert counts.pop("cancelled") == 0, counts  # the demo opens nothing by mistake
    assert all(counts.values()), counts
    assert sum(counts.values()) == 188


def test_no_demo_appraisal_was_signed_twice_by_one_person(runtime, demo):
    for zone_id in [z["id"] for z in _zones(runtime)]:
        appraisal = runtime.workflows.load_appraisal(Appraisal.create_id(zone_id, LATEST))
        signers = [step["actor"] for step in appraisal.steps.values() if step]
        assert len(signers) == len(set(signers)), (zone_id, signers)


def test_older_months_are_published_across_all_four_grades_with_returns_and_a_reopening(
        runtime, demo):
    if PUBLISHED[0] not in demo[1]:
        pytest.skip("on PostgreSQL the demo is loaded for the latest month only")
    grades, types = Counter(), Counter()
    for zone_id in [z["id"] for z in _zones(runtime)]:
        for period in PUBLISHED:
            appraisal = runtime.workflows.load_appraisal(Appraisal.create_id(zone_id, period))
            expected = "self_check" if zone_id == "DM17" else "published"  # nobody's zone
            assert appraisal.state == expected, (zone_id, period)
            if appraisal.grade is not None:
                grades[appraisal.grade] += 1
            types.update(type(e).__name__ for e in runtime.workflows.events.get(appraisal.id))
    assert set(grades) == {"excellent", "qualified", "basically_qualified", "unqualified"}
    assert types["Returned"] > 0
    reopened = runtime.workflows.load_appraisal(Appraisal.create_id(*REOPENED))
    kinds = [type(e).__name__ for e in runtime.workflows.events.get(reopened.id)]
    assert kinds[-3:] == ["Reopened", "GroupReviewSubmitted", "BranchApproved"]


def test_the_demo_leaves_its_log_signed_in_a_checkpoint(demo):
    settings, _, output = demo
    made = next(line for line in output if line.startswith("log checkpoint "))
    size = int(made.split()[2])
    runtime = build(settings)
    try:
        latest = checkpoints.latest_checkpoint(runtime)
        assert latest is not None and latest.size >= size
        first = checkpoints.checkpoint(runtime, size)
        note = open_checkpoint(first.text)
        assert note.verified_by(runtime.service_key.verifier(ED25519)) is not None
    finally:
        runtime.close()


def test_loading_the_demo_again_records_nothing(demo):
    settings, periods, _ = demo
    runtime = build(settings)
    try:
        before = runtime.workflows.recorder.max_notification_id()
        said: list[str] = []
        load(runtime, said.append, periods)
        assert runtime.workflows.recorder.max_notification_id() == before
    finally:
        runtime.close()
    assert "already loaded" in said[0]


def test_the_readme_walkthrough_takes_the_untouched_appraisal_to_published(demo_client):
    zone_id, period = WALKTHROUGH
    scores = {"thought": 13.5, "study": 14, "talks": 9, "order": 18.5, "policy": 9,
              "duty": 18.5, "skills": 8.5}

    def call(user: str, path: str, body: dict) -> dict:
        token = demo_client.post("/auth/token", data={"username": user, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        response = demo_client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    doc = call("secretary-b1", "/appraisals", {"zone_id": zone_id, "period": period})
    for user, action, body in [
        ("m001", "self-check", {"scores": scores, "comment": "自查"}),
        ("evaluator-g01", "zone-evaluation", {"scores": scores, "comment": "评价"}),
        ("leader-g01", "group-review", {"scores": scores, "comment": "考核"}),
        ("secretary-b1", "branch-approval", {"comment": "同意公示"}),
    ]:
        doc = call(user, f"/appraisals/{doc['id']}/{action}", body)
    assert (doc["state"], doc["score"], doc["grade"]) == ("published", 91, "excellent")


def _zones(runtime: Runtime) -> list[dict]:
    with runtime.engines.reader.connect() as conn:
        return list_zones(conn)


def test_the_last_published_month_is_on_every_branchs_board(demo, runtime):
    _, periods, output = demo
    if PUBLISHED[-1] not in periods:
        pytest.skip("on PostgreSQL the demo is loaded for the latest month only")
    assert f"{PUBLISHED[-1]}: posted on the board of every branch (公示)" in output
    for branch in ("B1", "B7"):
        found = runtime.workflows.publicity(branch, PUBLISHED[-1])
        assert found is not None and found.board(found.postings[0]["as_of"]) is not None
        assert found.postings[0]["entries"], branch


def test_a_group_leader_underground_has_a_deputy_this_week(demo_client):
    """代签 in the demo: leader-g02 signs leader-g01's reviews this week; their inbox shows
    them, marked for leader-g01."""
    token = demo_client.post("/auth/token", data={"username": DEPUTY, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    (delegation,) = demo_client.get("/delegations?active=true", headers=headers).json()["items"]
    assert (delegation["principal"], delegation["deputy"]) == (PRINCIPAL, DEPUTY)
    items = demo_client.get("/inbox", headers=headers).json()["items"]
    assert {i.get("acting_for") for i in items} == {PRINCIPAL, None}
