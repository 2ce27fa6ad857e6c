"""Idempotency receipts: what makes two requests the same, and the first answer kept under a
key (the workflow saves it with the write it answers: workflows.appraisals.Retry)."""

import hashlib
import json
from typing import Any

from domain.receipts import Receipt
from service.errors import IdempotencyKeyReusedError
from workflows.application import Workflows
from workflows.appraisals import Retry

# Between a bulk request's key and an item's number, in the key its item's receipt is kept
# under: no header value holds a line break, so no single request's key names an item's.
ITEM = "\n"


def fingerprint(*parts: Any) -> str:
    """What makes two requests the same: method, target and body, canonically encoded."""
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def kept(workflows: Workflows, retry: Retry) -> Receipt | None:
    """The receipt kept under the retry's key, if the key was used; 409 if it was used for
    another request."""
    receipt = workflows.find(Receipt, retry.username, retry.key)
    if receipt is not None and receipt.fingerprint != retry.fingerprint:
        raise IdempotencyKeyReusedError(
            f"Idempotency-Key {retry.key.split(ITEM)[0]!r} was used for another request")
    return receipt
