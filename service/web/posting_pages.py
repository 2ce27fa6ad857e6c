"""公示管理: a branch secretary posts a period's results on the board for a window of working
days, follows each posting (公示中, 已定稿, 已更正重新公示) and closes it once the window is
over and every objection is answered (定稿); issues and revokes the public link; answers
each objection, upheld (the result goes back to the group review, to be posted again once
corrected) or dismissed, with a reason. Administrators post and close too; inspectors read.
Each form calls the use case the API calls (service.cases.postings) and is refused as the
API refuses it, in words."""

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.bounds import count_of
from domain.errors import ConflictError, ForbiddenError, InvalidError
from domain.period import Period
from domain.process import Role
from service.cases import postings
from service.cases.directory import filter_choices, published_periods, users_named
from service.downloads import download
from service.runtime import Runtime
from service.schemas import AnswerIn, LinkIn, PostingIn
from service.web.i18n import language
from service.web.organisation_pages import Posted, codes
from service.web.pages import PageActor
from service.web.posting import back
from service.web.problems import explain
from service.web.rendering import page_router, page_status, render, this_month
from service.web.session import runtime_of
from service.web.views import LONGEST
from workflows.access import Actor
from workflows.publicity import POSTERS

router = page_router()
PAGE = "/app/postings"
# What a redirect's `done` says: the word of its notice.
DONE = {"posted": "posted_ok", "closed": "closed_ok", "revoked": "link_revoked",
        "upheld": "upheld_note", "dismissed": "dismissed_note"}
Refusal = ValidationError | InvalidError | ConflictError


def overseen(request: Request, actor: Actor) -> list[tuple[str, str]]:
    """The branches whose postings the reader oversees: their secretary, inspectors and
    administrators (403 for none)."""
    branches = [b for b in filter_choices(runtime_of(request))["branches"]
                if any(actor.holds(role, b[0]) for role in postings.OVERSEERS)]
    if not branches:
        raise ForbiddenError("postings are for the branch's secretary, its inspectors and "
                             "administrators", "scope")
    return branches


def page(request: Request, actor: Actor, branch_id: str | None, period: str | None,
         status: int = 200, **context: Any) -> Response:
    """The branch's period (default: the first branch, the latest published period): the
    ranking now, the postings with their objections, the public link's state."""
    rt = runtime_of(request)
    branches = overseen(request, actor)
    chosen = branch_id or branches[0][0]
    if chosen not in dict(branches):
        raise ForbiddenError("this branch's postings are not yours to oversee", "scope")
    periods = published_periods(rt)
    label = str(Period.parse(period or (periods[0] if periods else this_month())))
    return render(request, "postings.html", status, actor=actor, branches=branches,
                  chosen=chosen, branch_name=dict(branches)[chosen], period_code=label,
                  periods=sorted({*periods, this_month(), label}, reverse=True),
                  preview=postings.preview(rt, chosen, label),
                  link=postings.link_issued(rt.workflows, chosen, label),
                  may_post=any(actor.holds(role, chosen) for role in POSTERS),
                  may_answer=actor.holds(Role.BRANCH_SECRETARY, chosen), longest=LONGEST,
                  **_postings(rt, actor, chosen, label), **context)


def _postings(rt: Runtime, actor: Actor, branch_id: str, period: str) -> dict[str, Any]:
    """The period's postings, latest first, each with its objections (zones by name), and
    the names of the places and people they show."""
    items = postings.listing(rt, branch_id, period)["items"]
    shown = [{"posting": p, "zones": {e["appraisal_id"]: e["zone_name"] for e in p["entries"]},
              "objections": postings.objections(rt.workflows, actor, p["id"])["items"]}
             for p in items]
    every = {"period": period, "branch_id": branch_id,
             "entries": [e for p in items for e in p["entries"]]}
    people = [p[k] for p in items for k in ("posted_by", "closed_by") if p[k]]
    for objection in (o for s in shown for o in s["objections"]):
        people += [objection["actor"], *([objection["answer"]["actor"]]
                                         if objection["answer"] else [])]
    return {"shown": shown, "names": postings.names(rt, every),
            "users": users_named(rt, people)}


@router.get("/postings")
def postings_page(request: Request, actor: PageActor, branch_id: str | None = None,
                  period: str | None = None, done: str | None = None) -> Response:
    return page(request, actor, branch_id or None, period or None, done=DONE.get(done or ""))


