"""The tracked read models on a real store (an SQLite file, PostgreSQL): catch-up after a
restart, rebuild and check (through the CLI too), runners racing, crashes mid-batch.

Events are written with Workflows commands, often by a second application on the same
database as another process would. The read models are those service.runtime.build
registers, so a view added there is covered here without a change.
"""

import functools
import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, select, text
from typer.testing import CliRunner

from domain.errors import DomainError
from domain.organisation import Zone
from projections.appraisal_index import appraisals
from projections.check import check, rows_of
from projections.directory import branches, zones
from projections.rebuild import rebuild, unfinished
from projections.tracking import PARTED, Follower, Part, PlainView, built_last, positions
from service.cli import app
from service.read_models import catch_up_share
from service.runtime import Runtime, build
from store.engines import event_store_env
from tests.helpers import SCORES
from tests.small_org import ADMIN, actor, build_small_mine
from workflows.application import Workflows
from workflows.appraisals import Submission

SIGNERS = ["m1", "m2", "evaluator", "leader", "secretary"]
SUBMISSION = Submission(SCORES, "意见", "退回重做")


def sign(workflows: Workflows, appraisal_id, action: str, signers=SIGNERS,
         submission: Submission = SUBMISSION) -> bool:
    """Take `action` as the first user who may; whether anyone could."""
    for username in signers:
        try:
            workflows.act(appraisal_id, action, actor(workflows, username), submission)
        except DomainError:
            continue
        return True
    return False


def retried(call) -> None:
    for _ in range(10):
        try:
            call()
            return
        except IntegrityError:
            continue
    raise AssertionError("lost the race ten times")


def write_history(workflows: Workflows, period: str) -> set[str]:
    """Z1 published and reopened, Z2 returned, a reassignment and a new policy between."""
    opened, _ = workflows.open_appraisals(["Z1", "Z2"], period, "default", ADMIN)
    z1, z2 = (a.id for a in opened)
    for action in ["self-check", "zone-evaluation", "group-review", "branch-approval"]:
        assert sign(workflows, z1, action), action
    # Two writers may change B1 and Z3 at the same moment: one loses the race, and retries.
    retried(lambda: workflows.set_policy("B1", {
        "excellent": int(period[-2:]) * 10, "qualified": 0, "basically_qualified": 0,
        "unqualified": -100}, ADMIN))
    retried(lambda: workflows.reassign_zone("Z3", ["M3", f"M{int(period[-2:]) % 2 + 4}"],
                                            "调整", ADMIN))
    for appraisal_id, action in [(z1, "reopen"), (z2, "self-check"), (z2, "zone-evaluation"),
                                 (z2, "return")]:
        assert sign(workflows, appraisal_id, action), action
    write_findings(workflows, z2)
    return {str(z1), str(z2)}


def write_findings(workflows: Workflows, appraisal_id: UUID) -> None:
    """A finding on the appraisal, and one on Z4 answered (Z4 is every writer's: a race)."""
    inspector = actor(workflows, "inspector")
    workflows.record_finding(workflows.load_appraisal(appraisal_id), "records", "2024-01-05",
                             "台账缺页", [], inspector)
    found: list[str] = []
    retried(lambda: found.append(workflows.record_finding(
        workflows.load(Zone, "Z4", kind="zone"), "on_site", "2024-01-06", "现场杂乱", [],
        inspector).key))
    retried(lambda: workflows.rectify(found[-1], "已整改", [], ADMIN))


def live_rows(rt: Runtime) -> dict:
    with rt.engines.reader.connect() as conn:
        return rows_of(conn, rt.follower.views)


def indexed(rt: Runtime) -> set[str]:
    with rt.engines.reader.connect() as conn:
        return set(conn.execute(select(appraisals.c.id)).scalars())


def tracked(rt: Runtime) -> dict[str, int]:
    with rt.engines.reader.connect() as conn:
        return dict(conn.execute(select(positions.c.name, positions.c.position)).tuples().all())


