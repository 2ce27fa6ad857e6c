"""A synthetic province's year, written straight into an empty event store.

    python -m bench.history DATABASE_URL [--zones 100000]

The read-model benchmark (bench/readmodels.py) rebuilds its views from this. The province is
made of mines shaped like the demo's (demo/mine.py: 190 zones in 7 branches of about
27 zones, 28 party groups, one of them without a zone, five lines; one member responsible
for most zones, two for every 17th), numbered K0001, K0002, … until it has `zones` zones:
100,000 zones make 3,684 branches, 14,738 groups and 105,883 members. Each member,
secretary, group leader and evaluator is a user (one password, `bench-password`), every
fourth branch pays by a policy of its own, and every zone is appraised for the 12 months of
one year and at its end (13 periods), each appraisal taken by its own signers through every
step to publication: about 9% returned once on the way and signed again, 0.2% reopened and
published again. About 71 events a zone: 7.1 million for 100,000 zones.

The events are the workflows' own: aggregates are built in memory and given exactly the
arguments the command handlers give them (actor, role, the state the real machine leads to,
scores as one-decimal strings, their total, the reward by the branch's policy), and their
pending events are encoded by the application's mapper and inserted in big batches (see
Writer). What is skipped is the commands' reading and checking, which would take hours for 7
million events; worker processes build and encode the appraisals. Time runs as in a real
store: the organisation is made in the December before the year, and each period opens on
the first of the next month (the year-end one on 15 January) with its k-th events a day
apart, so a later log position is never an earlier instant. Everything comes from fixed
seeds: two runs write the same history.
"""

import argparse
import functools
import itertools
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from demo.mine import BRANCHES, GIVEN, LINE_PREFIX, SURNAMES
from demo.plan import APPROVALS, EVALUATIONS, REOPEN_REASON, RETURNS, REVIEWS, SELF_CHECKS
from domain.appraisal import Appraisal
from domain.forms import DEFAULT_FORM_ID, DEFAULT_ITEMS, AssessmentForm
from domain.organisation import Branch, Group, Member, Zone
from domain.policy import DEFAULT_POLICY, check_policy
from domain.process import Role
from domain.scoring import total_of, validate_scores
from domain.users import User
from service.auth import hash_password
from service.settings import Settings
from store.engines import event_store_env
from workflows import machine
from workflows.application import Workflows
from workflows.process import METHOD_OF, SCORED, Action

A = TypeVar("A", bound=Aggregate)

PASSWORD = "bench-password"
SHARED_EVERY = 17  # every 17th zone has two responsible members, as in the demo
OWN_POLICY_EVERY = 4
OWN_POLICY = check_policy({"excellent": 300, "qualified": 50, "basically_qualified": 0,
                           "unqualified": -150})
# Sent back once, by the signer of forward step 1, 2 or 3, when (zone + month) divides by it.
RETURN_EVERY = {3: 37, 2: 29, 1: 31}
REOPEN_EVERY = 499
DAY = timedelta(days=1)
Echo = Callable[[str], Any]


@dataclass(frozen=True)
class ZonePlan:
    """A zone, where it sits, who answers for it and how good it steadily is."""

    id: str
    name: str
    branch_id: str
    group_id: str
    line: str
    area: str
    teams: list[str]
    members: list[str]
    level: float


@dataclass
class Province:
    """Everything the history creates, in the order it is created."""

    branches: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, str, str]] = field(default_factory=list)  # id, name, branch
    members: list[tuple[str, str, str]] = field(default_factory=list)  # id, name, group
    zones: list[ZonePlan] = field(default_factory=list)


def province(size: int, seed: int = 2026) -> Province:
    """Mines of the demo's shape, one after another, until there are `size` zones."""
    made, rng = Province(), random.Random(seed)
    for mine in itertools.count(1):
        if len(made.zones) >= size:
            break
        _mine(made, mine, size, rng)
    return made


def _mine(made: Province, mine: int, size: int, rng: random.Random) -> None:
    numbers = dict.fromkeys(LINE_PREFIX, 0)
    prefix = f"K{mine:04d}"
    for group_no, (branch, branch_name, line, area, unit, teams) in enumerate(_units(), 1):
        if len(made.zones) >= size:
            return
        branch_id, group_id = f"{prefix}-{branch}", f"{prefix}-G{group_no:02d}"
        if not made.branches or made.branches[-1][0] != branch_id:
            made.branches.append((branch_id, f"{mine}矿{branch_name}"))
        made.groups.append((group_id, f"{mine}矿{unit}党小组", branch_id))
        for team in teams[:size - len(made.zones)]:
            numbers[line] += 1
            heads = 1 + (len(made.zones) % SHARED_EVERY == 3)
            made.zones.append(ZonePlan(
                f"{prefix}-{LINE_PREFIX[line]}{numbers[line]:02d}", f"{mine}矿{unit}{team}责任区",
                branch_id, group_id, line, area, [f"{unit}{team}"],
                [_member(made, group_id) for _ in range(heads)],
                min(98.0, max(55.0, rng.gauss(86, 5.5)))))


