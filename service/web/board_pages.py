"""公示栏: a posting as the board shows it — its window, its ranked results, and during the
window a way to object to each (提出异议) — for every signed-in reader (`/app/board`, by
branch and period, or `/app/postings/{id}`), and for staff without accounts through the
public link (`/board/{secret}`, by name and contact). The use cases decide who may object;
their refusals (403, 409) are said in words beside the form."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from domain.period import Period
from service.cases import postings
from service.cases.directory import filter_choices
from service.schemas import ObjectionIn, PublicObjectionIn
from service.sign_in import client_address
from service.web.i18n import language
from service.web.organisation_pages import Posted, codes
from service.web.pages import PageActor
from service.web.problems import explain
from service.web.rendering import page_router, page_status, public_router, render
from service.web.session import board_token, check_board, runtime_of, start_board
from service.web.views import LONGEST
from workflows.access import Actor

router = page_router()
public = public_router()
Refusal = ValidationError | InvalidError | ConflictError | ForbiddenError
Posting = dict[str, Any]


@router.get("/board")
def board_page(request: Request, actor: PageActor, branch_id: str | None = None,
               period: str | None = None, raised: str | None = None) -> Response:
    """The latest posting of a branch's period (default: the reader's own branch, its latest
    period posted)."""
    rt = runtime_of(request)
    branches = filter_choices(rt)["branches"]
    chosen = branch_id or postings.branch_of(rt.workflows, actor) or \
        (branches[0][0] if branches else "")
    if branch_id and branch_id not in dict(branches):
        raise NotFoundError("branch", branch_id)
    items = postings.listing(rt, chosen, None)["items"] if chosen else []
    label = str(Period.parse(period)) if period else (items[0]["period"] if items else None)
    found = next((p for p in items if p["period"] == label), None)
    return _board(request, actor, found, items, branches=branches, chosen=chosen,
                  period_code=label, raised=bool(raised))


@router.get("/postings/{posting_id}")
def posting_page(posting_id: str, request: Request, actor: PageActor,
                 raised: str | None = None) -> Response:
    """One posting, superseded or closed ones too (with the way to the latest)."""
    rt = runtime_of(request)
    found = postings.read(rt.workflows, posting_id)
    items = postings.listing(rt, found["branch_id"], None)["items"]
    return _board(request, actor, found, items, branches=filter_choices(rt)["branches"],
                  chosen=found["branch_id"], period_code=found["period"], raised=bool(raised))


def _board(request: Request, actor: Actor, found: Posting | None, items: list[Posting],
           **context: Any) -> Response:
    rt = runtime_of(request)
    shown = found or {"period": "", "branch_id": context["chosen"], "entries": []}
    return render(request, "board.html", actor=actor, posting=found,
                  names=postings.names(rt, shown),
                  object_base=f"/app/postings/{found['id']}/object/" if found else "",
                  periods=list(dict.fromkeys(p["period"] for p in items)), **context)


def entry_of(found: Posting, appraisal_id: str) -> dict[str, Any]:
    """The posted result objected to: one of the posting's entries (404 otherwise)."""
    entry = next((e for e in found["entries"] if e["appraisal_id"] == appraisal_id), None)
    if entry is None:
        raise NotFoundError("appraisal", appraisal_id)
    return entry


def objection_form(request: Request, found: Posting, entry: dict[str, Any], status: int = 200,
                   **context: Any) -> Response:
    """The small form of one objection, with what refused the last one (in words)."""
    return render(request, "objection.html", status, posting=found, entry=entry,
                  names=postings.names(runtime_of(request), found), longest=LONGEST, **context)


def refusal(request: Request, error: Refusal) -> dict[str, Any]:
    """What the form shows of a refusal: its status, a word beside each field, the words."""
    status = 422 if isinstance(error, ValidationError) else page_status(error)
    return {"status": status, "error_status": status, "failed": "object",
            "errors": codes(error) if isinstance(error, ValidationError)
            else getattr(error, "errors", {}),
            "problem": explain(error, status, language(request))}


