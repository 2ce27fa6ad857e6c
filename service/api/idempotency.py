"""Idempotency-Key: the first response to a keyed request is kept, with its events, for good
(the workflow saves it: workflows.appraisals.Retry); a retry is answered from it."""

import hashlib
import json
from typing import Any

from fastapi.responses import JSONResponse

from domain.receipts import Receipt
from service.errors import IdempotencyKeyReusedError
from workflows.application import Workflows
from workflows.appraisals import Retry


def fingerprint(*parts: Any) -> str:
    """What makes two requests the same: method, target and body, canonically encoded."""
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def replay(workflows: Workflows, retry: Retry) -> JSONResponse | None:
    """The first response again, if this key was used; 409 if it was used for another request."""
    receipt = workflows.find(Receipt, retry.username, retry.key)
    if receipt is None:
        return None
    if receipt.fingerprint != retry.fingerprint:
        raise IdempotencyKeyReusedError(
            f"Idempotency-Key {retry.key!r} was used for another request")
    body = json.loads(receipt.body)
    return JSONResponse(body, status_code=receipt.status,
                        headers={"ETag": f'"{body["version"]}"', "Idempotent-Replayed": "true"})