def _units() -> Iterator[tuple[str, str, str, str, str, list[str]]]:
    """The demo mine's party groups in order: (branch, its name, line, area, unit, teams)."""
    for branch, name, line, area, units in BRANCHES:
        for unit, teams in units:
            yield branch, name, line, area, unit, teams.split()


def _member(made: Province, group_id: str) -> str:
    n = len(made.members)
    member_id = f"{group_id.split('-')[0]}-M{n + 1:06d}"
    name = SURNAMES[n % len(SURNAMES)] + GIVEN[n * 7 % len(GIVEN)] + GIVEN[n * 13 % len(GIVEN)]
    made.members.append((member_id, name, group_id))
    return member_id


def signers(zone: ZonePlan, month: int) -> dict[str, str]:
    """The usernames that sign this zone's appraisal; co-responsible members take turns."""
    return {"member": zone.members[month % len(zone.members)].lower(),
            "evaluator": f"evaluator-{zone.group_id.lower()}",
            "leader": f"leader-{zone.group_id.lower()}",
            "secretary": f"secretary-{zone.branch_id.lower()}"}


class Clock:
    """Instants one millisecond apart, for the organisation's events."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def _created(cls: type[A], event: type, ident: str, at: datetime, **fields: Any) -> A:
    """A new aggregate whose creation is stamped `at`, as if made then by its command."""
    return cls._create(event, id=cls.create_id(ident), timestamp=at,  # type: ignore[attr-defined]
                       **fields)


def organisation(made: Province, admin_hash: str, user_hash: str,
                 clock: Clock) -> Iterator[Aggregate]:
    """The administrator and the default form, the organisation, its users, the policies."""
    yield _created(User, User.Registered, "admin", clock(), username="admin",
                   display_name="管理员", member_id=None,
                   roles=[{"role": Role.ADMIN, "scope": None}], password_hash=admin_hash,
                   actor="system")
    yield _created(AssessmentForm, AssessmentForm.Created, DEFAULT_FORM_ID, clock(),
                   form_id=DEFAULT_FORM_ID, name="党员责任区考核表", items=dict(DEFAULT_ITEMS),
                   actor="system")
    branches = [_created(Branch, Branch.Created, b, clock(), branch_id=b, name=name,
                         actor="admin") for b, name in made.branches]
    yield from branches
    for g, name, b in made.groups:
        yield _created(Group, Group.Created, g, clock(), group_id=g, name=name, branch_id=b,
                       actor="admin")
    for m, name, g in made.members:
        yield _created(Member, Member.Created, m, clock(), member_id=m, name=name, group_id=g,
                       actor="admin")
    for z in made.zones:
        yield _created(Zone, Zone.Created, z.id, clock(), zone_id=z.id, name=z.name,
                       group_id=z.group_id, line=z.line, area=z.area, teams=list(z.teams),
                       responsible_member_ids=list(z.members), actor="admin")
    for username, name, member_id, roles in users(made):
        yield _created(User, User.Registered, username, clock(), username=username,
                       display_name=name, member_id=member_id, roles=roles,
                       password_hash=user_hash, actor="admin")
    for branch in branches[::OWN_POLICY_EVERY]:
        branch.trigger_event(Branch.RewardPolicyChanged, amounts=dict(OWN_POLICY),
                             actor=f"secretary-{branch.branch_id.lower()}", timestamp=clock())
        yield branch


def users(made: Province) -> Iterator[tuple[str, str, str | None, list[dict[str, Any]]]]:
    """(username, display name, member id, roles) of every signer."""
    zones_of: dict[str, list[str]] = {}
    for zone in made.zones:
        zones_of.setdefault(zone.group_id, []).append(zone.id)
    for b, name in made.branches:
        yield f"secretary-{b.lower()}", f"{name}书记", None, [_grant(Role.BRANCH_SECRETARY, b)]
    for g, name, _ in made.groups:
        yield f"leader-{g.lower()}", f"{name}组长", None, [_grant(Role.GROUP_LEADER, g)]
        if g in zones_of:
            yield (f"evaluator-{g.lower()}", f"{name}评价员", None,
                   [_grant(Role.ZONE_EVALUATOR, z) for z in zones_of[g]])
    for m, name, _ in made.members:
        yield m.lower(), name, m, []


def _grant(role: str, scope: str) -> dict[str, Any]:
    return {"role": role, "scope": scope}


# The marks an appraisal is given: for each whole level 40..100, a few sets of the form's
# items near it, with their totals, made once (deciding them per appraisal would cost more
# than the rest of the history together).
TENTH = Decimal("0.1")
VARIANTS = 16


@functools.cache
def mark_sets(seed: int = 7) -> dict[int, list[tuple[dict[str, str], str]]]:
    rng = random.Random(seed)
    return {level: [_marks(rng, level) for _ in range(VARIANTS)] for level in range(40, 101)}


def _marks(rng: random.Random, level: int) -> tuple[dict[str, str], str]:
    """The form's items near `level` per cent, as the workflow records them from a body
    (JSON numbers, one decimal): the scores as strings, and their total."""
    body = {}
    for code, top in DEFAULT_ITEMS.items():
        share = min(1.0, max(0.4, level / 100 + rng.uniform(-0.05, 0.05)))
        body[code] = float((Decimal(top) * Decimal(f"{share:.3f}")).quantize(TENTH))
    scores = validate_scores(DEFAULT_ITEMS, body)
    return {code: str(value) for code, value in scores.items()}, str(total_of(scores))


@functools.cache
def comments() -> dict[str, list[str]]:
    pools = {Action.SELF_CHECK: SELF_CHECKS, Action.ZONE_EVALUATION: EVALUATIONS,
             Action.GROUP_REVIEW: REVIEWS, Action.BRANCH_APPROVAL: APPROVALS}
    return {action: sorted({c.format(n=n, m=m) for c in pool for n in range(3, 10)
                            for m in range(1, 7)}) for action, pool in pools.items()}


transition = functools.cache(machine.step)  # the real machine decides states and roles

Move = tuple[str, str, float | None]  # action, username, level of the marks


def moves(zone: ZonePlan, index: int, month: int, rng: random.Random) -> list[Move]:
    """The signings of one appraisal, as the demo plans them (demo/plan.py)."""
    who, level = signers(zone, month), min(98.0, max(55.0, zone.level + rng.gauss(0, 4)))
    played: list[Move] = [(Action.SELF_CHECK, who["member"], min(100.0, level + 3)),
                          (Action.ZONE_EVALUATION, who["evaluator"], level),
                          (Action.GROUP_REVIEW, who["leader"], level),
                          (Action.BRANCH_APPROVAL, who["secretary"], None)]
    for step, every in RETURN_EVERY.items():  # latest first: earlier indices still hold
        if (index + month) % every == 0:
            action, username, _ = played[step - 1]
            played[step:step] = [(Action.RETURN, played[step][1], None),
                                 (action, username, min(100.0, level + 1))]
    if (index + month) % REOPEN_EVERY == 0:
        played += [(Action.REOPEN, who["secretary"], None),
                   (Action.GROUP_REVIEW, who["leader"], level - 6),
                   (Action.BRANCH_APPROVAL, who["secretary"], None)]
    return played


def appraisal(zone: ZonePlan, period: str, opener: str, at: Callable[[int], datetime],
              played: list[Move], policy: dict[str, str],
              rng: random.Random) -> Sequence[Any]:
    """The events of one appraisal: opened, then each move as its command records it."""
    record = Appraisal(
        zone_id=zone.id, zone_name=zone.name, line=zone.line, period=period,
        branch_id=zone.branch_id, group_id=zone.group_id, template_id=DEFAULT_FORM_ID,
        template_version=1, items=dict(DEFAULT_ITEMS), responsible_member_ids=list(zone.members),
        state=machine.INITIAL, actor=opener, role=Role.BRANCH_SECRETARY, timestamp=at(0))
    for k, (action, username, level) in enumerate(played, 1):
        step = transition(action, record.state)
        assert step is not None, f"the plan's {action} is not the machine's from {record.state}"
        signed = {"state": step.dest, "actor": username, "role": step.role, "timestamp": at(k)}
        take = getattr(record, METHOD_OF[action])
        if action in SCORED:
            scores, total = rng.choice(mark_sets()[round(level or 0)])
            take(scores=scores, total=total, comment=rng.choice(comments()[action]), **signed)
        elif action == Action.BRANCH_APPROVAL:
            take(comment=rng.choice(comments()[action]), reward=policy[str(record.grade)],
                 **signed)
        else:
            reason = REOPEN_REASON if action == Action.REOPEN else RETURNS[step.role]
            take(reason=reason, **signed)
    return record.collect_events()


@dataclass(frozen=True)
class Period:
    """One period's appraisals of the zones from `first` to `stop`: a worker's task."""

    label: str
    month: int  # 0 for the year-end appraisal
    opened: datetime
    first: int
    stop: int


def periods(year: int) -> list[tuple[str, int, datetime]]:
    """(period, month, when it opens): the 12 months, then the year-end appraisal."""
    opens = [datetime(year + m // 12, m % 12 + 1, 1, 8, tzinfo=UTC) for m in range(1, 13)]
    return [*((f"{year}-{m:02d}", m, opens[m - 1]) for m in range(1, 13)),
            (f"{year}", 0, datetime(year + 1, 1, 15, 8, tzinfo=UTC))]


# What each worker process is given once: the province, the branches' policies and the
# application's mapper (over no database: the same transcoder as the store's).
_worker: dict[str, Any] = {}
CHUNK = 2_000  # zones a task: the history does not depend on how many workers there are


def _start_worker(made: Province, policies: dict[str, dict[str, str]]) -> None:
    app = Workflows(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    _worker.update(made=made, policies=policies, encode=app.mapper.to_stored_event)


def waves(task: Period) -> list[list[StoredEvent]]:
    """The task's appraisals as the log holds them: all the openings, then every
    appraisal's second event, and so on; the k-th events on the k-th day after the opening,
    zone after zone through the day."""
    made, policies, encode = _worker["made"], _worker["policies"], _worker["encode"]
    rng = random.Random(f"{task.label}/{task.first}")
    starts = [task.opened + k * DAY for k in range(16)]
    spacing = DAY / len(made.zones)
    found: list[list[StoredEvent]] = []
    for index in range(task.first, task.stop):
        zone, offset = made.zones[index], index * spacing
        events = appraisal(zone, task.label, signers(zone, task.month)["secretary"],
                           lambda k, o=offset: starts[k] + o,  # type: ignore[misc]  # a typed default
                           moves(zone, index, task.month, rng), policies[zone.branch_id], rng)
        for k, domain_event in enumerate(events):
            if k == len(found):
                found.append([])
            found[k].append(encode(domain_event))
    return found


def merged(parts: Iterable[list[list[StoredEvent]]]) -> list[list[StoredEvent]]:
    """The waves of consecutive ranges of zones, as one period's waves."""
    whole: list[list[StoredEvent]] = []
    for part in parts:
        whole += [[] for _ in range(len(part) - len(whole))]
        for k, wave in enumerate(part):
            whole[k] += wave
    return whole


