"""The inspectors' offline verifier (ledger/offline.py), copied alone into an empty folder and
run by Python in isolated mode: it needs nothing of ours. Its inputs are real: a store with
published appraisals, a checkpoint signed by the service key and cosigned by a witness, the
proof `GET /appraisals/{id}/proof` answers, and the year's archive as `appraisal archive`
writes it, in JSON, PDF and XLSX."""

import base64
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from ledger import witness
from ledger.keys import SigningKey
from ledger.offline import COSIGNATURE, ED25519
from service.cases import checkpoints, witnesses
from service.cli import app
from service.runtime import Runtime, build
from service.settings import Settings
from tests.helpers import SCORES
from tests.small_org import ADMIN, actor, build_small_mine
from workflows.appraisals import Submission

OFFLINE = Path(__file__).resolve().parents[2] / "ledger" / "offline.py"
WITNESS = "committee.example/witness"
SECRET = "s" * 40


@dataclass(frozen=True)
class World:
    folder: Path  # holds offline.py alone, then the files written for each test
    service: str  # the service's vkey (0x01)
    witness: str  # the witness's vkey (0x04)
    proof: dict[str, Any]  # Z2's history with its proof: returned once, then published
    archive: dict[str, Any]  # the 2024 archive as JSON, its manifest with the ledger proof
    rendered: dict[str, bytes]  # the same archive in each form, as written
    cosigned: dict[str, Any]  # `GET /checkpoints/{size}` of the archive's checkpoint
    later: dict[str, Any]  # the same for a later checkpoint


def take(rt: Runtime, appraisal: UUID, steps: list[tuple[str, str]]) -> None:
    for action, username in steps:
        rt.workflows.act(appraisal, action, actor(rt.workflows, username),
                         Submission(SCORES, "意见", "材料不全"))


def archived(url: str, folder: Path, as_of: str) -> dict[str, bytes]:
    """The 2024 archive in each form, as `appraisal archive` writes it."""
    files = {}
    for form in ("json", "pdf", "xlsx"):
        path = folder / f"archive.{form}"
        done = CliRunner().invoke(app, ["archive", "2024", "--format", form, "--as-of", as_of,
                                        "-o", str(path)],
                                  env={"APPRAISAL_DATABASE_URL": url,
                                       "APPRAISAL_SECRET_KEY": SECRET})
        assert done.exit_code == 0, done.output
        files[form] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    store, folder = tmp_path_factory.mktemp("store"), tmp_path_factory.mktemp("inspector")
    shutil.copy(OFFLINE, folder / "offline.py")
    url = f"sqlite:///{store}/a.db"
    rt = build(Settings(database_url=url, secret_key=SECRET))
    try:
        build_small_mine(rt.workflows)
        opened, _ = rt.workflows.open_appraisals(["Z1", "Z2"], "2024-01", "default", ADMIN)
        z1, z2 = (a.id for a in opened)
        signing = [("zone-evaluation", "evaluator"), ("group-review", "leader"),
                   ("branch-approval", "secretary")]
        take(rt, z1, [("self-check", "m1"), *signing])
        take(rt, z2, [("self-check", "m2"), ("return", "evaluator"), ("self-check", "m2"),
                      *signing])
        stored = checkpoints.make(rt)
        assert stored is not None
        key = SigningKey.generate(WITNESS)
        service = rt.service_key.verifier(ED25519)
        line = witness.cosign(key, store / "witness.json", stored.text, [], [service]).line()
        witnesses.add_witness(rt, str(key.verifier(COSIGNATURE)))
        cosigned = witnesses.add_cosignature(rt, stored.size, line)
        rt.follower.catch_up()
        files = archived(url, store, datetime.now(UTC).isoformat())
        archive = json.loads(files["json"])
        assert archive["manifest"]["ledger"]["checkpoint"]["size"] == stored.size
        proof = checkpoints.appraisal_proof(rt, rt.workflows.load_appraisal(z2))
        take(rt, z1, [("reopen", "secretary")])
        later = checkpoints.make(rt)
        assert later is not None and later.size > stored.size
        return World(folder, str(service), str(key.verifier(COSIGNATURE)), proof, archive,
                     files, checkpoints.view(rt, cosigned), checkpoints.view(rt, later))
    finally:
        rt.close()


