"""What the appraisal pages show, worked out from the aggregate and its events.

Plain data for the templates: the form's items with their maxima, each step's latest
submission, the progress through the five states, the forms the reader may fill in now, and
the history with each score's old → new value; a cancelled appraisal's cancellation.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from domain.appraisal import Appraisal
from domain.documents import MONTHS_SUMMARISED, document, history_entry, number
from domain.errors import InvalidError, NotFoundError
from domain.organisation import Member
from domain.process import STEPS, State
from service.schemas import ApprovalIn, ReasonIn, ScoredIn
from service.web.posting import Loc, field_errors
from workflows import machine
from workflows.application import Workflows
from workflows.appraisals import Submission
from workflows.process import REASONED, SCORED, STEP_OF, Action

# The longest comment and reason the API takes: the page's text boxes say the same.
LONGEST = {name: model.model_json_schema()["properties"][name]["maxLength"]
           for name, model in (("comment", ApprovalIn), ("reason", ReasonIn))}


def progress(state: str) -> list[dict[str, str]]:
    """The procedure's five states, each done, current or still to come; all to come for a
    cancelled appraisal (nothing was signed in it)."""
    states = [s for s in machine.STATES if s != State.CANCELLED]
    here = states.index(state) if state in states else -1
    return [{"state": s, "status": "done" if here >= 0 and (i < here or state == State.PUBLISHED)
             else "current" if i == here else "todo"}
            for i, s in enumerate(states)]


def member_names(workflows: Workflows, member_ids: Iterable[str]) -> list[str]:
    """`张伟 (M1)` for each member; the id alone for a member no longer found."""
    names = []
    for member_id in member_ids:
        try:
            names.append(f"{workflows.load(Member, member_id, kind='member').name} ({member_id})")
        except NotFoundError:
            names.append(member_id)
    return names


def prefill(doc: Mapping[str, Any], action: str) -> dict[str, Any]:
    """The scores a scored form starts from: the step's own last submission (after a return),
    else the latest step before it, so a reviewer corrects rather than retypes; else, on a
    year-end, the monthly averages offered as a starting point."""
    return _signed(doc, action) or dict(offered(doc) or {})


def _signed(doc: Mapping[str, Any], action: str) -> dict[str, Any]:
    own = STEPS.index(STEP_OF[action])
    for step in (STEPS[own], *reversed(STEPS[:own])):
        if doc[step] and doc[step]["scores"]:
            return dict(doc[step]["scores"])
    return {}


def offered(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """A year-end's item averages of its months (domain.yearend), if it offers them."""
    months = doc.get("months")
    return None if months is None else months["offered"]


def months_view(zone_id: str, months: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A year-end's twelve months (its document's `months`) for the pages, each with the
    month's appraisal as it was read (its id and version); None without them."""
    if months is None:
        return None
    rows = [{"period": period, "result": found,
             "id": str(Appraisal.create_id(zone_id, period))}
            for period, found in months["results"].items()]
    return {**months, "rows": rows, "published": sum(r["result"] is not None for r in rows)}


def appraisal_view(workflows: Workflows, appraisal: Appraisal,
                   allowed: list[str]) -> dict[str, Any]:
    """Everything the appraisal page shows, for a reader allowed `allowed` now."""
    doc = document(appraisal)
    return {
        "doc": doc,
        "zone_name": appraisal.zone_name,
        "branch_id": appraisal.branch_id,
        "group_id": appraisal.group_id,
        "items": [(code, number(maximum)) for code, maximum in appraisal.items.items()],
        "steps": [(step, doc[step]) for step in STEPS],
        "progress": progress(appraisal.state),
        "responsibles": member_names(workflows, appraisal.responsible_member_ids),
        "scored": [a for a in allowed if a in SCORED],
        "approval": Action.BRANCH_APPROVAL in allowed,
        "reasoned": [a for a in allowed if a in REASONED],
        "prefill": {a: prefill(doc, a) for a in allowed if a in SCORED},
        # A year-end's months, and the forms that start from their averages (none signed yet).
        "months": months_view(appraisal.zone_id, doc.get("months")),
        "from_months": [a for a in allowed if a in SCORED and not _signed(doc, a)
                        and offered(doc)],
        "reward": number(appraisal.reward),
        "longest": LONGEST,
        # 公示 and supervision beside the steps; an objector's contact is the branch's only.
        "objections": [{"id": key, **{k: v for k, v in found.items() if k != "contact"}}
                       for key, found in appraisal.objections.items()],
        "final": appraisal.final,
        "cancellation": appraisal.cancellation,
        "findings": [{"id": key, **found} for key, found in appraisal.findings.items()],
    }


def history_view(events: Iterable[Any]) -> list[dict[str, Any]]:
    """Every event as the history shows it, scored ones with old → new per item: old is
    the score that stood before (the earlier step's, or this step's previous submission).
    `moved`: the event led to another state (acts beside the process, such as an objection,
    record the state the appraisal stays in)."""
    standing: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    for domain_event in events:
        entry = history_entry(domain_event)
        entry["moved"] = not entries or entries[-1]["state"] != entry["state"]
        if entry["type"] == MONTHS_SUMMARISED:
            entry["months"] = months_view(entries[0]["data"]["zone_id"], entry["data"])
        scores = entry["data"].get("scores")
        if entry["type"] != "opened" and scores:
            entry["changes"] = [(code, standing.get(code), new) for code, new in scores.items()
                                if standing.get(code) != new]
            standing = dict(scores)
        entries.append(entry)
    return entries


def _decimal_or_text(text: str) -> Decimal | str:
    """A typed score as the number it reads as; left as text (which the domain refuses as
    'not a number') when it is not one, so the server's check is the domain's own."""
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return text


def submission_of(action: str, form: Mapping[str, str], items: Iterable[str]) -> Submission:
    """The page's form fields as the workflow's submission for `action`, through the body
    schema the API's route for `action` reads, with its limits (a comment or reason of
    4,000 characters at most): what it refuses is the domain's InvalidError, 422, beside the
    field, and nothing is recorded."""
    try:
        if action in SCORED:
            scores = {code: _decimal_or_text(form[code]) for code in items if code in form}
            scored = ScoredIn.model_validate({"scores": scores,
                                              "comment": form.get("comment", "")})
            return Submission(scores=scored.scores, comment=scored.comment)
        if action in REASONED:
            return Submission(reason=ReasonIn.model_validate(form).reason)
        return Submission(comment=ApprovalIn.model_validate(form).comment)
    except ValidationError as error:
        raise InvalidError(f"the {action} form does not fit: {error.error_count()} error(s)",
                           field_errors(error, _field_of)) from None


def _field_of(loc: Loc) -> str:
    """The page's field of a schema error: an item's code for a score, else its name."""
    return str(loc[1]) if loc[0] == "scores" and len(loc) > 1 else str(loc[0])