def indexes(rt: Runtime) -> set[str]:
    """The indexes (primary keys aside) of the appraisals' views' tables."""
    with rt.engines.reader.connect() as conn:
        return {index["name"] for table in ("appraisal_index", "ranking_entries",
                                            "archive_appraisals")
                for index in inspect(conn).get_indexes(table)}


def other_process(rt: Runtime) -> Workflows:
    """Another application on the same store, as another process would write to it."""
    return Workflows(env=event_store_env(rt.settings.url))


def cli(rt: Runtime, *args: str):
    env = {"APPRAISAL_DATABASE_URL": rt.settings.database_url,
           "APPRAISAL_SECRET_KEY": rt.settings.secret_key}
    return CliRunner().invoke(app, ["projections", *args], env=env)


@pytest.fixture
def rt(settings) -> Runtime:
    """A started service whose store holds the small mine and one period's history."""
    runtime = build(settings)
    build_small_mine(runtime.workflows)
    write_history(runtime.workflows, "2024-01")
    runtime.follower.catch_up()
    yield runtime
    runtime.close()


def followed(runtime: Runtime) -> None:
    """Wait until the runtime's worker has brought every view to the end of the log."""
    end = runtime.workflows.recorder.max_notification_id() or 0
    assert runtime.follower.reached([v.name for v in runtime.follower.views], end, 30) == 0


def test_views_catch_up_with_events_written_while_the_service_was_stopped(rt):
    rt.close()
    writer = other_process(rt)
    written = write_history(writer, "2024-02")
    restarted = build(rt.settings)
    try:
        assert not written & indexed(restarted)  # the start itself waits for nothing
        restarted.follow()
        followed(restarted)  # its worker catches up, with no read asking
        assert written < indexed(restarted)
        more = write_history(writer, "2024-03")  # and while it runs, another process writes
        followed(restarted)
        assert written | more < indexed(restarted)
        report = check(restarted.follower)
        end = restarted.workflows.recorder.max_notification_id()
        assert report.differences == [] and set(report.positions.values()) == {end}
    finally:
        writer.close()
        restarted.close()


