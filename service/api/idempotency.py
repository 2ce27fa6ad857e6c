"""Idempotency-Key: the first response to a keyed request is kept, with its events, for good
(the workflow saves it: workflows.appraisals.Retry); a retry is answered from it."""

import json

from fastapi.responses import JSONResponse

from service.cases.receipts import fingerprint, kept
from workflows.application import Workflows
from workflows.appraisals import Retry

__all__ = ["fingerprint", "replay"]


def replay(workflows: Workflows, retry: Retry) -> JSONResponse | None:
    """The first response again, if this key was used; 409 if it was used for another request."""
    receipt = kept(workflows, retry)
    if receipt is None:
        return None
    body = json.loads(receipt.body)
    return JSONResponse(body, status_code=receipt.status,
                        headers={"ETag": f'"{body["version"]}"', "Idempotent-Replayed": "true"})
