"""GET /archives/{year} over HTTP: what a year's file holds, as of an instant, byte for byte
the same later; its forms; who may produce it."""

import base64
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from typer.testing import CliRunner

from ledger import offline
from reports import archive_pdf
from service.cases import checkpoints
from service.cli import app as cli
from service.settings import Settings
from store.ledger import Reader
from tests.e2e.support import (
    a_moment_passes,
    act_ok,
    assert_problem,
    finalise,
    four_published,
    instant,
    publish,
    republish,
)
from tests.helpers import Api

FORMS = ("json", "xlsx", "pdf")


def year_file(api: Api, user: str = "archivist", year: str = "2026", **query: Any):
    response = api.get(user, f"/archives/{year}", params=query)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    return response


def archive(api: Api, user: str = "archivist", **query: Any) -> dict[str, Any]:
    return json.loads(year_file(api, user, **query).content)


def test_the_archive_holds_every_published_appraisal_as_it_stood_and_a_summary_per_member(
        api, settings):
    four_published(api, settings)  # 2026-10: Z1 95, Z2 90, Z3 90, Z4 80
    api.open("Z1", "2026-11")  # not published: not archived
    z1_year = publish(api, "Z1", "92", period="2026")
    body = archive(api)
    assert [(a["branch_id"], a["zone_id"], a["period"]) for a in body["appraisals"]] == [
        ("B1", "Z1", "2026-10"), ("B1", "Z1", "2026"), ("B1", "Z2", "2026-10"),
        ("B1", "Z3", "2026-10"), ("B2", "Z4", "2026-10")]
    first = body["appraisals"][1]
    live = api.get("inspector", f"/appraisals/{z1_year['id']}").json()
    history = api.get("inspector", f"/appraisals/{z1_year['id']}/history").json()["events"]
    assert first == {**live, "allowed_actions": [], "history": history, "zone_name": "综采一队",
                     "branch_id": "B1", "group_id": "G1", "line": "采煤线",
                     "items": history[0]["data"]["items"], "reward": 200, "final": False}
    assert (body["year"], body["as_of"]) == ("2026", body["manifest"]["as_of"])
    assert body["manifest"]["branch_id"] is None and body["manifest"]["position"] > 0
    assert body["names"]["users"]["m1"] == "张伟"
    assert body["names"]["members"]["M1"] == "张伟"
    m1 = next(m for m in body["members"] if m["member_id"] == "M1")
    assert m1 == {"member_id": "M1", "name": "张伟", "branch_id": "B1", "group_id": "G1",
                  "zones": ["Z1"], "annual": [{"zone_id": "Z1", "score": 92,
                                               "grade": "excellent"}],
                  "monthly": [{"period": "2026-10", "zone_id": "Z1", "score": 95,
                               "grade": "excellent"}],
                  "monthly_average": 95, "excellent_months": 1, "unqualified_months": 0}
    assert [m["member_id"] for m in body["members"]] == ["M1", "M2", "M3", "M4"]


def test_a_monthly_average_is_exact_and_bad_months_are_counted(api):
    for month, total in (("2026-07", "95.5"), ("2026-08", "65"), ("2026-09", "88.4")):
        publish(api, "Z1", total, period=month)
    m1 = next(m for m in archive(api)["members"] if m["member_id"] == "M1")
    assert [r["score"] for r in m1["monthly"]] == [95.5, 65, 88.4]
    assert m1["monthly_average"] == 82.97  # 248.9 / 3 = 82.9666…, half up
    assert (m1["excellent_months"], m1["unqualified_months"], m1["annual"]) == (1, 1, [])


def test_the_same_as_of_gives_the_same_bytes_whatever_happened_later(api):
    z1 = publish(api, "Z1", "95")
    publish(api, "Z2", "85")
    then = a_moment_passes()
    before = {form: year_file(api, as_of=then, format=form).content for form in FORMS}
    z1 = republish(api, z1, "81")  # a correction after `then`
    act_ok(api, "secretary", publish(api, "Z2", "70", period="2026-09"), "reopen",
           {"reason": "复核"})
    for form in FORMS:
        assert year_file(api, as_of=then, format=form).content == before[form], form
    old, now = json.loads(before["json"]), archive(api)
    assert [(a["zone_id"], a["score"]) for a in old["appraisals"]] == [("Z1", 95), ("Z2", 85)]
    assert [(a["zone_id"], a["period"], a["score"]) for a in now["appraisals"]] == [
        ("Z1", "2026-10", 81), ("Z2", "2026-10", 85)]  # Z2 2026-09 stands reopened now
    assert [e["type"] for e in now["appraisals"][0]["history"]][-3:] == [
        "reopened", "group_review_submitted", "branch_approved"]
    assert now["manifest"]["position"] > old["manifest"]["position"]
    # Another way of writing the same instant is the same file.
    shanghai = datetime.fromisoformat(then).astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    assert year_file(api, as_of=shanghai).content == before["json"]


