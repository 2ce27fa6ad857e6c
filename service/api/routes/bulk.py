"""Bulk sign-off: the same action on many appraisals in one request (service.cases.bulk)."""

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from domain.appraisal import Appraisal
from domain.errors import InvalidError
from service.api.deps import ActorDep, RuntimeDep
from service.api.routes.appraisals import BODIES, IdempotencyKey, submission_in
from service.cases import bulk
from service.cases.receipts import fingerprint
from service.schemas import Body, BulkIn, BulkItemIn, BulkOut
from workflows.appraisals import Submission

router = APIRouter(tags=["appraisals"])


@router.post("/appraisals/bulk", response_model=BulkOut)
def bulk_sign_off(body: BulkIn, rt: RuntimeDep, actor: ActorDep,
                  idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Take one action (`group-review`, `branch-approval`, …) on up to 500 appraisals. Each
    item is loaded, checked, recorded and saved on its own, in the order of a single
    sign-off, and answered with the status it would have had alone: 200 with the document,
    else the problem its single sign-off would have answered (403, 404, 409, 412, 422). A
    refused item stops or undoes no other. With `Idempotency-Key`, the same request is
    answered the same again, recording nothing more; another request under it is 409."""
    body_type = BODIES.get(body.action)
    if body_type is None:
        raise InvalidError(f"'{body.action}' is not taken in bulk", {"action": "not in bulk"})
    items = [bulk.Item(item.id, item.if_match, _reader(body_type, item)) for item in body.items]
    sent = fingerprint("bulk", body.model_dump(mode="json")) if idempotency_key else ""
    outcomes = bulk.take_all(rt, actor, body.action, items, idempotency_key, sent)
    replayed = all(outcome.replayed for outcome in outcomes)
    return JSONResponse({"items": [outcome.as_json() for outcome in outcomes]},
                        headers={"Idempotent-Replayed": "true"} if replayed else None)


def _reader(body_type: type[Body], item: BulkItemIn) -> Callable[[Appraisal], Submission]:
    """The item's submission, read by the action's body once its appraisal is found."""
    sent = item.model_dump(include={"scores", "comment", "reason"}, exclude_none=True)

    def read(_appraisal: Appraisal) -> Submission:
        return submission_in(body_type, sent)

    return read
