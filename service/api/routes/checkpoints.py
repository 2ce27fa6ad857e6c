"""The verifiable history (issue 16): the log's signed checkpoints, the proofs that one
extends another, and the witnesses who cosign them.

Inspectors of any scope, archivists and administrators read them: a checkpoint proves the
whole log and tells nothing of any appraisal (an appraisal's own proof is beside its
history, in routes/appraisals.py). Checks answer 401, 422 for a size or body of the wrong
shape, 403, then 404 for a checkpoint that does not exist.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from service.api.deps import ActorDep, RuntimeDep
from service.cases import checkpoints, witnesses
from service.params import MAX_SIZE, Size, SizeInPath
from service.schemas import Checkpoint, Consistency, CosignatureIn, Witness, WitnessIn

router = APIRouter(tags=["verifiable history"])
SizeInQuery = Annotated[Size, Query(ge=0, lt=MAX_SIZE)]


@router.get("/checkpoints/latest", response_model=Checkpoint)
def latest(rt: RuntimeDep, actor: ActorDep) -> dict[str, Any]:
    """The latest signed checkpoint (the first is made when first asked for); 404 while
    the log is empty."""
    checkpoints.check_reader(actor)
    return checkpoints.view(rt, checkpoints.current(rt))


@router.get("/checkpoints/consistency", response_model=Consistency)
def consistency(rt: RuntimeDep, actor: ActorDep,
                old: Annotated[Size, Query(alias="from", ge=0, lt=MAX_SIZE)],
                to: SizeInQuery) -> dict[str, Any]:
    """The proof that the log of `to` events extends the log of `from` unchanged (RFC 9162
    2.1.4): nodes in hex, checked against the two checkpoints' roots. 422 unless
    0 ≤ from ≤ to ≤ the log's size."""
    checkpoints.check_reader(actor)
    return checkpoints.consistency(rt, old, to)


@router.get("/checkpoints/{size}", response_model=Checkpoint)
def checkpoint(size: SizeInPath, rt: RuntimeDep, actor: ActorDep) -> dict[str, Any]:
    """The checkpoint of the log at `size` events, with every cosignature it has."""
    checkpoints.check_reader(actor)
    return checkpoints.view(rt, checkpoints.checkpoint(rt, size))


@router.post("/checkpoints/{size}/cosignatures", status_code=201, response_model=Checkpoint)
def cosign(size: SizeInPath, body: CosignatureIn, rt: RuntimeDep,
           actor: ActorDep) -> dict[str, Any]:
    """Keep a witness's cosignature of the checkpoint, one signature line of its note
    (`appraisal checkpoint cosign` makes it): handed in by an archivist or administrator,
    kept only if it verifies with a registered witness key (422 otherwise). The checkpoint
    with it."""
    witnesses.check_cosigner(actor)
    return checkpoints.view(rt, witnesses.add_cosignature(rt, size, body.signature))


@router.post("/witnesses", status_code=201, response_model=Witness)
def add_witness(body: WitnessIn, rt: RuntimeDep, actor: ActorDep) -> dict[str, str]:
    """Register a witness's key (a cosignature vkey, type 0x04, as `appraisal checkpoint
    witness-key` prints it): administrators only; registering it again changes nothing."""
    witnesses.check_admin(actor)
    verifier = witnesses.add_witness(rt, body.vkey)
    return {"name": verifier.name, "key_id": verifier.key_id.hex(), "vkey": str(verifier)}