def default_year(today: datetime) -> int:
    """The last year whose history (into 25 January after it) is all in the past."""
    return today.year - 1 if today.month > 1 else today.year - 2


class Writer:
    """Inserts stored events into an empty store in log order, `batch` to a transaction.

    On SQLite by the application's recorder. On PostgreSQL by COPY into the recorder's
    table: its insert function costs ~100 µs an event here, most of it adapting the events
    to a composite type in Python, and COPY ~20 µs. The rows are the same, and as the only
    writer the generator gets notification ids in the order it writes, as the function's
    table lock would give them.
    """

    def __init__(self, app: Workflows, batch: int):
        self.app, self.batch = app, batch
        self.written = 0
        recorder = app.recorder
        self.insert = (self._copy if isinstance(recorder, PostgresApplicationRecorder)
                       else recorder.insert_events)

    def aggregates(self, records: Iterable[Aggregate]) -> None:
        encode = self.app.mapper.to_stored_event
        self.stored(encode(e) for record in records for e in record.collect_events())

    def stored(self, stored: Iterable[StoredEvent]) -> None:
        it = iter(stored)
        while chunk := list(itertools.islice(it, self.batch)):
            self.insert(chunk)
            self.written += len(chunk)

    def _copy(self, stored: list[StoredEvent]) -> None:
        recorder = self.app.recorder
        assert isinstance(recorder, PostgresApplicationRecorder)
        statement = SQL("COPY {}.{} (originator_id, originator_version, topic, state) "
                        "FROM STDIN").format(Identifier(recorder.datastore.schema),
                                             Identifier(recorder.events_table_name))
        with (recorder.datastore.get_connection() as conn, conn.cursor() as cursor,
              cursor.copy(statement) as copy):
            for s in stored:
                copy.write_row((s.originator_id, s.originator_version, s.topic, s.state))