def test_a_rebuild_gives_the_rows_catching_up_gave_and_check_finds_nothing(rt):
    before = live_rows(rt)
    assert len(before["appraisal_index"]) == 2 and len(before["org_zones"]) == 4
    rebuilt = cli(rt, "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    names = ", ".join(v.name for v in rt.follower.views)
    assert "events/s" in rebuilt.output and f"rebuilt {names}: " in rebuilt.output
    assert live_rows(rt) == before
    checked = cli(rt, "check")
    assert checked.exit_code == 0, checked.output
    assert checked.output.strip().endswith("no difference")
    unknown = cli(rt, "rebuild", "--view", "no-such-view")
    assert unknown.exit_code == 2 and live_rows(rt) == before


def test_a_store_of_an_older_version_loses_the_tables_this_one_no_longer_keeps(rt):
    write_history(rt.workflows, "2024-02")
    rt.follower.catch_up()
    with rt.engines.writer.begin() as conn:  # as the versions before 2026-12-06 left them
        conn.execute(text("DROP TABLE appraisal_signers"))
        conn.execute(text("CREATE TABLE appraisal_signers (id VARCHAR(36), step VARCHAR(20), "
                          "actor VARCHAR, PRIMARY KEY (id, step))"))
        conn.execute(text("CREATE TABLE archive_events (appraisal_id VARCHAR(36), entry TEXT)"))
        conn.execute(text("CREATE TABLE appraisal_opened_responsibles (id VARCHAR(36))"))
    again = build(rt.settings)
    try:
        again.follower.catch_up()
        with again.engines.reader.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        assert not {"archive_events", "appraisal_opened_responsibles"} & tables
        assert check(again.follower).differences == []
    finally:
        again.close()


def test_check_prints_every_row_that_differs_and_fails(rt):
    with rt.engines.reader.connect() as conn:
        reopened = conn.execute(select(appraisals.c.id).where(appraisals.c.zone_id == "Z1")
                                ).scalar_one()
    with rt.engines.writer.begin() as conn:
        conn.execute(appraisals.update().where(appraisals.c.id == reopened)
                     .values(state="published"))
        conn.execute(zones.delete().where(zones.c.id == "Z2"))
        conn.execute(branches.insert().values(id="B9", name="假支部"))
    checked = cli(rt, "check")
    assert checked.exit_code == 1, checked.output
    *found, summary = checked.output.strip().splitlines()
    assert summary.endswith("3 rows differ")
    assert sorted(line.split(": ")[0] for line in found) == [
        f"appraisal_index [id={reopened}] changed", "org_branches [id=B9] extra",
        "org_zones [id=Z2] missing"]
    assert f"appraisal_index [id={reopened}] changed: state: 'published' (live) != " \
        "'group_review' (from the events)" in found
    assert "org_branches [id=B9] extra: {'id': 'B9', 'name': '假支部'}" in found
    assert cli(rt, "rebuild").exit_code == 0
    assert cli(rt, "check").exit_code == 0


# A view that counts every event it is given: one applied twice, or never, shows.
tally_metadata = MetaData()
tally = Table("test_tally", tally_metadata, Column("stream", String(36), primary_key=True),
              Column("version", Integer, primary_key=True), Column("count", Integer))


class Tally(PlainView):
    name, topics, tables = "test_tally", (), (tally,)  # no topics: every event
    parted = True  # a row per event: a rebuild may bring it up in parts

    def apply(self, conn, batch) -> None:
        for _, domain_event, stream in batch:
            version = domain_event.originator_version
            mine = (tally.c.stream == stream) & (tally.c.version == version)
            if not conn.execute(tally.update().where(mine).values(count=tally.c.count + 1)
                                ).rowcount:
                conn.execute(tally.insert().values(stream=stream, version=version, count=1))


def follower_of(rt: Runtime, batch_size: int = 2, views=None) -> Follower:
    """Another runner on the runtime's store: its views (and the tally), small batches."""
    chosen = [*rt.follower.views, Tally()] if views is None else views
    follower = Follower(rt.engines.reader, rt.engines.writer, rt.workflows.recorder,
                        rt.workflows.mapper, chosen, batch_size)
    follower.create_tables()
    return follower


def assert_every_event_counted_once(rt: Runtime) -> None:
    recorded = rt.workflows.recorder.select_notifications(start=1, limit=10**6)
    with rt.engines.reader.connect() as conn:
        counted = {(r.stream, r.version): r.count for r in conn.execute(select(tally))}
    assert counted == {(str(n.originator_id), n.originator_version): 1 for n in recorded}


def run_while_writing(writes, *loops) -> None:
    """Run the writes, each in a thread, and each loop over and over until they are done."""
    done = threading.Event()

    def repeat(loop) -> None:
        while not done.is_set():
            loop()

    with ThreadPoolExecutor(len(writes) + len(loops)) as pool:
        looping = [pool.submit(repeat, loop) for loop in loops]
        try:
            for writing in [pool.submit(write) for write in writes]:
                writing.result()
        finally:
            done.set()
        for loop in looping:
            loop.result()


def test_two_processes_catching_up_at_once_apply_every_event_exactly_once(rt):
    second = build(rt.settings)
    try:
        runners = [follower_of(rt), follower_of(second)]
        run_while_writing([lambda: write_history(rt.workflows, "2024-02"),
                           lambda: write_history(second.workflows, "2024-03")],
                          runners[0].catch_up, runners[1].catch_up)
        runners[1].catch_up()
        assert_every_event_counted_once(rt)
        assert check(runners[0]).differences == []
    finally:
        second.close()


@pytest.mark.parametrize("parts", [1, 3])
def test_a_rebuild_beside_a_running_service_counts_every_event_once(rt, parts):
    operator = build(rt.settings)
    try:
        serving, rebuilding = follower_of(rt), follower_of(operator)
        serving.catch_up()
        run_while_writing([lambda: write_history(rt.workflows, "2024-02"),
                           lambda: rebuild(rebuilding, echo=lambda _: None, batch_size=2,
                                           workers=parts)],
                          serving.catch_up)
        serving.catch_up()
        assert_every_event_counted_once(rt)
        assert check(serving).differences == [] and unfinished(rt.engines.reader) == set()
        assert set(tracked(rt)) == {v.name for v in serving.views}  # no part left
    finally:
        operator.close()


class CrashError(BaseException):
    """A process dying mid-batch (no error of the events, which would mark the view
    failed instead): nothing of the batch is left."""


class CrashOnce:
    """A view that raises once, at its `after`-th event (having written the events of that
    batch before it), and otherwise is the real one."""

    def __init__(self, view, after: int):
        self.view, self.after = view, after
        self.name, self.topics, self.tables = view.name, view.topics, view.tables
        self.parted = view.parted

    def prepare(self, batch, dialect):
        self.dialect = dialect
        return batch

    def apply(self, conn, batch) -> None:
        self.collecting = gc.isenabled()
        if self.after is not None and self.after < len(batch):
            self.view.apply(conn, self.view.prepare(batch[:self.after], self.dialect))
            self.after = None
            raise CrashError(self.name)
        if self.after is not None:
            self.after -= len(batch)
        self.view.apply(conn, self.view.prepare(batch, self.dialect))


@pytest.mark.parametrize("point", ["first", "middle", "last"])
def test_a_crash_mid_batch_leaves_nothing_and_the_next_catch_up_gives_a_rebuilds_rows(
        rt, point):
    writer = other_process(rt)
    write_history(writer, "2024-02")  # events for every view, one batch
    writer.close()
    # The view that crashes writes after the others (which wrote theirs in the batch).
    last = next(v for v in rt.follower.views if v.name == "archive")
    first = [v for v in rt.follower.views if v is not last]
    theirs = rt.workflows.recorder.select_notifications(
        start=tracked(rt)[last.name], limit=1000, topics=last.topics, inclusive_of_start=False)
    after = {"first": 0, "middle": len(theirs) // 2, "last": len(theirs) - 1}[point]
    crashing = follower_of(rt, 1000, [*first, CrashOnce(last, after)])
    rows, at = live_rows(rt), tracked(rt)
    with pytest.raises(CrashError):
        crashing.catch_up()
    assert (live_rows(rt), tracked(rt)) == (rows, at)  # rolled back, every view
    # The cyclic collector was paused while the batch was worked, and is on again.
    assert (crashing.views[-1].collecting, gc.isenabled()) == (False, True)
    crashing.catch_up()
    assert check(rt.follower).differences == []


def test_an_interrupted_rebuild_resumes_where_it_stopped(rt):
    write_history(rt.workflows, "2024-02")
    rt.follower.catch_up()
    rows, end = live_rows(rt), rt.workflows.recorder.max_notification_id()
    names = {v.name for v in rt.follower.views}

    def interrupted() -> int:
        """A rebuild that crashes half way; the position its last batch committed."""
        crashing = follower_of(rt, 5, [CrashOnce(v, 12) for v in rt.follower.views])
        with pytest.raises(CrashError):
            rebuild(crashing, echo=lambda _: None, batch_size=5)
        assert unfinished(rt.engines.reader) == names
        stopped = set(tracked(rt).values())
        assert len(stopped) == 1 and 0 < min(stopped) < end
        return stopped.pop()

    built = {str(index.name) for view in rt.follower.views for index in built_last(view)}
    stopped, said = interrupted(), []
    assert indexes(rt) == set()  # only reads use them: built at the end
    rebuild(rt.follower, echo=said.append)  # run again: goes on from there
    assert said[0].startswith("resuming the unfinished rebuild of")
    assert f" {end - stopped:,}/{end - stopped:,} events" in said[-1]
    assert live_rows(rt) == rows and unfinished(rt.engines.reader) == set()
    assert indexes(rt) == built and len(built) == 9
    interrupted()
    restarted = build(rt.settings)  # the service starts: its worker goes on from there too
    try:
        restarted.follow()
        followed(restarted)
        assert live_rows(restarted) == rows and indexes(restarted) == built
    finally:
        restarted.close()


def test_an_interrupted_rebuild_in_parts_resumes_in_those_parts(rt):
    write_history(rt.workflows, "2024-02")
    rt.follower.catch_up()
    rows, views = live_rows(rt), rt.follower.views
    crashing = follower_of(rt, 5, [CrashOnce(v, 12) for v in views])
    with pytest.raises(CrashError):
        rebuild(crashing, echo=lambda _: None, batch_size=5, workers=2)
    at = tracked(rt)
    parted = {v.name for v in views if v.parted}
    assert parted == {"appraisal_index", "archive", "ranking", "signers"}
    assert {at[name] for name in parted} == {PARTED}
    assert {name for name in at if ":" in name} == {
        Part(k, 2).track(name) for name in parted for k in range(2)}
    assert any(at[Part(0, 2).track(name)] > 0 for name in parted)
    assert indexes(rt) == set()  # only reads use them: built at the end
    rt.follower.catch_up()  # a runner leaves the views in parts alone, and returns
    assert tracked(rt) == at
    said: list[str] = []
    rebuild(rt.follower, echo=said.append, workers=3)  # in the two parts begun, not three
    assert said[0].startswith("resuming the unfinished rebuild of")
    assert live_rows(rt) == rows and unfinished(rt.engines.reader) == set()
    assert set(tracked(rt)) == {v.name for v in views}
    built = {str(index.name) for view in views for index in built_last(view)}
    assert indexes(rt) == built and len(built) == 9
    assert sum(line.startswith("building the index") for line in said) == len(built)


def test_the_log_read_in_parts_holds_every_event_once_and_a_stream_in_one_part(rt):
    write_history(rt.workflows, "2024-02")
    recorder = rt.workflows.recorder
    end = recorder.max_notification_id()
    library = recorder.select_notifications(start=1, limit=10**6)

    def seen(notifications) -> list[tuple]:
        return [(n.id, str(UUID(str(n.originator_id))), n.originator_version, n.topic,
                 n.state) for n in notifications]

    assert seen(recorder.read_notifications(0, end, 10**6, [], None)) == seen(library)
    assert [n.id for n in recorder.read_notifications(3, 10, 4, [], None)] == [4, 5, 6, 7]
    topic = library[-1].topic
    assert seen(recorder.read_notifications(0, end, 10**6, [topic], None)) == seen(
        n for n in library if n.topic == topic)
    parts = [seen(recorder.read_notifications(0, end, 10**6, [], Part(k, 3))) for k in range(3)]
    assert all(parts) and sorted(n for part in parts for n in part) == seen(library)
    streams = [{n[1] for n in part} for part in parts]
    assert sum(len(s) for s in streams) == len(set().union(*streams))
    # Each stream in the part its id's last byte names (Part), on both backends.
    assert all(UUID(s).bytes[-1] % 3 == k for k, held in enumerate(streams) for s in held)


def test_a_rebuild_shared_among_processes_gives_the_rows_of_one(rt):
    write_history(rt.workflows, "2024-02")
    rt.follower.catch_up()
    rows, said = live_rows(rt), []
    rebuild(rt.follower, echo=said.append, workers=3,
            share=functools.partial(catch_up_share, rt.settings.url))
    assert said[-1].startswith("rebuilt ") and "100.0%" in said[-1]
    assert live_rows(rt) == rows and unfinished(rt.engines.reader) == set()
    assert set(tracked(rt)) == {v.name for v in rt.follower.views}


def failing_share(until: int, parted: list[str], part, whole: list[str]) -> None:
    raise SystemExit(3)


def test_a_failed_share_fails_the_rebuild_and_the_next_run_resumes_it(rt):
    rows, names = live_rows(rt), {v.name for v in rt.follower.views}
    with pytest.raises(RuntimeError, match="run the rebuild again to resume"):
        rebuild(rt.follower, echo=lambda _: None, workers=2, share=failing_share)
    assert unfinished(rt.engines.reader) == names
    said: list[str] = []
    rebuild(rt.follower, echo=said.append)
    assert said[0].startswith("resuming the unfinished rebuild of")
    assert live_rows(rt) == rows and unfinished(rt.engines.reader) == set()
