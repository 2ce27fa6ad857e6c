"""Issue 16, "a history no one can silently change": whoever holds the database changes,
deletes, swaps, forges or truncates rows straight in its tables (on SQLite and PostgreSQL),
and `appraisal verify` exits 1 naming the first event or checkpoint that does not hold; a
history rewritten whole and re-signed by the service key is caught by the checkpoint a
witness cosigned before, and the witness refuses to cosign the rewrite. Rows that cannot be
decoded, or are missing, end in a verdict too, never a traceback.

One store with real history (the small mine, an appraisal published and another begun, two
checkpoints cosigned by a witness) is built once per backend; every case tampers with a
fresh copy of it.
"""

import json
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from ledger.checkpoints import with_cosignature
from ledger.keys import SigningKey, write_key
from ledger.offline import COSIGNATURE, ED25519, ProofError, open_checkpoint
from ledger.witness import cosign
from service.app import create_app
from service.cases import checkpoints, witnesses
from service.cli import app as cli
from service.runtime import Runtime, build
from service.settings import Settings
from store.checkpoints import WITNESS
from store.ledger import UnrecordedEventError
from tests.conftest import BACKENDS, POSTGRES_ADMIN, another_database
from tests.e2e.pages import Pages
from tests.helpers import SCORES, Api, Observer
from tests.rewind import Rewound

SECRET = "test-secret-" + "x" * 32
WITNESS_NAME = "witness.example/w1"


@dataclass(frozen=True)
class Row:
    """An event as its table holds it; `stream` as the database takes it back."""

    position: int
    stream: Any
    version: int
    topic: str
    state: bytes

    def __str__(self) -> str:  # as `appraisal verify` names an event
        stream = UUID(hex=self.stream) if isinstance(self.stream, str) else self.stream
        return f"event {stream} version {self.version} at log position {self.position}"


@dataclass
class Original:
    """The store every case copies (its events as first stored, its two checkpoints' sizes)
    and the witness that cosigned them, with what it kept."""

    settings: Settings
    witness: SigningKey
    witness_state: Path
    kept: Path  # the last checkpoint's note with the witness's cosignature
    sizes: tuple[int, int]  # the two checkpoints'
    events: list[Row]

    def published(self, version: int) -> Row:
        """The published appraisal's event at `version`: 1 opened, 2 self-check, 3 zone
        evaluation, 4 group review, 5 branch approval."""
        opened = next(r for r in self.events if r.topic.endswith("Appraisal.Opened"))
        return next(r for r in self.events if (r.stream, r.version) == (opened.stream, version))


class Tables:
    """A copy of the store as an operator with the database sees it: its tables, by SQL
    written with %s placeholders."""

    def __init__(self, conn: Any, is_sqlite: bool):
        self.conn, self.is_sqlite = conn, is_sqlite
        self.events = "stored_events" if is_sqlite else "public.appraisal_events"
        self.position = "rowid" if is_sqlite else "notification_id"

    def run(self, sql: str, *params: Any) -> list[Any]:
        cursor = self.conn.execute(sql.replace("%s", "?") if self.is_sqlite else sql, params)
        return cursor.fetchall() if cursor.description else []

    def set_state(self, row: Row, state: Any) -> None:
        self.run(f"UPDATE {self.events} SET state = %s WHERE {self.position} = %s",
                 state, row.position)

    def delete(self, row: Row) -> None:
        self.run(f"DELETE FROM {self.events} WHERE {self.position} = %s", row.position)


@contextmanager
def tables(settings: Settings) -> Iterator[Tables]:
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        with closing(sqlite3.connect(url.database or "")) as conn, conn:
            yield Tables(conn, True)
        return
    with psycopg.connect(settings.database_url) as conn, conn.transaction():
        yield Tables(conn, False)


def verify(settings: Settings, *args: str) -> Result:
    env = {"APPRAISAL_DATABASE_URL": settings.database_url, "APPRAISAL_SECRET_KEY": SECRET,
           "APPRAISAL_LEDGER_KEY_FILE": settings.ledger_key_file}
    return CliRunner().invoke(cli, ["verify", *args], env=env)