@dataclass
class Written:
    """How many events a generation or a copy wrote, and how fast."""

    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def open_store(database_url: str, secret_key: str, *, create: bool = True) -> Workflows:
    """The store at the URL; `create=False` for processes opening a store made already, and
    together: its schema statements, run by several at once, collide on PostgreSQL (the
    service's start-up takes them one at a time: service.runtime.build)."""
    env = event_store_env(Settings(database_url=database_url, secret_key=secret_key).url)
    return Workflows(env={**env, "CREATE_TABLE": "y" if create else "n"})


def empty_writer(app: Workflows, database_url: str, batch: int) -> Writer:
    if app.recorder.max_notification_id():
        raise SystemExit(f"{database_url} already holds events: the history needs an empty store")
    return Writer(app, batch)


def copy(source_url: str, target_url: str, *, secret_key: str, batch: int = 10_000) -> Written:
    """The source store's events, in log order, into an empty target store: the same history
    on another backend in a fraction of the time it takes to generate."""
    started = time.perf_counter()
    source, target = open_store(source_url, secret_key), open_store(target_url, secret_key)
    try:
        writer, position = empty_writer(target, target_url, batch), 0
        while found := source.recorder.select_notifications(position, batch,
                                                             inclusive_of_start=False):
            writer.stored(found)
            position = found[-1].id
    finally:
        source.close()
        target.close()
    return Written(writer.written, time.perf_counter() - started)


