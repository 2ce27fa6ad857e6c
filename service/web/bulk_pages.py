"""批量办理 (bulk sign-off): pick a step, select among the appraisals that wait for it, review
the chosen list, confirm, and read each item's outcome. The API's use case does the work
(service.cases.bulk), each item checked and recorded on its own."""

import secrets
from collections.abc import Callable
from itertools import islice
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from domain.appraisal import Appraisal
from domain.bounds import MAX_BULK
from domain.documents import number
from domain.errors import DomainError, ForbiddenError, InvalidError
from domain.period import Period
from domain.process import STEPS, State
from service.cases import bulk
from service.cases.appraisals import lent
from service.cases.inbox import waiting
from service.cases.receipts import fingerprint
from service.runtime import Runtime
from service.web.i18n import language
from service.web.pages import PageActor
from service.web.problems import explain
from service.web.rendering import page_router, render, waited
from service.web.session import check_csrf, runtime_of
from service.web.views import submission_of
from workflows.access import Actor
from workflows.appraisals import Submission
from workflows.process import EVENT_OF, SCORED, STEP_OF, Action

router = page_router()
KEY_LENGTH = 200  # as the API's Idempotency-Key


async def bulk_form(request: Request) -> FormData:
    """The posted form, once its CSRF token has been checked: its ids come as a list."""
    await check_csrf(request)
    return await request.form()


BulkForm = Annotated[FormData, Depends(bulk_form)]


@router.get("/bulk")
def choose(request: Request, actor: PageActor, action: str | None = None,
           period: str | None = None) -> Response:
    """批量办理: the appraisals that wait for the reader's step, to select; 403 for a reader
    who signs no step by a role."""
    rt = runtime_of(request)
    steps = _steps(rt, actor)
    chosen = action if action in steps else steps[0]
    label = str(Period.parse(period)) if period else None
    rt.ready("appraisal_index", "directory")
    lang = language(request)
    # The oldest MAX_BULK, so that "select all" is always one request's worth.
    docs = (doc for doc in waiting(rt, actor, label) if chosen in doc["allowed_actions"])
    rows = [_row(rt.workflows.load_appraisal(UUID(doc["id"])), chosen, lang)
            for doc in islice(docs, MAX_BULK + 1)]
    return render(request, "bulk.html", actor=actor, stage="choose", steps=steps,
                  action=chosen, rows=rows[:MAX_BULK], more=len(rows) > MAX_BULK,
                  typed_period=period or "", most=MAX_BULK)


@router.post("/bulk/review")
def review(request: Request, actor: PageActor, form: BulkForm) -> Response:
    """The chosen appraisals, each with the previous step's total (and, for a scored step,
    the scores it will be signed with), for the reader to confirm."""
    rt = runtime_of(request)
    action = _action(rt, form, actor)
    ids = _strings(form, "id")
    bulk.check_items([bulk.Item(i, None, _nothing) for i in ids])
    lang = language(request)
    rows = [_row(_readable(rt, i, actor), action, lang) for i in ids]
    return render(request, "bulk.html", actor=actor, stage="review", action=action, rows=rows,
                  scored=action in SCORED, key=secrets.token_urlsafe(24))


@router.post("/bulk")
def confirm(request: Request, actor: PageActor, form: BulkForm) -> Response:
    """Take the step on every confirmed appraisal, each at the version reviewed, with the
    previous step's scores for a scored step; then each one's outcome. Sent again (a reload),
    the same form is answered from the first outcomes, recording nothing more."""
    rt = runtime_of(request)
    action = _action(rt, form, actor)
    comment, key, sent = _field(form, "comment"), _field(form, "key"), _strings(form, "item")
    if len(key) > KEY_LENGTH:
        raise InvalidError("the form's key is too long", {"key": "too long"})
    items = [_item(text, action, comment) for text in sent]
    outcomes = bulk.take_all(rt, actor, action, items, key or None,
                             fingerprint("bulk page", action, comment, sent))
    lang = language(request)
    rows = [_outcome(rt, actor, outcome, lang) for outcome in outcomes]
    return render(request, "bulk.html", actor=actor, stage="done", action=action, rows=rows,
                  taken=sum(1 for o in outcomes if o.status == 200), done=EVENT_OF[action])