def verdict(result: Result) -> str:
    """The verdict line of a failed `appraisal verify`: exit 1, a sentence, no traceback."""
    assert isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output.strip().splitlines()[-1]


def witnessed(rt: Runtime, witness: SigningKey, state: Path, after: int) -> str:
    """A checkpoint of the whole log made by the service, then cosigned by the witness (it
    extends checkpoint `after`, 0 for none) and the cosignature kept in the store; the note
    with that cosignature, as the witness keeps it."""
    made = checkpoints.make(rt)
    assert made is not None
    proof = [bytes.fromhex(p) for p in checkpoints.consistency(rt, after, made.size)["proof"]
             ] if after else []
    cosignature = cosign(witness, state, made.note, proof, [rt.service_key.verifier(ED25519)])
    witnesses.add_witness(rt, str(witness.verifier(COSIGNATURE)))
    witnesses.add_cosignature(rt, made.size, cosignature.line())
    return with_cosignature(made.note, cosignature)


@pytest.fixture(scope="module", params=BACKENDS)
def original(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Original]:
    folder = tmp_path_factory.mktemp("tamper")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{folder}/original.db"
        else:
            request.getfixturevalue("postgres_server")  # skips, or fails under CI=true
            url = stack.enter_context(another_database())
        yield made(url, folder)


def made(url: str, folder: Path) -> Original:
    """The original store: the small mine, Z1 published and Z2 self-checked, and two
    checkpoints, each cosigned by the witness."""
    settings = Settings(database_url=url, secret_key=SECRET, admin_password="admin-password",
                        ledger_key_file=str(folder / "service.key"))
    write_key(folder / "service.key", SigningKey.generate(settings.origin))
    witness, state = SigningKey.generate(WITNESS_NAME), folder / "witness.json"
    with Observer(create_app(settings)) as client:
        api = Api.with_small_mine(client)
        rt = client.app.state.runtime
        api.publish("Z1")
        first = open_checkpoint(witnessed(rt, witness, state, 0)).size
        begun = api.open("Z2")
        api.post("m2", f"/appraisals/{begun['id']}/self-check",
                 json={"scores": SCORES, "comment": "自查"}).raise_for_status()
        kept = witnessed(rt, witness, state, first)
    (folder / "kept.note").write_text(kept, encoding="utf-8")
    with tables(settings) as db:
        events = [Row(p, s, v, t, bytes(b)) for p, s, v, t, b in db.run(
            f"SELECT {db.position}, originator_id, originator_version, topic, state "
            f"FROM {db.events} ORDER BY {db.position}")]
    return Original(settings.model_copy(update={"admin_password": None}), witness, state,
                    folder / "kept.note", (first, open_checkpoint(kept).size), events)


@pytest.fixture(scope="module")
def rewound(original: Original) -> Iterator[Rewound | None]:
    """On PostgreSQL, one database made from the original, its rows put back before each
    test (tests/rewind.py)."""
    if original.settings.is_sqlite:
        yield None
        return
    copies = Rewound(POSTGRES_ADMIN, original.settings.database_url)
    yield copies
    copies.drop()


@pytest.fixture
def copy(original: Original, rewound: Rewound | None, tmp_path: Path) -> Settings:
    """A fresh copy of the original store: an SQLite backup, or the original's rows on
    PostgreSQL."""
    settings = original.settings
    if rewound is not None:
        return settings.model_copy(update={"database_url": rewound.fresh()})
    target = tmp_path / "copy.db"
    with closing(sqlite3.connect(make_url(settings.database_url).database or "")) as old, \
            closing(sqlite3.connect(target)) as new:
        old.backup(new)
    return settings.model_copy(update={"database_url": f"sqlite:///{target}"})


def test_the_untouched_store_holds(original: Original, copy: Settings):
    result = verify(copy, "--kept", str(original.kept))
    assert result.exit_code == 0, result.output
    first, last = original.sizes
    assert f"holds: {len(original.events)} events" in result.output
    assert f"2 checkpoints, the last of size {last}" in result.output
    assert first < last == len(original.events)


# Each case tampers with the copy's tables and says what the verdict must name.
Tamper = Callable[[Tables, Original], str]


