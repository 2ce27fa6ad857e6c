"""The verifiable history over HTTP (issue 16), on SQLite and PostgreSQL: every answer is
checked offline, by ledger/offline.py alone, against the service's public key."""

import base64
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import uvicorn
from typer.testing import CliRunner

from ledger import witness
from ledger.keys import SigningKey, write_key
from ledger.offline import (
    COSIGNATURE,
    ED25519,
    FIRST,
    Verifier,
    chain_hash,
    hasher,
    leaf_hash,
    open_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from service.app import create_app
from service.cases import checkpoints
from service.cli import app as cli
from service.settings import Settings
from tests.e2e.support import assert_problem, opened_in
from tests.helpers import Api

WAIT_SECONDS = 10  # for the checkpointer, which waits a second after an approval


def service_key(api: Api) -> Verifier:
    return api.client.app.state.runtime.service_key.verifier(ED25519)


def latest(api: Api, user: str = "inspector") -> dict[str, Any]:
    response = api.get(user, "/checkpoints/latest")
    assert response.status_code == 200, response.text
    return response.json()


def made_now(api: Api) -> dict[str, Any]:
    """A checkpoint of the log as it is now."""
    rt = api.client.app.state.runtime
    return checkpoints.view(rt, checkpoints.make(rt))


def registered_witness(api: Api, name: str = "矿党委") -> SigningKey:
    key = SigningKey.generate(name)
    vkey = str(key.verifier(COSIGNATURE))
    response = api.post("admin", "/witnesses", json={"vkey": vkey})
    assert response.status_code == 201, response.text
    assert response.json() == {"name": name, "key_id": key.verifier(COSIGNATURE).key_id.hex(),
                               "vkey": vkey}
    return key


def test_the_latest_checkpoint_is_the_logs_signed_by_the_service_key(api):
    api.publish("Z1")
    api.publish("Z2")
    body = latest(api)
    note = open_checkpoint(body["text"])
    assert note.verified_by(service_key(api)) is not None
    assert (note.size, note.root.hex(), body["hash"]) == (body["size"], body["root"], "sm3")
    assert [s["role"] for s in body["signatures"]] == ["service", "service"]
    assert api.get("archivist", f"/checkpoints/{body['size']}").json() == body
    assert_problem(api.get("archivist", f"/checkpoints/{body['size'] + 10**6}"), 404)


def test_every_event_of_an_appraisal_proof_is_included_in_its_signed_checkpoint(api):
    doc = api.publish("Z1")
    response = api.get("inspector", f"/appraisals/{doc['id']}/proof")
    assert response.status_code == 200, response.text
    proof = response.json()
    note = open_checkpoint(proof["checkpoint"]["text"])
    assert note.verified_by(service_key(api)) is not None
    h, previous = hasher(proof["hash"]), FIRST
    for event in proof["events"]:
        chain = chain_hash(h, previous, UUID(proof["stream"]), event["version"],
                           event["topic"], base64.b64decode(event["state"]))
        leaf = leaf_hash(h, chain)
        assert (chain.hex(), leaf.hex()) == (event["chain"], event["leaf_hash"])
        verify_inclusion(h, event["leaf"], note.size, leaf,
                         [bytes.fromhex(p) for p in event["inclusion"]], note.root)
        previous = chain
    assert [e["version"] for e in proof["events"]] == list(range(1, doc["version"] + 1))
    api.open("Z2")  # the log grows, a later checkpoint is made: proofs are in the latest
    later = checkpoints.make(api.client.app.state.runtime).size
    assert later > note.size
    assert api.get("inspector", f"/appraisals/{doc['id']}/proof").json()["checkpoint"][
        "size"] == later


def test_an_appraisal_proof_is_for_its_branchs_inspectors_and_the_archivists(api):
    doc = api.publish("Z1")  # branch B1
    for user, status in (("archivist", 200), ("admin", 200), ("inspector2", 403),
                         ("secretary", 403), ("m1", 403)):
        assert api.get(user, f"/appraisals/{doc['id']}/proof").status_code == status, user
    unknown = api.get("inspector", "/appraisals/00000000-0000-4000-8000-000000000000/proof")
    assert_problem(unknown, 404)


def test_a_consistency_proof_shows_the_later_checkpoint_extends_the_earlier(api):
    api.publish("Z1")
    old = made_now(api)
    api.publish("Z2")
    new = made_now(api)
    response = api.get("inspector2", f"/checkpoints/consistency?from={old['size']}"
                                     f"&to={new['size']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["hash"]) == (old["size"], new["size"], "sm3")
    verify_consistency(hasher("sm3"), old["size"], new["size"], bytes.fromhex(old["root"]),
                       bytes.fromhex(new["root"]), [bytes.fromhex(p) for p in body["proof"]])
    for sizes in (f"from={new['size']}&to={old['size']}", f"from=0&to={new['size'] + 1}"):
        assert_problem(api.get("archivist", f"/checkpoints/consistency?{sizes}"), 422)


def test_a_witness_cosignature_handed_in_over_http_is_kept_with_its_checkpoint(api, tmp_path):
    key = registered_witness(api)
    body = latest(api)
    signature = witness.cosign(key, tmp_path / "state", body["text"], [], [service_key(api)])
    response = api.post("archivist", f"/checkpoints/{body['size']}/cosignatures",
                        json={"signature": signature.line()})
    assert response.status_code == 201, response.text
    kept = api.get("inspector", f"/checkpoints/{body['size']}").json()
    assert response.json() == kept
    assert kept["signatures"][-1]["name"] == "矿党委"
    assert kept["signatures"][-1]["role"] == "witness"
    assert open_checkpoint(kept["text"]).verified_by(key.verifier(COSIGNATURE)) is not None
    again = key.cosign(body["text"].split("\n\n")[0] + "\n", signature.timestamp + 60)
    resent = api.post("archivist", f"/checkpoints/{body['size']}/cosignatures",
                      json={"signature": again.line()})
    assert resent.status_code == 201, resent.text  # a valid cosignature; the first one stands
    assert api.get("inspector", f"/checkpoints/{body['size']}").json()["text"] == kept["text"]


def test_a_cosignature_that_no_registered_witness_key_verifies_is_refused(api, tmp_path):
    registered = registered_witness(api)
    body = latest(api)
    stranger = SigningKey.generate("stranger").cosign(body["text"].split("\n\n")[0] + "\n",
                                                     int(time.time()))
    forged = registered.cosign("another checkpoint\n", int(time.time()))
    for line in (stranger.line(), forged.line()):
        refused = api.post("admin", f"/checkpoints/{body['size']}/cosignatures",
                           json={"signature": line})
        assert_problem(refused, 422)
    assert latest(api)["signatures"] == body["signatures"]


def test_a_witness_cosigns_with_the_command_on_the_store_and_over_http(api, settings,
                                                                      tmp_path):
    key = tmp_path / "witness.key"
    write_key(key, registered_witness(api))
    cosign = ["checkpoint", "cosign", "--key", str(key), "--service-key", str(service_key(api))]
    env = {"APPRAISAL_DATABASE_URL": settings.database_url,
           "APPRAISAL_SECRET_KEY": settings.secret_key or ""}
    first = latest(api)
    done = CliRunner().invoke(cli, cosign, env=env)
    assert done.exit_code == 0, done.output
    assert api.get("inspector", f"/checkpoints/{first['size']}").json()["signatures"][-1][
        "role"] == "witness"
    api.publish("Z1")
    made_now(api)
    with serving(settings) as url:
        done = CliRunner().invoke(cli, [*cosign, "--url", url, "--token", api.token("admin")])
    assert done.exit_code == 0, done.output
    second = open_checkpoint(done.output)
    assert second.size > first["size"]
    kept = api.get("inspector", f"/checkpoints/{second.size}").json()
    assert [s["role"] for s in kept["signatures"]] == ["service", "service", "witness"]


def test_a_checkpoint_follows_a_branch_approval_unasked(api):
    rt = api.client.app.state.runtime
    doc = opened_in(api, "branch_approval")
    assert checkpoints.latest_checkpoint(rt) is None
    approved = api.post("secretary", f"/appraisals/{doc['id']}/branch-approval",
                        json={"comment": "同意"})
    assert approved.status_code == 200, approved.text
    deadline = time.monotonic() + WAIT_SECONDS
    while (made := checkpoints.latest_checkpoint(rt)) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert made is not None, f"no checkpoint {WAIT_SECONDS} s after the approval"
    proof = api.get("archivist", f"/appraisals/{doc['id']}/proof").json()
    assert proof["checkpoint"]["size"] == made.size  # the approval's checkpoint holds it all


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The service on the same store, served by uvicorn on a free port: its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_SECONDS)