def _steps(rt: Runtime, actor: Actor) -> list[Action]:
    """The steps the reader takes in bulk, by a role of theirs or one their principals lend
    them today (代签); 403 for a reader who signs none by a role."""
    steps = bulk.steps_for(lent(rt, actor))
    if not steps:
        raise ForbiddenError("bulk sign-off is for those who sign a step by their role")
    return steps


def _action(rt: Runtime, form: FormData, actor: Actor) -> str:
    """The step the form names, one the reader signs (403 for a reader who signs none)."""
    steps = _steps(rt, actor)
    chosen = _field(form, "action")
    if chosen not in steps:
        raise InvalidError(f"'{chosen}' is not a step you take in bulk", {"action": "unknown"})
    return chosen


def _strings(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str)]


def _field(form: FormData, name: str) -> str:
    """A field sent once (the last, if sent again); '' if not sent."""
    return next(reversed(_strings(form, name)), "")


def _nothing(_appraisal: Appraisal) -> Submission:
    return Submission()


def _readable(rt: Runtime, appraisal_id: str, actor: Actor) -> Appraisal:
    """The appraisal, if the reader may read it (404, 403 otherwise)."""
    appraisal = rt.workflows.load_stream(appraisal_id)
    rt.workflows.check_readable(appraisal, actor)
    return appraisal


def previous_step(action: str) -> State | None:
    """The step signed before the one `action` signs (none before the self-check)."""
    here = STEPS.index(STEP_OF[action])
    return STEPS[here - 1] if here else None


def offered(appraisal: Appraisal, action: str) -> dict[str, str]:
    """The scores a scored step is signed with in bulk: the previous step's, as shown."""
    before = previous_step(action)
    signed = appraisal.steps.get(before) if before else None
    return dict(signed["scores"] or {}) if signed else {}


def _place(appraisal: Appraisal) -> dict[str, Any]:
    return {"id": str(appraisal.id), "version": appraisal.version, "zone_id": appraisal.zone_id,
            "zone_name": appraisal.zone_name, "period": appraisal.period}


def _row(appraisal: Appraisal, action: str, lang: str) -> dict[str, Any]:
    """An appraisal as the page lists it: zone, period, waiting since, the previous step's
    total and the scores offered."""
    before = previous_step(action)
    signed = appraisal.steps.get(before) if before else None
    return {**_place(appraisal), "waited": waited(appraisal.modified_on, lang),
            "previous": before, "total": number(signed["total"]) if signed else None,
            "scores": {code: number(value) for code, value in offered(appraisal, action).items()}}


def _item(text: str, action: str, comment: str) -> bulk.Item:
    """`<id> <version>` of the confirmed list: the item, expected at the version reviewed."""
    appraisal_id, _, version = text.partition(" ")
    return bulk.Item(appraisal_id, version, _submitted(action, comment))


def _submitted(action: str, comment: str) -> Callable[[Appraisal], Submission]:
    """The submission read as the single page's form is (the API's schemas, 422 beside the
    field): the previous step's scores for a scored step, and the comment."""
    def read(appraisal: Appraisal) -> Submission:
        fields = {**offered(appraisal, action), "comment": comment} if action in SCORED \
            else {"comment": comment}
        return submission_of(action, fields, appraisal.items)
    return read


def _outcome(rt: Runtime, actor: Actor, outcome: bulk.Outcome, lang: str) -> dict[str, Any]:
    """An item's outcome as the page says it: the zone (if the reader may read it), the new
    state, or the refusal in words."""
    try:
        row = _place(_readable(rt, outcome.id, actor))
    except DomainError:  # not found, or not the reader's to read: its id as sent
        row = {"id": outcome.id, "zone_name": "", "zone_id": outcome.id, "period": ""}
    if outcome.status == 200:
        return {**row, "status": 200, "state": outcome.body["state"]}
    error = outcome.error or Exception(outcome.body["detail"])  # replayed: its words only
    return {**row, "status": outcome.status, "problem": explain(error, outcome.status, lang)}