def one_byte_of_a_state(db: Tables, o: Original) -> str:
    row = o.published(2)
    state = bytearray(row.state)
    state[len(state) // 2] ^= 0x01
    db.set_state(row, bytes(state))
    return str(row)


def _rescored(state: bytes) -> bytes:
    """The state with its duty score raised by one, still valid JSON as the store writes it."""
    data = json.loads(state)
    data["scores"]["duty"] = str(float(data["scores"]["duty"]) + 1)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def a_score_in_valid_json(db: Tables, o: Original) -> str:
    row = o.published(3)  # the zone evaluation
    db.set_state(row, _rescored(row.state))
    return str(row)


def an_event_in_the_middle_of_a_stream_deleted(db: Tables, o: Original) -> str:
    row = o.published(3)
    db.delete(row)
    return f"the event at log position {row.position}"


def two_states_swapped(db: Tables, o: Original) -> str:
    earlier, later = o.published(2), o.published(4)
    db.set_state(earlier, later.state)
    db.set_state(later, earlier.state)
    return str(earlier)


def a_forged_event_appended(db: Tables, o: Original) -> str:
    last = o.published(5)  # the branch approval
    state = json.loads(last.state)
    state["reward"] = "500"
    db.run(f"INSERT INTO {db.events} (originator_id, originator_version, topic, state) "
           "VALUES (%s, %s, %s, %s)", last.stream, last.version + 1, last.topic,
           json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode())
    forged = Row(o.events[-1].position + 1, last.stream, last.version + 1, last.topic, b"")
    return str(forged)


def truncate(db: Tables, o: Original, size: int) -> None:
    """Keep the first `size` events, and the ledger's entries and tree nodes over them only,
    as a careful attacker would leave it."""
    db.run(f"DELETE FROM {db.events} WHERE {db.position} > %s", o.events[size - 1].position)
    db.run("DELETE FROM ledger_entries WHERE leaf >= %s", size)
    for level in range(1, len(o.events).bit_length() + 1):  # a node over a leaf beyond
        db.run("DELETE FROM ledger_nodes WHERE level = %s AND (idx + 1) * %s > %s",
               level, 2**level, size)


def the_log_truncated_with_its_ledger(db: Tables, o: Original) -> str:
    """Caught by the checkpoint signed before."""
    size = o.sizes[0]  # the second appraisal's two events gone
    truncate(db, o, size)
    return f"checkpoint {o.sizes[1]} is of a log of {o.sizes[1]} events; the store holds {size}"


def a_state_that_is_not_json(db: Tables, o: Original) -> str:
    first = o.events[0]  # the default form, which `build` loads (verify must not)
    # As an operator types it: text in SQLite's BLOB column, bytes in PostgreSQL's bytea.
    db.set_state(first, "not json")
    return f"log position {first.position}"


def a_null_state(db: Tables, o: Original) -> str:
    row = o.published(2)
    db.set_state(row, None)
    return f"the event at log position {row.position} is not one the service wrote"


def an_empty_state(db: Tables, o: Original) -> str:
    row = o.published(2)
    db.set_state(row, b"")
    return str(row)


def a_null_topic(db: Tables, o: Original) -> str:
    row = o.published(2)
    db.run(f"UPDATE {db.events} SET topic = NULL WHERE {db.position} = %s", row.position)
    return f"the event at log position {row.position} is not one the service wrote"


def a_ledger_entry_deleted(db: Tables, o: Original) -> str:
    row = o.published(3)
    db.run("DELETE FROM ledger_entries WHERE position = %s", row.position)
    return str(row)


def the_last_ledger_entry_deleted(db: Tables, o: Original) -> str:
    db.run("DELETE FROM ledger_entries WHERE position = %s", o.events[-1].position)
    return str(o.events[-1])


def a_garbage_chain(db: Tables, o: Original) -> str:
    row = o.published(3)
    db.run("UPDATE ledger_entries SET chain = %s WHERE position = %s", "garbage", row.position)
    return str(row)


def the_tree_nodes_deleted(db: Tables, o: Original) -> str:
    db.run("DELETE FROM ledger_nodes")
    return f"checkpoints {o.sizes[0]} and {o.sizes[1]}"


def a_garbage_checkpoint_note(db: Tables, o: Original) -> str:
    db.run("UPDATE ledger_checkpoints SET note = %s WHERE size = %s", "garbage", o.sizes[0])
    return f"checkpoint {o.sizes[0]}"


def a_garbage_cosignature(db: Tables, o: Original) -> str:
    db.run("UPDATE ledger_cosignatures SET line = %s WHERE size = %s", "— garbage !!\n",
           o.sizes[1])
    return f"checkpoint {o.sizes[1]}"


def a_garbage_key_recorded(db: Tables, o: Original) -> str:
    db.run("UPDATE ledger_keys SET vkey = %s WHERE role = %s", "garbage", WITNESS)
    return "not a verifier key: 'garbage'"


CASES: list[Tamper] = [
    one_byte_of_a_state, a_score_in_valid_json, an_event_in_the_middle_of_a_stream_deleted,
    two_states_swapped, a_forged_event_appended, the_log_truncated_with_its_ledger,
    a_state_that_is_not_json, a_null_state, an_empty_state, a_null_topic,
    a_ledger_entry_deleted, the_last_ledger_entry_deleted, a_garbage_chain,
    the_tree_nodes_deleted, a_garbage_checkpoint_note, a_garbage_cosignature,
    a_garbage_key_recorded,
]


@pytest.mark.parametrize("tamper", CASES, ids=[case.__name__ for case in CASES])
def test_verify_names_what_was_tampered_with(original: Original, copy: Settings,
                                             tamper: Tamper):
    with tables(copy) as db:
        named = tamper(db, original)
    line = verdict(verify(copy))
    assert line.startswith("DOES NOT HOLD: ")
    assert re.search(re.escape(named) + r"(?!\d)", line), line  # position 3, not 31


def test_a_truncation_that_removes_the_checkpoints_too_is_caught_by_the_witness(
        original: Original, copy: Settings):
    size = original.sizes[0] + 1  # between the two checkpoints
    with tables(copy) as db:
        truncate(db, original, size)
        db.run("DELETE FROM ledger_cosignatures WHERE size > %s", size)
        db.run("DELETE FROM ledger_checkpoints WHERE size > %s", size)
    # The store alone cannot tell: what remains is a log that was never longer.
    alone = verify(copy)
    assert alone.exit_code == 0, alone.output
    line = verdict(verify(copy, "--kept", str(original.kept)))
    last = original.sizes[1]
    assert (f"checkpoint {last} cosigned by {WITNESS_NAME} is of a log of {last} events; "
            f"the store holds {size}: the log was truncated") in line


def test_a_history_rewritten_and_re_signed_is_caught_by_the_witness(
        original: Original, copy: Settings, tmp_path: Path):
    last = original.sizes[1]
    with tables(copy) as db:
        row = original.published(3)
        db.set_state(row, _rescored(row.state))
        for table in ("ledger_entries", "ledger_nodes", "ledger_checkpoints",
                      "ledger_cosignatures"):
            db.run(f"DELETE FROM {table}")
    rt = build(copy)  # a start hashes the whole rewritten log into a new ledger
    try:
        rewritten = checkpoints.make(rt)  # signed by the service key, which the operator has
        service = rt.service_key.verifier(ED25519)
    finally:
        rt.close()
    assert rewritten is not None and rewritten.size == last
    # Consistent from its events up and signed by the service key: the store alone holds.
    alone = verify(copy)
    assert alone.exit_code == 0, alone.output
    line = verdict(verify(copy, "--kept", str(original.kept)))
    assert f"checkpoint {last} cosigned by {WITNESS_NAME}:" in line
    assert "the history was rewritten" in line

    state = tmp_path / "witness.json"
    shutil.copy(original.witness_state, state)
    cosigned = open_checkpoint(original.kept.read_text(encoding="utf-8")).root
    with pytest.raises(ProofError) as refused:
        cosign(original.witness, state, rewritten.note, [], [service])
    assert cosigned.hex() in str(refused.value)
    assert rewritten.root.hex() in str(refused.value)


def test_an_event_written_around_the_ledger_stops_writes_and_start_up(
        original: Original, copy: Settings):
    """The service's next write would hash a forged event in and the next checkpoint sign it:
    instead, writes are refused (503, nothing recorded) and so is start-up, naming it."""
    with Observer(create_app(copy)) as client:
        api = Api(client, {})
        before = len(api.get("m2", "/inbox").json()["items"])
        with tables(copy) as db:
            a_forged_event_appended(db, original)
            count = db.run(f"SELECT count(*) FROM {db.events}")[0][0]
        refused = api.post("secretary", "/appraisals", json={"zone_id": "Z1", "period": "2026-03"})
        assert refused.status_code == 503, refused.text
        assert refused.json()["title"] == "Log needs verifying"
        with tables(copy) as db:
            assert db.run(f"SELECT count(*) FROM {db.events}")[0][0] == count
        assert len(api.get("m2", "/inbox").json()["items"]) == before  # reads go on
    forged = original.events[-1].position + 1
    with pytest.raises(UnrecordedEventError, match=f"position {forged}"):
        build(copy)


def test_an_archive_the_ledger_cannot_prove_is_refused_as_the_log_needing_verifying(
        original: Original, copy: Settings):
    with tables(copy) as db:
        db.run("DELETE FROM ledger_entries WHERE position = %s", original.published(5).position)
    with Observer(create_app(copy)) as client:
        answer = Api(client, {}).get("archivist", "/archives/2026?format=json")
    assert answer.status_code == 503, answer.text
    assert answer.json()["title"] == "Log needs verifying"


def test_a_proof_the_ledger_cannot_give_is_refused_as_the_log_needing_verifying(
        original: Original, copy: Settings):
    removed = original.published(3)
    with tables(copy) as db:
        db.run("DELETE FROM ledger_entries WHERE position = %s", removed.position)
    stream = removed.stream if isinstance(removed.stream, UUID) else UUID(hex=removed.stream)
    with Observer(create_app(copy)) as client:
        answer = Api(client, {}).get("archivist", f"/appraisals/{stream}/proof")
    assert answer.status_code == 503, answer.text
    assert f"{stream} version 3" in answer.json()["detail"]


def test_reads_that_hold_an_event_that_cannot_be_read_say_the_log_needs_verifying(
        original: Original, copy: Settings, tmp_path: Path):
    """The published appraisal's approval made unreadable after every view took it: what
    reads it again (its document, history, the year's archive, the ranking as it stood)
    answers 503 without naming it, pages say so in words, `appraisal archive` exits 1, and
    the rest goes on."""
    garbled = original.published(5)
    with tables(copy) as db:
        db.set_state(garbled, "not json")
    stream = garbled.stream if isinstance(garbled.stream, UUID) else UUID(hex=garbled.stream)
    with Observer(create_app(copy)) as client:
        api = Api(client, {})
        for path in (f"/appraisals/{stream}", f"/appraisals/{stream}/history",
                     "/archives/2026?format=json", "/archives/2026?format=pdf",
                     "/rankings/2026-10?as_of=" + datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")):
            answer = api.get("archivist", path)
            assert answer.status_code == 503, (path, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["title"] == "Log needs verifying", path
            assert "cannot be read" in answer.json()["detail"] and str(stream) not in answer.text
        for path in (f"/app/appraisals/{stream}", "/app/archives/file?year=2026"):
            page = Pages(api).as_user("archivist").get(path)
            assert page.status_code == 503 and "text/html" in page.headers["content-type"]
            assert "记录需要核查" in page.text and "appraisal verify" in page.text, path
        assert api.get("archivist", "/rankings/2026-10").status_code == 200  # the views hold
        assert api.get("m2", "/inbox").status_code == 200
    env = {"APPRAISAL_DATABASE_URL": copy.database_url, "APPRAISAL_SECRET_KEY": SECRET,
           "APPRAISAL_LEDGER_KEY_FILE": copy.ledger_key_file}
    made = CliRunner().invoke(cli, ["archive", "2026", "-o", str(tmp_path / "a.json")], env=env)
    assert made.exit_code == 1 and "Failed to deserialise" in made.output, made.output
    assert not (tmp_path / "a.json").exists()
