"""Supervision (督导检查) through `Workflows` on the in-memory store: who records a finding on an
appraisal or a zone, who answers it once (整改), who reads it, and what a finding must hold."""

from typing import Any, get_args

import pytest

from domain.appraisal import Appraisal
from domain.errors import ForbiddenError, InvalidError, NotFoundError, StateConflictError
from domain.ids import parse_part
from domain.organisation import Zone
from domain.supervision import MEDIA_TYPES
from service.schemas import MediaType
from tests.small_org import ADMIN, actor, build_small_mine, popo_workflows, user
from workflows.application import Workflows
from workflows.supervision import FINDING

PHOTO = {"sha256": "a" * 64, "name": "现场.jpg", "media_type": "image/jpeg", "size": 1024}
EXTRA = [user("inspector1", None, ("inspector", "B1")),
         user("secretary_m1", "M1", ("branch_secretary", "B1"))]


@pytest.fixture
def workflows() -> Workflows:
    app = popo_workflows()
    build_small_mine(app, EXTRA)
    return app


def appraisal(workflows: Workflows, zone_id: str = "Z1") -> Appraisal:
    return workflows.open_appraisal(zone_id, "2026-10", "default", ADMIN)


def zone(workflows: Workflows, zone_id: str = "Z1") -> Zone:
    return workflows.load(Zone, zone_id, kind="zone")


def find(workflows: Workflows, target: Any, who: str = "inspector", **changes: Any) -> str:
    body = {"method": "on_site", "date": "2026-11-03", "text": "支护不规范",
            "attachments": [PHOTO], **changes}
    return workflows.record_finding(target, actor=actor(workflows, who), **body).key


def test_a_finding_on_an_appraisal_is_its_event_and_leaves_its_state(workflows):
    opened = appraisal(workflows)
    key = find(workflows, opened)
    stream, number = parse_part(key, FINDING) or (None, 0)
    assert (stream, number) == (opened.id, 1)
    again = workflows.load_appraisal(opened.id)
    assert (again.state, again.version) == ("self_check", 2)
    assert again.findings[key] | {"at": None} == {
        "method": "on_site", "date": "2026-11-03", "text": "支护不规范", "attachments": [PHOTO],
        "actor": "inspector", "at": None, "rectification": None}
    recorded = list(workflows.events.get(opened.id))[-1]
    assert (recorded.zone_id, recorded.branch_id, recorded.period, recorded.role,
            recorded.state) == ("Z1", "B1", "2026-10", "inspector", "self_check")


def test_findings_on_a_zone_are_numbered_and_their_times_strictly_increase(workflows):
    first, second = find(workflows, zone(workflows)), find(workflows, zone(workflows))
    assert [parse_part(k, FINDING) for k in (first, second)] == [
        (Zone.create_id("Z1"), 1), (Zone.create_id("Z1"), 2)]
    events = list(workflows.events.get(Zone.create_id("Z1")))
    assert [e.timestamp for e in events] == sorted({e.timestamp for e in events})
    assert (events[-1].zone_id, events[-1].branch_id) == ("Z1", "B1")


@pytest.mark.parametrize(("who", "zone_id", "allowed"), [
    ("inspector", "Z4", True), ("inspector1", "Z3", True), ("inspector2", "Z4", True),
    ("inspector2", "Z1", False), ("inspector1", "Z4", False), ("secretary", "Z1", False),
    ("m1", "Z1", False), ("admin", "Z1", False), ("archivist", "Z1", False),
    ("leader", "Z1", False),
])
def test_only_an_inspector_of_the_zones_branch_records_a_finding(workflows, who, zone_id,
                                                                 allowed):
    for target in (zone(workflows, zone_id), appraisal(workflows, zone_id)):
        if allowed:
            find(workflows, target, who)
        else:
            with pytest.raises(ForbiddenError):
                find(workflows, target, who)
            assert target.findings == {}


@pytest.mark.parametrize("changes", [
    {"method": "gossip"}, {"date": "3000-01-01"}, {"date": "2026-13-01"}, {"text": " "},
    {"text": "长" * 4001}, {"text": "好\x00"}, {"attachments": [PHOTO] * 11},
    {"attachments": [{**PHOTO, "media_type": "text/html"}]},
    {"attachments": [{**PHOTO, "size": 11 * 1024 * 1024}]},
])
def test_a_finding_that_does_not_fit_is_refused_and_nothing_is_recorded(workflows, changes):
    target = zone(workflows)
    with pytest.raises(InvalidError):
        find(workflows, target, **changes)
    assert zone(workflows).version == 1


def test_the_branchs_secretary_or_an_admin_answers_a_finding_once(workflows):
    key = find(workflows, appraisal(workflows))
    for who in ("secretary2", "inspector", "m1", "leader"):
        with pytest.raises(ForbiddenError):
            workflows.rectify(key, "已整改", [], actor(workflows, who))
    found = workflows.rectify(key, "已整改", [PHOTO], actor(workflows, "secretary"))
    assert found.finding["rectification"]["actor"] == "secretary"
    assert list(workflows.events.get(found.target.id))[-1].role == "branch_secretary"
    with pytest.raises(StateConflictError):
        workflows.rectify(key, "再次整改", [], ADMIN)
    other = find(workflows, zone(workflows, "Z4"))
    assert workflows.rectify(other, "已整改", [], ADMIN).finding["rectification"]["actor"] \
        == "admin"
    with pytest.raises(InvalidError):
        workflows.rectify(find(workflows, zone(workflows)), "", [], ADMIN)


def test_a_zones_record_is_read_by_its_branch_its_responsibles_and_readers_of_everything(
        workflows):
    on_zone, on_appraisal = find(workflows, zone(workflows)), find(workflows, appraisal(workflows))
    readers = {"inspector", "inspector1", "secretary", "secretary_m1", "m1", "archivist",
               "admin"}
    for who in ("inspector", "inspector1", "inspector2", "secretary", "secretary2", "m1", "m2",
                "leader", "evaluator", "archivist", "admin", "secretary_m1"):
        caller = actor(workflows, who)
        zone_reader = who in readers
        assert _reads(workflows, on_zone, caller) is zone_reader, who
        # The appraisal's readers read what is found on it: its history shows it anyway.
        assert _reads(workflows, on_appraisal, caller) is (zone_reader or who in {
            "leader", "evaluator"}), who


def test_a_member_moved_out_of_the_zone_no_longer_reads_its_record(workflows):
    key = find(workflows, zone(workflows))
    workflows.reassign_zone("Z1", ["M5"], "调整", ADMIN)
    assert not _reads(workflows, key, actor(workflows, "m1"))
    assert _reads(workflows, key, actor(workflows, "leader"))  # M5 now


@pytest.mark.parametrize("ident", [
    "", "f1", "not-a-uuid-f1", f"{Zone.create_id('Z1')}-f2", f"{Zone.create_id('Z1')}-o1",
    f"{Zone.create_id('Z9')}-f1", f"{str(Zone.create_id('Z1')).upper()}-f1"])
def test_anything_but_a_findings_id_is_not_found(workflows, ident):
    find(workflows, zone(workflows))
    with pytest.raises(NotFoundError):
        workflows.finding(ident)


def _reads(workflows: Workflows, key: str, caller: Any) -> bool:
    try:
        workflows.readable_finding(key, caller)
    except ForbiddenError:
        return False
    return True


def test_the_apis_media_types_are_the_domains() -> None:
    assert set(get_args(MediaType)) == set(MEDIA_TYPES.values())