def run(world: World, *args: str, **files: Any) -> subprocess.CompletedProcess[str]:
    """`python -I offline.py ARGS` in the folder that holds it alone, after writing `files`
    (name: JSON-able, or bytes) there."""
    for name, content in files.items():
        path = world.folder / name.replace("_", ".")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "offline.py", *args], cwd=world.folder,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def keys(world: World) -> list[str]:
    return ["--key", world.service, "--witness", world.witness]


def changed(data: dict[str, Any], change: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(data))
    change(copy)
    return copy


# A history with its proof


def test_a_history_with_its_proof_holds_and_each_event_is_shown_in_chinese(world):
    done = run(world, *keys(world), "proof.json", proof_json=world.proof)
    size = world.proof["checkpoint"]["size"]
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert lines[1] == (f"考核 {world.proof['appraisal_id']} 的历史及其证明，共 7 个事件：")
    assert lines[2].startswith("  版本 1  Opened  ")
    assert "  版本 3  Returned  " in done.stdout and "理由：材料不全" in done.stdout
    assert "m2（responsible_member）  合计 93.5  thought=14.5 study=15.0" in lines[3]
    assert lines[-1].startswith(f"成立：这 7 个事件（版本 1–7）均已纳入检查点 {size}（")
    assert lines[-1].endswith(f"由服务密钥 appraisal.local/zones/sm3+{world.service.split('+')[1]} "
                              f"签名，由 {WITNESS} 联署。")


def test_the_same_in_english(world):
    done = run(world, *keys(world), "--lang", "en", "proof.json", proof_json=world.proof)
    assert done.returncode == 0, done.stdout
    assert "  v2  SelfCheckSubmitted  " in done.stdout
    assert "m2 (responsible_member)  total 93.5" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("HOLDS: these 7 events (versions 1–7) are "
                                                   "included in checkpoint ")
    assert f"cosigned by {WITNESS}." in done.stdout


def test_without_a_witness_key_it_holds_but_says_no_cosignature_was_checked(world):
    done = run(world, "--key", world.service, "proof.json", proof_json=world.proof)
    assert done.returncode == 0
    assert "（未给出 --witness，未核验联署）" in done.stdout


def test_one_byte_of_a_state_changed_is_caught_naming_the_event(world):
    def tamper(proof: dict[str, Any]) -> None:
        state = bytearray(base64.b64decode(proof["events"][3]["state"]))
        state[state.index(b"14.5")] = ord("9")
        proof["events"][3]["state"] = base64.b64encode(state).decode()

    done = run(world, *keys(world), "bad.json", bad_json=changed(world.proof, tamper))
    assert done.returncode == 1
    assert ("不成立：版本 4 的事件：链哈希与其内容（流、版本、主题、状态）及前一事件的链哈希不符"
            in done.stdout)


def test_a_state_changed_with_its_chain_recomputed_is_not_in_the_checkpoint(world):
    """Whoever rewrites a state and its chain hash still cannot place it in the signed tree."""
    from ledger.offline import chain_hash, hasher, leaf_hash

    def tamper(proof: dict[str, Any]) -> None:
        h, previous = hasher("sm3"), bytes.fromhex(proof["events"][5]["chain"])
        last = proof["events"][6]
        state = base64.b64decode(last["state"]).replace(b'"reward":"', b'"reward":"1')
        chain = chain_hash(h, previous, UUID(proof["stream"]), 7, last["topic"], state)
        last.update(state=base64.b64encode(state).decode(), chain=chain.hex(),
                    leaf_hash=leaf_hash(h, chain).hex())

    done = run(world, *keys(world), "--lang", "en", "bad.json",
               bad_json=changed(world.proof, tamper))
    assert done.returncode == 1
    leaf = world.proof["events"][6]["leaf"]
    assert (f"DOES NOT HOLD: event version 7 (leaf {leaf}) is not included in checkpoint "
            f"{world.proof['checkpoint']['size']}") in done.stdout


def test_a_forged_inclusion_path_is_caught(world):
    def forge(proof: dict[str, Any]) -> None:
        path = proof["events"][0]["inclusion"]
        path[0] = ("00" if path[0][:2] != "00" else "11") + path[0][2:]

    done = run(world, *keys(world), "--lang", "en", "bad.json",
               bad_json=changed(world.proof, forge))
    assert done.returncode == 1
    assert "event version 1 (leaf " in done.stdout and "the inclusion proof fails" in done.stdout


