"""Coverage queries over the directory tables, built by the real view from real events.

The events come from `Workflows` on an in-memory SQLite store (the recorder the Follower
reads); a `Follower` writes the directory into another in-memory SQLite database, which the
coverage queries then read.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool

from projections.coverage import (
    coverage,
    groups_without_zone,
    members_without_zone,
    zones_without_responsible,
)
from projections.directory import DirectoryView
from projections.tracking import Follower
from service.settings import Settings
from store.engines import event_store_env
from tests.small_org import ADMIN, build_small_mine
from workflows.application import Workflows


@dataclass
class World:
    workflows: Workflows
    engine: Engine
    follower: Follower

    def gaps(self, branches: list[str] | None = None) -> dict:
        self.follower.catch_up()
        with self.engine.connect() as conn:
            return coverage(conn, branches)


@pytest.fixture
def world() -> Iterator[World]:
    workflows = Workflows(env=event_store_env(Settings(database_url="sqlite:///:memory:").url))
    build_small_mine(workflows)
    # One connection shared by reader and writer: an in-memory database lives in it.
    engine = create_engine("sqlite://", poolclass=StaticPool)
    follower = Follower(engine, engine, workflows.recorder, workflows.mapper, [DirectoryView()])
    follower.create_tables()
    yield World(workflows, engine, follower)
    engine.dispose()


def ids(rows: list[dict]) -> list[str]:
    return [row["id"] for row in rows]


def test_the_small_mine_lacks_only_zones_for_two_members(world: World) -> None:
    assert world.gaps() == {
        "zones_without_responsible": [],
        "members_without_zone": [
            {"id": "M5", "name": "陈静", "branch_id": "B1", "group_id": "G1"},
            {"id": "M6", "name": "赵磊", "branch_id": "B2", "group_id": "G3"},
        ],
        "groups_without_zone": [],
    }


def test_a_zone_whose_members_all_left_is_uncovered_and_they_have_no_zone(world: World) -> None:
    world.workflows.reassign_zone("Z1", [], "张伟调离", ADMIN)
    gaps = world.gaps()
    assert gaps["zones_without_responsible"] == [
        {"id": "Z1", "name": "综采一队", "branch_id": "B1", "group_id": "G1", "line": "采煤线",
         "area": "井下生产"}]
    assert ids(gaps["members_without_zone"]) == ["M1", "M5", "M6"]


def test_a_zone_in_another_group_still_covers_its_member(world: World) -> None:
    world.workflows.reassign_zone("Z4", ["M4", "M5"], "跨组包保", ADMIN)
    assert ids(world.gaps()["members_without_zone"]) == ["M6"]


def test_a_reassignment_moves_the_gap_from_one_member_to_another(world: World) -> None:
    world.workflows.reassign_zone("Z2", ["M5"], "轮换", ADMIN)
    gaps = world.gaps()
    assert gaps["zones_without_responsible"] == []
    assert ids(gaps["members_without_zone"]) == ["M2", "M6"]


def test_a_group_without_zones_is_reported_with_its_branch(world: World) -> None:
    world.workflows.create_group("G4", "四组", "B2", ADMIN)
    world.workflows.create_member("M7", "孙丽", "G4", ADMIN)
    gaps = world.gaps()
    assert gaps["groups_without_zone"] == [{"id": "G4", "name": "四组", "branch_id": "B2"}]
    assert gaps["members_without_zone"][-1] == {"id": "M7", "name": "孙丽", "branch_id": "B2",
                                                "group_id": "G4"}


def test_each_list_is_sorted_by_id(world: World) -> None:
    for group in ("G9", "G10", "G8"):
        world.workflows.create_group(group, group, "B1", ADMIN)
    for member in ("M9", "M10", "M8"):
        world.workflows.create_member(member, member, "G1", ADMIN)
    for zone in ("Z9", "Z10"):
        world.workflows.create_zone(zone, ADMIN, name=zone, group_id="G9", line="地面",
                                    area="地面", teams=[], responsible_member_ids=[])
    gaps = world.gaps()
    assert ids(gaps["groups_without_zone"]) == ["G10", "G8"]
    assert ids(gaps["members_without_zone"]) == ["M10", "M5", "M6", "M8", "M9"]
    assert ids(gaps["zones_without_responsible"]) == ["Z10", "Z9"]


def test_branches_narrow_every_list(world: World) -> None:
    world.workflows.reassign_zone("Z4", [], "调离", ADMIN)
    world.workflows.create_group("G4", "四组", "B1", ADMIN)
    world.follower.catch_up()
    with world.engine.connect() as conn:
        assert ids(zones_without_responsible(conn, ["B1"])) == []
        assert ids(zones_without_responsible(conn, ["B2"])) == ["Z4"]
        assert ids(members_without_zone(conn, ["B2"])) == ["M4", "M6"]
        assert ids(members_without_zone(conn, ["B1", "B2"])) == ["M4", "M5", "M6"]
        assert ids(groups_without_zone(conn, ["B2"])) == []
        assert ids(groups_without_zone(conn, ["B1"])) == ["G4"]
        assert coverage(conn, []) == {"zones_without_responsible": [],
                                      "members_without_zone": [], "groups_without_zone": []}
