"""Bulk sign-off: one action on many appraisals in one request, each item as if sent alone.

Each item is loaded, checked in the single sign-off's order (docs/ARCHITECTURE.md), recorded
and saved on its own, so a refused item never stops or undoes another, and it is answered
with the status and body its single sign-off would have had.

With an Idempotency-Key, the request first claims the key with a receipt of its own (another
request under the key is 409 from then on), and each item's outcome is kept as a receipt of
its own, under a key made of the request's key and the item's number: a taken step in the
transaction of its event, a refusal in a transaction of its own. A retry (after a crash
mid-way, or racing the first) is answered from the receipts item by item, and runs only the
items that have none; an item is never applied twice, because its receipt can be written
only once.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from fastapi.exceptions import RequestValidationError

from domain.appraisal import Appraisal
from domain.bounds import MAX_BULK
from domain.errors import DomainError, InvalidError
from domain.receipts import Receipt
from service.cases.appraisals import expected_version
from service.cases.receipts import ITEM, kept
from service.errors import described
from service.runtime import Runtime
from workflows.access import Actor
from workflows.appraisals import Retry, Submission
from workflows.process import PROCESS, Action

# What refuses one item alone: the single sign-off's 403, 404, 409, 412 and 422.
REFUSALS = (DomainError, IntegrityError, RequestValidationError)


@dataclass(frozen=True)
class Item:
    """One appraisal as the sender names it, the version it expects, and its submission read
    from what was sent (as its single sign-off reads it: 422 if it does not fit)."""

    id: str
    if_match: str | None
    submission: Callable[[Appraisal], Submission]


@dataclass(frozen=True)
class Outcome:
    """How one item ended: 200 with the document, else the problem the API answers with;
    `error` is the refusal as raised (None when taken, or answered from a receipt)."""

    id: str
    status: int
    body: dict[str, Any]
    error: Exception | None = None
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        said = "document" if self.status == 200 else "problem"
        return {"id": self.id, "status": self.status, said: self.body}


def steps_for(actor: Actor) -> list[Action]:
    """The forward steps the actor signs by a role granted to them (a group leader's review,
    a secretary's approval…), in the procedure's order: what the bulk page offers."""
    return [move.action for move in PROCESS if move.forward and actor.has_role(move.role)]


def take_all(rt: Runtime, actor: Actor, action: str, items: Sequence[Item],
             key: str | None = None, fingerprint: str = "") -> list[Outcome]:
    """Take `action` on every item in turn; each item's outcome. With `key`, the outcomes
    kept under it for the request `fingerprint` names are answered again (409 for a key
    used for another request). 422 for the whole: no items, too many, one named twice."""
    check_items(items)
    again = _claim(rt, Retry(actor.username, key, fingerprint), len(items)) if key else False
    return [_one(rt, actor, action, item,
                 Retry(actor.username, f"{key}{ITEM}{n}", fingerprint) if key else None, again)
            for n, item in enumerate(items)]


def check_items(items: Sequence[Item]) -> None:
    """From one to MAX_BULK items, each appraisal named once, however its id is spelled."""
    if not 1 <= len(items) <= MAX_BULK:
        raise InvalidError(f"a bulk sign-off takes 1 to {MAX_BULK} items", {"items": "count"})
    named = {_canonical(item.id) for item in items}
    if len(named) < len(items):
        raise InvalidError("an appraisal is named twice", {"items": "duplicate"})


def _canonical(text: str) -> str:
    """One spelling of an appraisal id: UUID() reads capitals, braces and URNs alike."""
    try:
        return str(UUID(text))
    except ValueError:
        return text


def _claim(rt: Runtime, retry: Retry, count: int) -> bool:
    """The request's own receipt, under its key: the key is this request's from now on (409
    for another request under it, a single sign-off's too), and its answers are kept under
    the items' keys. Whether it was claimed before (a retry, or a racing request with the
    same key first): only then may its items have receipts already."""
    if kept(rt.workflows, retry) is not None:
        return True
    try:
        rt.workflows.keep_answer(retry, 200, {"items": count})
    except IntegrityError:
        if kept(rt.workflows, retry) is None:
            raise
        return True
    return False


def _one(rt: Runtime, actor: Actor, action: str, item: Item, retry: Retry | None,
         again: bool) -> Outcome:
    """The item's outcome: kept already (`again`: the request was claimed before), or found
    now. A racing request that keeps its outcome first makes this one's save fail
    (IntegrityError on the receipt), and that outcome is answered instead."""
    if retry and again and (receipt := kept(rt.workflows, retry)):
        return _replayed(item, receipt)
    workflows = rt.workflows
    try:
        appraisal = workflows.load_stream(item.id)
        taken = workflows.take(appraisal, action, actor, item.submission(appraisal),
                               if_match=expected_version(item.if_match, appraisal.version),
                               retry=retry)
    except REFUSALS as error:
        return _refused(rt, item, error, retry)
    rt.took(action)
    return Outcome(item.id, 200, taken.document())


def _refused(rt: Runtime, item: Item, error: Exception, retry: Retry | None) -> Outcome:
    """The refusal, kept under the item's key if it has one; if a racing request with the
    same key kept its outcome first, that one."""
    problem = described(error)
    if retry is not None:
        try:
            rt.workflows.keep_answer(retry, problem["status"], problem)
        except IntegrityError:
            if receipt := kept(rt.workflows, retry):
                return _replayed(item, receipt)
            raise
    return Outcome(item.id, problem["status"], problem, error)


def _replayed(item: Item, receipt: Receipt) -> Outcome:
    return Outcome(item.id, receipt.status, json.loads(receipt.body), replayed=True)