def test_a_gap_in_the_history_is_caught(world):
    done = run(world, *keys(world), "--lang", "en", "bad.json",
               bad_json=changed(world.proof, lambda proof: proof["events"].pop(1)))
    assert done.returncode == 1
    assert "expected version 2, found 3" in done.stdout


def test_a_key_other_than_the_service_s_does_not_sign_it(world):
    impostor = SigningKey.generate("appraisal.local/zones/sm3")
    done = run(world, "--key", str(impostor.verifier(ED25519)), "--lang", "en", "proof.json",
               proof_json=world.proof)
    assert done.returncode == 1
    assert "is not signed by a service key given (--key)" in done.stdout


def test_a_witness_that_did_not_cosign_is_named(world):
    other = SigningKey.generate("province.example/witness").verifier(COSIGNATURE)
    done = run(world, *keys(world), "--witness", str(other), "--lang", "en", "proof.json",
               proof_json=world.proof)
    assert done.returncode == 1
    assert "is not cosigned by province.example/witness" in done.stdout


def test_a_cosignature_removed_from_the_note_is_missed(world):
    def strip(proof: dict[str, Any]) -> None:
        note = proof["checkpoint"]["text"]
        proof["checkpoint"]["text"] = "".join(
            line for line in note.splitlines(keepends=True) if WITNESS not in line)

    done = run(world, *keys(world), "bad.json", bad_json=changed(world.proof, strip))
    assert done.returncode == 1
    assert f"未由 {WITNESS} 联署" in done.stdout


def test_a_checkpoint_of_another_size_is_caught(world):
    def resize(proof: dict[str, Any]) -> None:
        proof["checkpoint"]["size"] += 1

    done = run(world, *keys(world), "--lang", "en", "bad.json",
               bad_json=changed(world.proof, resize))
    assert done.returncode == 1
    assert "the checkpoint's note says size" in done.stdout
    done = run(world, *keys(world), "--checkpoint", "later.json", "--lang", "en", "proof.json",
               proof_json=world.proof, later_json=world.later)
    assert done.returncode == 1
    assert (f"--checkpoint gives checkpoint {world.later['size']} of appraisal.local/zones/sm3"
            in done.stdout)


# An archive


def test_an_archive_holds_and_its_witness_is_checked_with_the_cosigned_checkpoint(world):
    size = world.archive["manifest"]["ledger"]["checkpoint"]["size"]
    done = run(world, "--key", world.service, "archive.json", archive_json=world.archive)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[1] == "JSON 档案：2024 年度，全部支部，截至 " \
                                          f"{world.archive['as_of']}"
    assert f"成立：本档案 2 份考核的全部事件均已纳入检查点 {size}（" in done.stdout
    done = run(world, *keys(world), "archive.json")
    assert done.returncode == 1
    assert "请用 --checkpoint 给出" in done.stdout
    done = run(world, *keys(world), "--checkpoint", "cosigned.json", "--lang", "en",
               "archive.json", cosigned_json=world.cosigned)
    assert done.returncode == 0, done.stdout
    assert (f"HOLDS: every event of the archive's 2 appraisals is included in checkpoint {size}"
            in done.stdout)
    assert f"cosigned by {WITNESS}." in done.stdout
    (world.folder / "cosigned.txt").write_text(world.cosigned["text"], encoding="utf-8")
    assert run(world, *keys(world), "--checkpoint", "cosigned.txt", "archive.json").returncode == 0


def test_the_archive_as_pdf_and_xlsx_holds_as_its_json_does(world):
    size = world.archive["manifest"]["ledger"]["checkpoint"]["size"]
    done = run(world, *keys(world), "--checkpoint", "cosigned.json", "archive.pdf",
               "archive.xlsx", cosigned_json=world.cosigned, archive_pdf=world.rendered["pdf"],
               archive_xlsx=world.rendered["xlsx"])
    assert done.returncode == 0, done.stdout
    for form in ("PDF", "XLSX"):
        assert f"{form} 档案：2024 年度，全部支部，截至 {world.archive['as_of']}" in done.stdout
    assert done.stdout.count(f"成立：本档案 2 份考核的全部事件均已纳入检查点 {size}（") == 2