def test_each_appraisal_says_whether_it_was_final_as_of_the_archive(api):
    z1, z2 = publish(api, "Z1", "95"), publish(api, "Z2", "85")
    finalise(api, z1)
    finalised = a_moment_passes()
    z1 = republish(api, z1, "91")  # an upheld objection: corrected and posted again
    reposted = a_moment_passes()
    finalise(api, z1, posting="x-p2")
    finalise(api, z2)

    def finality(as_of: str | None = None) -> dict[str, bool]:
        query = {} if as_of is None else {"as_of": as_of}
        return {a["zone_id"]: a["final"] for a in archive(api, **query)["appraisals"]}

    assert finality(finalised) == {"Z1": True, "Z2": False}
    assert finality(reposted) == {"Z1": False, "Z2": False}
    assert finality() == {"Z1": True, "Z2": True}
    sheet = openpyxl.load_workbook(io.BytesIO(year_file(api, as_of=finalised,
                                                        format="xlsx").content))["考核表"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("是否定稿")
    assert [(row[4], row[column]) for row in rows[1:]] == [("Z1", "是"), ("Z2", "否")]


def test_a_result_reopened_at_as_of_is_left_out_and_an_earlier_instant_shows_less(api):
    start = a_moment_passes()
    z1 = publish(api, "Z1", "95")
    published = a_moment_passes()
    act_ok(api, "secretary", z1, "reopen", {"reason": "复核"})
    assert archive(api, as_of=start)["appraisals"] == []
    assert [a["zone_id"] for a in archive(api, as_of=published)["appraisals"]] == ["Z1"]
    assert archive(api)["appraisals"] == []
    assert archive(api, as_of=start)["manifest"]["position"] == 0


def store_entry(api: Api, appraisal_id: str, version: int) -> tuple[int, str]:
    """The ledger's leaf and chain hash of an appraisal's event, as the store holds them."""
    rt = api.client.app.state.runtime
    with rt.recorder.ledger_cursor() as cursor:
        events = Reader(rt.recorder.ledger, cursor).stream(UUID(appraisal_id))
    return next((leaf, chain.hex()) for leaf, _, v, _, _, chain in events if v == version)


def test_the_manifest_proves_each_appraisal_in_a_signed_checkpoint_offline(api):
    publish(api, "Z1", "95")
    republish(api, publish(api, "Z2", "85"), "81")
    act_ok(api, "secretary", publish(api, "Z1", "70", period="2026-09"), "reopen",
           {"reason": "复核"})  # it stands reopened: left out
    body = archive(api)
    ledger = body["manifest"]["ledger"]
    assert set(ledger) == {"hash", "checkpoint", "appraisals"} and ledger["hash"] == "sm3"
    checkpoint = ledger["checkpoint"]
    assert set(checkpoint) == {"size", "root", "text"}
    note = offline.open_checkpoint(checkpoint["text"])
    service_key = api.client.app.state.runtime.service_key.verifier(offline.ED25519)
    assert note.verified_by(service_key) is not None
    assert (note.size, note.root.hex()) == (checkpoint["size"], checkpoint["root"])
    h = offline.hasher(ledger["hash"])
    last = {a["id"]: a["history"][-1]["version"] for a in body["appraisals"]}
    assert [p["appraisal_id"] for p in ledger["appraisals"]] == sorted(last)
    assert sorted(last.values()) == [5, 8]  # Z2 published, reopened and published again
    for proved in ledger["appraisals"]:
        assert proved["version"] == last[proved["appraisal_id"]]
        assert (proved["leaf"], proved["chain"]) == store_entry(api, proved["appraisal_id"],
                                                                proved["version"])
        proof = base64.b64decode(proved["inclusion"])
        hashes = [proof[i:i + offline.HASH_BYTES] for i in range(0, len(proof), 32)]
        offline.verify_inclusion(h, proved["leaf"], checkpoint["size"],
                                 offline.leaf_hash(h, bytes.fromhex(proved["chain"])), hashes,
                                 note.root)
    assert max(p["leaf"] for p in ledger["appraisals"]) < checkpoint["size"]


def test_a_later_checkpoint_and_more_events_leave_an_earlier_as_of_file_as_it_was(api):
    publish(api, "Z1", "95")
    then = a_moment_passes()
    before = {form: year_file(api, as_of=then, format=form).content for form in FORMS}
    first = json.loads(before["json"])["manifest"]["ledger"]["checkpoint"]
    publish(api, "Z2", "85")
    later = checkpoints.make(api.client.app.state.runtime)
    assert later is not None and later.size > first["size"]
    for form in FORMS:
        assert year_file(api, as_of=then, format=form).content == before[form], form
    assert archive(api)["manifest"]["ledger"]["checkpoint"]["size"] == later.size


def test_an_archive_without_appraisals_names_no_checkpoint(api):
    assert archive(api)["manifest"]["ledger"] == {"hash": "sm3", "checkpoint": None,
                                                  "appraisals": []}


def test_a_branch_file_holds_that_branch_only(api, settings):
    four_published(api, settings)
    body = archive(api, branch_id="B2")
    assert [a["zone_id"] for a in body["appraisals"]] == ["Z4"]
    assert [m["member_id"] for m in body["members"]] == ["M4"]
    assert body["manifest"]["branch_id"] == "B2"
    assert list(body["names"]["branches"]) == ["B2"]


def test_archivists_admins_and_inspectors_in_scope_produce_archives_and_no_one_else(api):
    for user, query in (("archivist", {}), ("admin", {}), ("inspector", {}),
                        ("inspector", {"branch_id": "B1"}), ("inspector2", {"branch_id": "B2"})):
        year_file(api, user, **query)
    for user, query in (("m1", {}), ("secretary", {"branch_id": "B1"}), ("leader", {}),
                        ("inspector2", {}), ("inspector2", {"branch_id": "B1"})):
        assert_problem(api.get(user, "/archives/2026", params=query), 403)
    assert_problem(api.client.get("/archives/2026"), 401)


@pytest.mark.parametrize("year,query", [
    ("2026-10", {}), ("26", {}), ("２０２６", {}),
    ("2026", {"format": "doc"}),
    ("2026", {"branch_id": "B9"}),
    ("2026", {"as_of": "2026-10-01T00:00:00"}),  # no offset
    ("2026", {"as_of": "yesterday"}),
    ("2026", {"as_of": instant(datetime.now(UTC) + timedelta(days=1))}),
])
def test_a_bad_query_is_refused_with_422(api, year, query):
    assert_problem(api.get("archivist", f"/archives/{year}", params=query), 422)


def test_the_forms_are_files_named_for_the_query(api):
    publish(api, "Z1", "95")
    for form, media_type in (("json", "application/json"), ("pdf", "application/pdf"),
                             ("xlsx", "application/vnd.openxmlformats-officedocument."
                                      "spreadsheetml.sheet")):
        response = year_file(api, branch_id="B1", format=form)
        assert response.headers["content-type"] == media_type
        disposition = response.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="archive-2026-B1-')
        assert disposition.endswith(f".{form}")


def command(settings: Settings, *args: str) -> Any:
    env = {"APPRAISAL_DATABASE_URL": settings.database_url,
           "APPRAISAL_SECRET_KEY": settings.secret_key or ""}
    return CliRunner().invoke(cli, ["archive", *args], env=env)


@pytest.mark.parametrize("form", FORMS)
def test_the_command_writes_the_apis_bytes_and_verify_regenerates_them(api, settings, tmp_path,
                                                                       form):
    z1 = publish(api, "Z1", "95")
    then = a_moment_passes()
    path = tmp_path / f"archive.{form}"
    written = command(settings, "2026", "--format", form, "--as-of", then, "-o", str(path))
    assert written.exit_code == 0, written.output
    assert path.read_bytes() == year_file(api, as_of=then, format=form).content
    republish(api, z1, "81")  # later corrections do not change the file as of `then`
    verified = command(settings, "verify", str(path))
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("identical:") and then in verified.output
    assert "the store proves its 1 appraisals in checkpoint" in verified.output
    tampered = bytearray(path.read_bytes())
    tampered[len(tampered) // 2] ^= 1
    path.write_bytes(bytes(tampered))
    differs = command(settings, "verify", str(path))
    assert differs.exit_code == 1, differs.output


def tamper(api: Api, sql: str, *params: Any) -> None:
    """Change the ledger's tables directly, as whoever holds the database could."""
    rt = api.client.app.state.runtime
    d = rt.recorder.ledger.dialect
    with rt.recorder.ledger_cursor(write=True) as cursor:
        cursor.execute(sql.format(p=d.prefix, q=d.param), list(params))


def test_verify_names_the_appraisal_whose_chain_hash_the_store_no_longer_has(
        api, settings, tmp_path):
    z1 = publish(api, "Z1", "95")
    publish(api, "Z2", "85")
    path = tmp_path / "archive.pdf"
    assert command(settings, "2026", "--format", "pdf", "-o", str(path)).exit_code == 0
    proved = next(p for p in archive_pdf.read_manifest(path.read_bytes())["ledger"]["appraisals"]
                  if p["appraisal_id"] == z1["id"])
    forged = bytes(32)
    tamper(api, "UPDATE {p}ledger_entries SET chain = {q} WHERE leaf = {q}", forged,
           proved["leaf"])
    verified = command(settings, "verify", str(path))
    assert verified.exit_code == 1, verified.output
    assert f"NOT PROVED by the store: appraisal {z1['id']} version {proved['version']}: the " \
           f"store has chain {forged.hex()} at leaf {proved['leaf']}" in verified.output


def test_the_command_holds_what_no_worker_has_applied_yet(api, settings, tmp_path):
    """The command brings the views to the log's end itself: a service need not run, and
    one that runs may not have applied the last publication yet."""
    publish(api, "Z1", "95")
    api.client.app.state.runtime.worker.stop()
    publish(api, "Z2", "90")
    path = tmp_path / "archive.json"
    written = command(settings, "2026", "-o", str(path))
    assert written.exit_code == 0, written.output
    zones = [a["zone_id"] for a in json.loads(path.read_bytes())["appraisals"]]
    assert zones == ["Z1", "Z2"]


def test_verify_names_the_checkpoint_deleted_from_the_store(api, settings, tmp_path):
    publish(api, "Z1", "95")
    # The service's own checkpoint after a publication would otherwise put it back.
    api.client.app.state.runtime.checkpointer.stop()
    path = tmp_path / "archive.json"
    assert command(settings, "2026", "-o", str(path)).exit_code == 0
    size = json.loads(path.read_bytes())["manifest"]["ledger"]["checkpoint"]["size"]
    assert command(settings, "verify", str(path)).exit_code == 0
    tamper(api, "DELETE FROM {p}ledger_checkpoints WHERE size = {q}", size)
    verified = command(settings, "verify", str(path))
    assert verified.exit_code == 1, verified.output
    assert f"NOT PROVED by the store: checkpoint {size} is not in the store" in verified.output


@pytest.mark.parametrize("edit", [
    lambda ledger: ledger["appraisals"][0].update(leaf="0"),
    lambda ledger: ledger["checkpoint"].update(root="not hex"),
    lambda ledger: ledger["appraisals"][0].update(inclusion="not base64!"),
    lambda ledger: ledger.update(appraisals={}),
])
def test_verify_says_a_garbled_ledger_section_does_not_hold_without_a_traceback(
        api, settings, tmp_path, edit):
    publish(api, "Z1", "95")
    path = tmp_path / "archive.json"
    assert command(settings, "2026", "-o", str(path)).exit_code == 0
    body = json.loads(path.read_bytes())
    edit(body["manifest"]["ledger"])
    path.write_text(json.dumps(body), encoding="utf-8")
    verified = command(settings, "verify", str(path))
    assert verified.exit_code == 1 and isinstance(verified.exception, SystemExit), \
        verified.exception  # a verdict, not a traceback
    assert "NOT PROVED by the store: the manifest's ledger section" in verified.output


def test_the_command_refuses_bad_requests_and_says_why(api, settings, tmp_path):
    said = {}
    for name, args in (("no output", ("2026",)), ("no file", ("verify",)),
                       ("bad format", ("2026", "--format", "doc", "-o", str(tmp_path / "x"))),
                       ("naive as_of", ("2026", "--as-of", "2026-10-01T00:00", "-o",
                                        str(tmp_path / "x"))),
                       ("unknown branch", ("2026", "--branch", "B9", "-o",
                                           str(tmp_path / "x")))):
        said[name] = command(settings, *args)
    assert {n: r.exit_code for n, r in said.items()} == {
        "no output": 2, "no file": 2, "bad format": 1, "naive as_of": 1, "unknown branch": 1}
    assert "offset" in said["naive as_of"].output
    (tmp_path / "note.txt").write_text("hello", encoding="utf-8")
    not_an_archive = command(settings, "verify", str(tmp_path / "note.txt"))
    assert not_an_archive.exit_code == 1 and "not an archive" in not_an_archive.output
    assert not (tmp_path / "x").exists()