@router.get("/postings/{posting_id}/object/{appraisal_id}")
def object_form(posting_id: str, appraisal_id: str, request: Request,
                actor: PageActor) -> Response:
    found = postings.read(runtime_of(request).workflows, posting_id)
    return objection_form(request, found, entry_of(found, appraisal_id), actor=actor,
                          action=request.url.path, back=f"/app/postings/{posting_id}")


@router.post("/postings/{posting_id}/object/{appraisal_id}")
def raise_objection(posting_id: str, appraisal_id: str, request: Request, actor: PageActor,
                    form: Posted) -> Response:
    """A member's objection with its reason (`POST /appraisals/{id}/objections`)."""
    workflows = runtime_of(request).workflows
    found = postings.read(workflows, posting_id)
    entry = entry_of(found, appraisal_id)
    try:
        body = ObjectionIn.model_validate({"reason": form.get("reason", "")})
        postings.raise_objection(workflows, actor, UUID(appraisal_id), body.reason)
    except (ValidationError, InvalidError, ConflictError, ForbiddenError) as error:
        return objection_form(request, found, entry, actor=actor, action=request.url.path,
                              back=f"/app/postings/{posting_id}", values=form,
                              **refusal(request, error))
    return RedirectResponse(f"/app/postings/{posting_id}?raised=1", status_code=303)


@public.get("/{secret}")
def public_board(secret: str, request: Request, raised: str | None = None) -> Response:
    """The board a public link shows, to anyone: the posting, nothing more of the
    organisation. An unknown or revoked link is a plain 404."""
    rt = runtime_of(request)
    found = postings.board(rt.workflows, secret)
    return render(request, "board.html", public=True, posting=found,
                  names=postings.names(rt, found), object_base=f"/board/{secret}/object/",
                  raised=bool(raised))


def public_form(request: Request, secret: str, appraisal_id: str, status: int = 200,
                **context: Any) -> Response:
    """The public objection form, its CSRF token in a cookie of the board's pages."""
    rt = runtime_of(request)
    found = postings.board(rt.workflows, secret)
    token = board_token(request)
    response = objection_form(request, found, entry_of(found, appraisal_id), status,
                              public=True, csrf=token, action=request.url.path,
                              back=f"/board/{secret}", **context)
    start_board(response, rt, token)
    return response


@public.get("/{secret}/object/{appraisal_id}")
def public_object_form(secret: str, appraisal_id: str, request: Request) -> Response:
    return public_form(request, secret, appraisal_id)


async def board_form(request: Request) -> FormData:
    """The public form, once its token is the one its page gave (403, nothing counted)."""
    await check_board(request)
    return await request.form()


@public.post("/{secret}/object/{appraisal_id}")
def public_objection(secret: str, appraisal_id: str, request: Request,
                     form: Annotated[FormData, Depends(board_form)]) -> Response:
    """An objection through the public link (`POST /public/boards/{secret}/objections`),
    counted per link and per address as there (429 past the limit)."""
    rt = runtime_of(request)
    postings.counted(rt, secret, client_address(request))
    entry = entry_of(postings.board(rt.workflows, secret), appraisal_id)  # else a plain 404
    typed = {key: str(form.get(key, "")) for key in ("name", "contact", "reason")}
    try:
        body = PublicObjectionIn.model_validate({"appraisal_id": appraisal_id, **typed})
        postings.raise_public(rt.workflows, secret, UUID(entry["appraisal_id"]), body.reason,
                              body.name, body.contact)
    except (ValidationError, InvalidError, ConflictError, ForbiddenError) as error:
        failed = refusal(request, error)
        return public_form(request, secret, appraisal_id, failed.pop("status"), values=typed,
                           **failed)
    return RedirectResponse(f"/board/{secret}?raised=1", status_code=303)