def test_a_pdf_whose_manifest_was_changed_or_cut_off_does_not_hold(world):
    pdf = world.rendered["pdf"]
    start = pdf.index(b"/AppraisalManifest <") + len(b"/AppraisalManifest <")
    manifest = bytes.fromhex(pdf[start:pdf.index(b">", start)].decode())
    chain = json.loads(manifest)["ledger"]["appraisals"][0]["chain"].encode()
    forged = manifest.replace(chain, b"0" * len(chain)).hex().encode()
    done = run(world, "--key", world.service, "--lang", "en", "forged.pdf", "cut.pdf",
               forged_pdf=pdf[:start] + forged + pdf[start + len(forged):],
               cut_pdf=pdf[:start - 5])
    assert done.returncode == 1
    assert f"appraisal {world.archive['appraisals'][0]['id']}" in done.stdout
    assert "no appraisal manifest in this PDF" in done.stdout


def test_an_archive_of_no_appraisal_has_nothing_to_prove(world):
    def empty(archive: dict[str, Any]) -> None:
        archive.update(appraisals=[], members=[])
        archive["manifest"]["ledger"] = {"hash": "sm3", "checkpoint": None, "appraisals": []}

    done = run(world, *keys(world), "empty.json", empty_json=changed(world.archive, empty))
    assert done.returncode == 0, done.stdout
    assert "成立：本档案不含考核，没有要核验的事件。" in done.stdout


def test_a_forged_inclusion_in_an_archive_names_the_appraisal(world):
    def forge(archive: dict[str, Any]) -> None:
        entry = archive["manifest"]["ledger"]["appraisals"][1]
        entry["chain"] = "ff" + entry["chain"][2:]

    done = run(world, "--key", world.service, "--lang", "en", "bad.json",
               bad_json=changed(world.archive, forge))
    assert done.returncode == 1
    appraisal = world.archive["appraisals"][1]
    assert (f"appraisal {appraisal['id']} (version {appraisal['version']}) (leaf "
            in done.stdout)


def test_an_archived_appraisal_without_its_proof_is_caught(world):
    done = run(world, "--key", world.service, "--lang", "en", "bad.json", bad_json=changed(
        world.archive, lambda archive: archive["manifest"]["ledger"]["appraisals"].pop()))
    assert done.returncode == 1
    assert "of the archive has no ledger proof" in done.stdout
    done = run(world, "--key", world.service, "--lang", "en", "bad.json", bad_json=changed(
        world.archive, lambda archive: archive["manifest"].pop("ledger")))
    assert "the manifest carries no ledger proof" in done.stdout


# What is not a proof, and what is not a command line


def test_garbage_truncated_and_mistyped_files_each_fail_without_a_traceback(world):
    proof = json.dumps(world.proof).encode()
    files = {
        "truncated.json": proof[:len(proof) // 2],
        "empty.json": b"",
        "text.json": b"not json at all",
        "array.json": b"[1, 2, 3]",
        "random.bin": bytes(range(256)) * 4,
        "zip.xlsx": b"PK\x03\x04" + b"\x00" * 100,
        "cut.xlsx": world.rendered["xlsx"][:len(world.rendered["xlsx"]) // 2],
        "nomanifest.pdf": b"%PDF-1.4\n%%EOF\n",
        "badhex.pdf": b"%PDF-1.4\n/AppraisalManifest <abc>\n%%EOF\n",
        "deep.json": b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "types.json": json.dumps({**world.proof, "events": [{"version": "1"}]}).encode(),
        "checkpoint.json": json.dumps({**world.proof, "checkpoint": {"text": 5}}).encode(),
        "utf16.json": json.dumps(world.proof).encode("utf-16"),
    }
    for name, content in files.items():
        (world.folder / name).write_bytes(content)
    done = run(world, "--key", world.service, *files)
    assert done.returncode == 1
    verdicts = [line for line in done.stdout.splitlines() if line.startswith(("不成立", "成立"))]
    assert len(verdicts) == len(files), done.stdout
    assert verdicts[-1].startswith("成立")  # a proof saved as UTF-16 (PowerShell's `>`) holds
    assert "此 PDF 中没有考核档案清单" in done.stdout and "XLSX 文件损坏或不完整" in done.stdout


@pytest.mark.parametrize("args", [
    ["proof.json"],
    ["--key", "not-a-key", "proof.json"],
    ["--key", "KEY", "--witness", "KEY", "proof.json"],
    ["--key", "KEY", "missing.json"],
    ["--key", "KEY"],
    ["--key", "KEY", "--lang", "fr", "proof.json"],
])
def test_a_usage_error_exits_with_status_2(world, args):
    args = [world.service if a == "KEY" else a for a in args]
    assert run(world, *args, proof_json=world.proof).returncode == 2
