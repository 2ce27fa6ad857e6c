"""公示 routes: postings of a branch's period, objections to posted results and their answers,
the branch's window, and the public link that staff without accounts read and object by."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Request, Response

from domain.errors import InvalidError
from reports import board_pdf
from service.api.deps import ActorDep, RuntimeDep, WorkflowsDep
from service.api.routes.appraisals import AppraisalDep
from service.api.routes.organisation import branch_exists
from service.cases import postings
from service.downloads import download
from service.schemas import (
    AnswerIn,
    LinkIn,
    ObjectionIn,
    PostingDaysIn,
    PostingIn,
    PublicObjectionIn,
)
from service.sign_in import client_address

router = APIRouter(tags=["publicity (公示)"])
public = APIRouter(tags=["publicity (公示)"])

POSTING_EXAMPLE = {"period": "2026-11", "days": 5}
OBJECTION_EXAMPLE = {"reason": "本月该责任区发生一起违章，考核得分偏高。"}
ANSWER_EXAMPLE = {"upheld": False, "reason": "经核实，违章发生在相邻责任区，原结果维持。"}


@router.post("/branches/{branch_id}/postings", status_code=201,
             dependencies=[Depends(branch_exists)])
def post(branch_id: str, rt: RuntimeDep, actor: ActorDep,
         body: Annotated[PostingIn, Body(openapi_examples={"month": {"value": POSTING_EXAMPLE}})]
         ) -> dict[str, Any]:
    """Post the period's results of the branch on the board (公示) for `days` working days
    (default: the branch's window, 5 unless set). The entries are the ranking as of the
    posting (`as_of`), frozen: later changes need a new posting, which refers to this one.
    With zones not yet approved (`pending`), only with `"partial": true` (else 409). The
    branch's secretary or an administrator."""
    return postings.post(rt, actor, branch_id, body.period, body.days, body.partial)


@router.get("/branches/{branch_id}/postings", dependencies=[Depends(branch_exists)])
def branch_postings(branch_id: str, rt: RuntimeDep, _actor: ActorDep,
                    period: str | None = None) -> dict[str, Any]:
    """The branch's postings, latest first: of `period`, or of every period posted."""
    return postings.listing(rt, branch_id, period)


@router.put("/branches/{branch_id}/posting-days", dependencies=[Depends(branch_exists)])
def posting_days(branch_id: str, body: PostingDaysIn, workflows: WorkflowsDep,
                 actor: ActorDep) -> dict[str, Any]:
    """How many working days the branch's postings stay up (1 to 30; 5 unless set)."""
    branch = workflows.set_posting_days(branch_id, body.days, actor)
    return {"branch_id": branch_id, "days": branch.posting_days}


@router.get("/postings/{posting_id}")
def posting(posting_id: str, workflows: WorkflowsDep, _actor: ActorDep) -> dict[str, Any]:
    """A posting: its entries as posted, its window (`opens`, `closes`; `window_open` now),
    its state (`open`, `closed`: final, `superseded` by a re-posting) and the postings it
    replaces or is replaced by. Any signed-in user: it is on the board."""
    return postings.read(workflows, posting_id)


@router.get("/postings/{posting_id}/board", response_class=Response, responses={
    200: {"content": {board_pdf.MEDIA_TYPE: {}}, "description": "The A4 公示表 to print"}})
def board_file(posting_id: str, rt: RuntimeDep, _actor: ActorDep,
               lang: Literal["zh", "en"] = "zh") -> Response:
    """The posting as the printable A4 公示表: title, ranked results, the window, how to
    raise an objection and the line for the branch's seal; in Chinese or English."""
    return download(postings.board_pdf(rt, posting_id, lang))


@router.post("/postings/{posting_id}/close")
def close(posting_id: str, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Close the posting once its window has passed and every objection is answered (409
    otherwise): its results become final (定稿), each recorded on its appraisal."""
    return postings.close(workflows, actor, posting_id)


@router.get("/postings/{posting_id}/objections")
def objections(posting_id: str, workflows: WorkflowsDep, actor: ActorDep) -> dict[str, Any]:
    """Every objection to the posting's results, with who raised it and their contact: for
    the branch's secretary, its inspectors and administrators."""
    return postings.objections(workflows, actor, posting_id)


@router.post("/appraisals/{appraisal_id}/objections", status_code=201)
def raise_objection(found: AppraisalDep, workflows: WorkflowsDep,
                    body: Annotated[ObjectionIn, Body(openapi_examples={
                        "objection": {"value": OBJECTION_EXAMPLE}})]) -> dict[str, Any]:
    """Object (异议) to a posted result, with a reason, while its posting's window is open
    (409 otherwise): any member of the branch, or anyone who may read the appraisal. It is
    recorded in the appraisal's history."""
    return postings.raise_objection(workflows, found.actor, found.appraisal.id, body.reason)


@router.post("/objections/{objection_id}/answer")
def answer(objection_id: str, workflows: WorkflowsDep, actor: ActorDep,
           body: Annotated[AnswerIn, Body(openapi_examples={
               "dismissed": {"value": ANSWER_EXAMPLE}})]) -> dict[str, Any]:
    """The branch secretary's answer, with its reason. Upheld: the result is reopened (back
    to the group review) to be corrected, then posted again; dismissed: it stands."""
    return postings.answer(workflows, actor, objection_id, body.upheld, body.reason)


@router.post("/branches/{branch_id}/postings/link", status_code=201,
             dependencies=[Depends(branch_exists)])
def issue_link(branch_id: str, body: LinkIn, workflows: WorkflowsDep,
               actor: ActorDep) -> dict[str, Any]:
    """An unguessable public link to the period's board, for staff without accounts (群众
    监督); a new one replaces the last. Only its hash is kept: save it when it is shown."""
    secret = workflows.issue_link(branch_id, body.period, actor)
    return {"period": body.period, "secret": secret, "url": f"/board/{secret}",
            "api": f"/public/boards/{secret}"}


@router.delete("/branches/{branch_id}/postings/link", status_code=204,
               dependencies=[Depends(branch_exists)])
def revoke_link(branch_id: str, period: str, workflows: WorkflowsDep,
                actor: ActorDep) -> Response:
    """The period's public link stops working."""
    workflows.revoke_link(branch_id, period, actor)
    return Response(status_code=204)


@public.get("/public/boards/{secret}")
def board(secret: str, workflows: WorkflowsDep) -> dict[str, Any]:
    """The board a public link shows: the latest posting of its branch's period. No account;
    an unknown or revoked link is 404."""
    return postings.board(workflows, secret)


@public.post("/public/boards/{secret}/objections", status_code=201)
def public_objection(secret: str, body: PublicObjectionIn, request: Request,
                     rt: RuntimeDep) -> dict[str, Any]:
    """An objection through the public link, with a name and a way to reach its author;
    counted per link and per address (429 past the limit)."""
    postings.counted(rt, secret, client_address(request))  # as the public board's page does
    return postings.raise_public(rt.workflows, secret, _uuid(body.appraisal_id), body.reason,
                                 body.name, body.contact)


def _uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InvalidError("appraisal_id is not an appraisal's id",
                           {"appraisal_id": "format"}) from None
