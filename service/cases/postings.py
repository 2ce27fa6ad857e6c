"""公示 as the API and the pages answer it: postings made, read, listed and closed; objections
raised and answered; the public link. The entries a posting shows are the ranking as of the
posting's instant (`GET /rankings/{period}?as_of=` gives the same), frozen in its event."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.appraisal import Appraisal
from domain.documents import instant
from domain.errors import ForbiddenError
from domain.organisation import Branch
from domain.period import Period
from domain.process import Role
from domain.publicity import Publicity
from projections.check import snapshot
from projections.directory import list_zones
from projections.publicity import periods_posted
from projections.ranking_query import Scope
from reports import board_pdf as pdf
from service.cases import rankings
from service.cases.files import File
from service.runtime import Runtime
from workflows.access import Actor
from workflows.application import Workflows
from workflows.appraisals import Taken
from workflows.publicity import Objector, Posted

# Who reads the objections themselves (names, contacts): those who answer or oversee them.
OVERSEERS = (Role.BRANCH_SECRETARY, Role.INSPECTOR, Role.ADMIN)


def post(rt: Runtime, actor: Actor, branch_id: str, period: str, days: int | None,
         partial: bool) -> dict[str, Any]:
    """Posts the branch's period as the ranking stands now (`_standing`)."""
    rt.workflows.check_may_post(branch_id, actor)
    label = str(Period.parse(period))
    publicity, number = rt.workflows.post_results(
        branch_id, label, days, partial, _standing(rt, branch_id, label, datetime.now(UTC)),
        actor)
    return posting_out(publicity, number)


def preview(rt: Runtime, branch_id: str, period: str) -> dict[str, Any]:
    """What a posting of the branch's period would show now: how many results are ranked,
    how many zones are not approved yet, and the branch's window in working days."""
    branch = rt.workflows.load(Branch, branch_id, kind="branch", shared=True)
    label = str(Period.parse(period))
    now = _standing(rt, branch_id, label, datetime.now(UTC))
    return {"period": label, "ranked": len(now.entries), "pending": now.pending,
            "days": branch.posting_days}


def _standing(rt: Runtime, branch_id: str, label: str, now: datetime) -> Posted:
    """The branch's ranking of the period as it stood at `now`: as `GET /rankings/{period}
    ?as_of=` gives it, from the events up to that instant (its views caught up first)."""
    body, _ = rankings.read(rt, Scope(label, branch_id), None, 0, as_of=now)
    entries = [{k: v for k, v in e.items() if k != "final"} for e in body["entries"]]
    with snapshot(rt.engines.reader) as conn:
        zones = len(list_zones(conn, branch_id=branch_id))
    # Not approved yet: opened and waiting, or not even opened; a cancelled appraisal (opened
    # by mistake) is neither.
    pending = max(zones - len(entries) - body["cancelled"], body["unpublished"])
    return Posted(now, entries, body["distribution"], pending)


def posting_out(publicity: Publicity, number: int) -> dict[str, Any]:
    """A posting as the API shows it: its window, state, entries, and the postings it
    replaces and is replaced by."""
    posting = publicity.postings[number - 1]
    closed = posting["closed_at"]
    return {
        "id": publicity.posting_id(number), "branch_id": publicity.branch_id,
        "period": publicity.period, "number": number, "as_of": instant(posting["as_of"]),
        "opens": instant(posting["as_of"]), "closes": instant(posting["closes"]),
        "days": posting["days"], "state": publicity.state(number),
        "window_open": publicity.board(datetime.now(UTC)) is posting,
        "replaces": publicity.posting_id(number - 1) if number > 1 else None,
        "replaced_by": (publicity.posting_id(number + 1)
                        if number < len(publicity.postings) else None),
        "pending": posting["pending"], "posted_by": posting["actor"],
        "closed_at": None if closed is None else instant(closed),
        "closed_by": posting["closed_by"],
        "entries": posting["entries"], "distribution": posting["distribution"]}


def read(workflows: Workflows, posting_id: str) -> dict[str, Any]:
    """Any signed-in user reads a posting: it is on the board for all to see."""
    return posting_out(*workflows.load_posting(posting_id))


def listing(rt: Runtime, branch_id: str, period: str | None) -> dict[str, Any]:
    """The branch's postings, latest first: of one period, or of every period posted."""
    if period is not None:
        found = rt.workflows.publicity(branch_id, period)
        boards = [] if found is None else [found]
    else:
        rt.ready("publicity")
        with snapshot(rt.engines.reader) as conn:
            streams = [row["stream"] for row in periods_posted(conn, branch_id)]
        boards = [rt.workflows.get(UUID(s), kind="posting") for s in streams]
    return {"items": [posting_out(b, n) for b in boards
                      for n in range(len(b.postings), 0, -1)]}