def generate(database_url: str, zones: int, *, admin_password: str, secret_key: str,
             year: int | None = None, workers: int = os.cpu_count() or 1, batch: int = 10_000,
             echo: Echo = print) -> Written:
    """Write the province's organisation, users and year of appraisals into an empty store.

    Worker processes build and encode the appraisals, a period ahead of the writing."""
    started = time.perf_counter()
    year = default_year(datetime.now(UTC)) if year is None else year
    made = province(zones)
    policies = {b: {str(g): a for g, a in DEFAULT_POLICY.items()} for b, _ in made.branches}
    policies |= {b: dict(OWN_POLICY) for b, _ in made.branches[::OWN_POLICY_EVERY]}
    with multiprocessing.Pool(workers, _start_worker, (made, policies)) as pool:
        app = open_store(database_url, secret_key)
        try:
            writer = empty_writer(app, database_url, batch)
            tasks = [[Period(label, month, opened, first, min(first + CHUNK, zones))
                      for first in range(0, zones, CHUNK)]
                     for label, month, opened in periods(year)]
            coming = [pool.apply_async(waves, (task,)) for task in tasks[0]]
            clock = Clock(datetime(year - 1, 12, 1, tzinfo=UTC))
            writer.aggregates(organisation(made, hash_password(admin_password),
                                           hash_password(PASSWORD), clock))
            echo(f"organisation: {len(made.branches):,} branches, {len(made.groups):,} "
                 f"groups, {len(made.members):,} members, {len(made.zones):,} zones "
                 f"({writer.written:,} events)")
            for n, period in enumerate(tasks):
                ready, ahead = coming, tasks[n + 1] if n + 1 < len(tasks) else []
                coming = [pool.apply_async(waves, (task,)) for task in ahead]
                for wave in merged(r.get() for r in ready):
                    writer.stored(wave)
                seconds = time.perf_counter() - started
                echo(f"{period[0].label}: {writer.written:,} events in {seconds:.0f} s, "
                     f"{writer.written / seconds:,.0f} events/s")
        finally:
            app.close()
    return Written(writer.written, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    from bench.servers import ADMIN_PASSWORD, SECRET_KEY  # the bench's servers sign in so

    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url", help="an empty store: sqlite:///PATH or postgresql://")
    parser.add_argument("--zones", type=int, default=100_000)
    parser.add_argument("--year", type=int, help="the year appraised (default: the last one)")
    args = parser.parse_args(argv)
    written = generate(args.database_url, args.zones, admin_password=ADMIN_PASSWORD,
                       secret_key=SECRET_KEY, year=args.year,
                       echo=lambda text: print(text, file=sys.stderr, flush=True))
    print(f"{written.events:,} events for {args.zones:,} zones in {written.seconds:.0f} s "
          f"({written.rate:,.0f} events/s); the users' password is {PASSWORD!r}, "
          f"admin's {ADMIN_PASSWORD!r}")


if __name__ == "__main__":
    main()