def refused(request: Request, actor: Actor, form: FormData, failed: str,
            error: Refusal) -> Response:
    """The page again with the form that failed: 422 with a word beside each field, or the
    API's status (409: a state of 公示) said in words; nothing was recorded."""
    status = 422 if isinstance(error, ValidationError) else page_status(error)
    errors = codes(error) if isinstance(error, ValidationError) else \
        getattr(error, "errors", {})
    return page(request, actor, str(form.get("branch_id", "")) or None,
                str(form.get("period", "")) or None, status, failed=failed, errors=errors,
                error_status=status, values=form,
                problem=explain(error, status, language(request)))


def _days(text: str) -> int | str | None:
    """A typed window as the JSON a client sends: empty for the branch's own, a number, or
    the text itself for the API's schema to refuse."""
    text = text.strip()
    found = count_of(text)
    return found if found is not None else (text or None)


@router.post("/postings")
def post(request: Request, actor: PageActor, form: Posted) -> Response:
    """Post the period's results as the ranking stands now (`POST …/postings`)."""
    branch_id = str(form.get("branch_id", ""))
    try:
        body = PostingIn.model_validate({"period": form.get("period", ""),
                                         "days": _days(str(form.get("days", ""))),
                                         "partial": form.get("partial") == "1"})
        postings.post(runtime_of(request), actor, branch_id, body.period, body.days,
                      body.partial)
    except (ValidationError, InvalidError, ConflictError) as error:
        return refused(request, actor, form, "post", error)
    return back(PAGE, branch_id=branch_id, period=body.period, done="posted")


@router.post("/postings/{posting_id}/close")
def close(posting_id: str, request: Request, actor: PageActor, form: Posted) -> Response:
    """Close the posting: its results become final (`POST /postings/{id}/close`)."""
    workflows = runtime_of(request).workflows
    posting = postings.read(workflows, posting_id)
    place = {"branch_id": posting["branch_id"], "period": posting["period"]}
    try:
        postings.close(workflows, actor, posting_id)
    except ConflictError as error:
        return refused(request, actor, FormData(place), posting_id, error)
    return back(PAGE, **place, done="closed")


@router.post("/postings/link")
def issue_link(request: Request, actor: PageActor, form: Posted) -> Response:
    """A new public link, shown in full on this answer only: the service keeps its hash."""
    branch_id = str(form.get("branch_id", ""))
    try:
        body = LinkIn.model_validate({"period": form.get("period", "")})
        secret = runtime_of(request).workflows.issue_link(branch_id, body.period, actor)
    except (ValidationError, ConflictError) as error:
        return refused(request, actor, form, "link", error)
    # The language link goes to the page, not back to this form's target.
    here = f"{PAGE}?{urlencode({'branch_id': branch_id, 'period': body.period})}"
    return page(request, actor, branch_id, body.period, issued=f"{request.base_url}board/{secret}",
                here=here)


@router.post("/postings/link/revoke")
def revoke_link(request: Request, actor: PageActor, form: Posted) -> Response:
    branch_id, period = str(form.get("branch_id", "")), str(form.get("period", ""))
    runtime_of(request).workflows.revoke_link(branch_id, str(Period.parse(period)), actor)
    return back(PAGE, branch_id=branch_id, period=period, done="revoked")


@router.post("/objections/{objection_id}/answer")
def answer(objection_id: str, request: Request, actor: PageActor, form: Posted) -> Response:
    """The branch secretary's answer with its reason (`POST /objections/{id}/answer`);
    upheld, the result goes back to the group review."""
    upheld = {"true": True, "false": False}.get(str(form.get("upheld", "")))
    try:
        body = AnswerIn.model_validate({**({} if upheld is None else {"upheld": upheld}),
                                        "reason": form.get("reason", "")})
        postings.answer(runtime_of(request).workflows, actor, objection_id, body.upheld,
                        body.reason)
    except (ValidationError, InvalidError, ConflictError) as error:
        return refused(request, actor, form, objection_id, error)
    return back(PAGE, branch_id=form.get("branch_id", ""), period=form.get("period", ""),
                done="upheld" if body.upheld else "dismissed")


@router.get("/postings/{posting_id}/board.pdf")
def board_pdf(posting_id: str, request: Request, _actor: PageActor) -> Response:
    """The posting as the printable board, in the reader's language; any signed-in reader."""
    return download(postings.board_pdf(runtime_of(request), posting_id, language(request)))