def close(workflows: Workflows, actor: Actor, posting_id: str) -> dict[str, Any]:
    return posting_out(*workflows.close_posting(posting_id, actor))


def objections(workflows: Workflows, actor: Actor, posting_id: str) -> dict[str, Any]:
    """Every objection to the posting's results, with who raised it and how to reach them:
    for the branch's secretary, its inspectors and administrators."""
    publicity, number = workflows.load_posting(posting_id)
    if not any(actor.holds(role, publicity.branch_id) for role in OVERSEERS):
        raise ForbiddenError("the branch's secretary and inspectors read its objections",
                             "scope")
    entries = publicity.postings[number - 1]["entries"]
    appraisals = [workflows.load_appraisal(UUID(e["appraisal_id"])) for e in entries]
    wanted = publicity.posting_id(number)
    return {"items": [objection_out(a, key, contact=True) for a in appraisals
                      for key, o in a.objections.items() if o["posting"] == wanted]}


def objection_out(appraisal: Appraisal, key: str, *, contact: bool) -> dict[str, Any]:
    found = appraisal.objections[key]
    answer = found["answer"]
    return {"id": key, "appraisal_id": str(appraisal.id), "zone_id": appraisal.zone_id,
            "period": appraisal.period, "posting": found["posting"],
            "reason": found["reason"], "actor": found["actor"], "role": found["role"],
            "name": found["name"], **({"contact": found["contact"]} if contact else {}),
            "at": instant(found["at"]),
            "answer": None if answer is None else {
                "upheld": answer["upheld"], "reason": answer["reason"],
                "actor": answer["actor"], "at": instant(answer["at"])}}


def raise_objection(workflows: Workflows, actor: Actor, appraisal_id: UUID,
                    reason: str) -> dict[str, Any]:
    key = workflows.raise_objection(appraisal_id, reason, actor)
    return objection_out(workflows.load_appraisal(appraisal_id), key, contact=False)


def raise_public(workflows: Workflows, secret: str, appraisal_id: UUID, reason: str,
                 name: str, contact: str) -> dict[str, Any]:
    """An objection through the public link: the link must show the result."""
    workflows.by_link(secret)
    key = workflows.raise_objection(appraisal_id, reason, None, Objector(name, contact),
                                    link=secret)
    return {"id": key, "appraisal_id": str(appraisal_id)}


def answer(workflows: Workflows, actor: Actor, objection_id: str, upheld: bool,
           reason: str) -> dict[str, Any]:
    appraisal = workflows.answer_objection(objection_id, upheld, reason, actor)
    return {"objection": objection_out(appraisal, objection_id, contact=True),
            "appraisal": Taken(appraisal,
                               workflows.allowed_actions(appraisal, actor)).document()}


def board(workflows: Workflows, secret: str) -> dict[str, Any]:
    """What the public link shows: the latest posting of its branch's period."""
    publicity = workflows.by_link(secret)
    return posting_out(publicity, len(publicity.postings))


def counted(rt: Runtime, secret: str, address: str) -> None:
    """An objection through a public link, counted per link and per address before anything
    else (429 past the limit): every one counts, taken or refused, from the API or a page."""
    rt.public.check(secret[:32], address)
    rt.public.failed(secret[:32], address)


def link_issued(workflows: Workflows, branch_id: str, period: str) -> bool:
    """Whether a public link to the branch's period works now (its secret is never kept)."""
    publicity = workflows.publicity(branch_id, period)
    return publicity is not None and publicity.link is not None


def names(rt: Runtime, posting: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The names a posting shows: its branch, its entries' groups and responsible members."""
    rt.ready("directory")
    with snapshot(rt.engines.reader) as conn:
        return rankings.names_in(conn, Scope(posting["period"], posting["branch_id"]),
                                 posting["entries"])


def board_pdf(rt: Runtime, posting_id: str, lang: str) -> File:
    """The posting as the printable board (公示栏), for any signed-in reader."""
    posting = read(rt.workflows, posting_id)
    named = names(rt, posting)
    return File(pdf.document(posting, named, lang), pdf.MEDIA_TYPE, pdf.filename(posting, named))


def branch_of(workflows: Workflows, actor: Actor) -> str | None:
    """The reader's own branch: their member's, else the one a role of theirs names."""
    own = workflows.member_branch(actor)
    if own is not None:
        return own
    return next((g.scope for g in actor.grants if g.scope is not None
                 and workflows.exists(Branch, g.scope)), None)
