"""Assessment forms (考核表模板) for administrators: each form's current version and items,
a new version of one, a new form. Each form checks the API's schema and calls the use case
the API calls; appraisals already open keep the version they were opened with."""

from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from domain.errors import AlreadyExistsError, InvalidError
from domain.forms import DEFAULT_FORM_ID
from projections.forms import list_forms
from service.cases.organisation import create_form, revise_form
from service.params import Version
from service.schemas import FormIn, FormRevisionIn
from service.web.organisation_pages import Posted
from service.web.pages import PageActor
from service.web.posting import Loc, back, field_errors, filled, rows_of
from service.web.rendering import page_router, render
from service.web.session import runtime_of
from workflows.access import Actor
from workflows.organisation import require_admin

router = page_router()
PAGE = "/app/forms"
SPARE_ROWS = 3  # empty item rows under a form's items, for new ones


def forms_page(request: Request, actor: Actor, status: int = 200, **context: Any) -> Response:
    """Every form; a failed form comes back with the rows as typed, the others as they are."""
    require_admin(actor)
    rt = runtime_of(request)
    rt.ready("forms")
    with rt.engines.reader.connect() as conn:
        found = list_forms(conn)
    default: list[list[str]] = next(
        (f["items"] for f in found if f["id"] == DEFAULT_FORM_ID), [])
    return render(request, "forms.html", status, actor=actor, forms=found, error_status=status,
                  spare=[("", "")] * SPARE_ROWS, default=default, **context)


@router.get("/forms")
def forms(request: Request, actor: PageActor, created: str | None = None,
          published: str | None = None, version: Version = None) -> Response:
    """考核表模板: every form's current version, its next version's form, a new form's."""
    return forms_page(request, actor, created=created, published=published, version=version)


@router.post("/forms")
def create(request: Request, actor: PageActor, form: Posted) -> Response:
    """A new form: the API's `POST /forms`; a taken id is 409."""
    require_admin(actor)
    typed = {k: str(form.get(k, "")).strip() for k in ("id", "name")}
    rows = rows_of(form.getlist("code"), form.getlist("max"))
    failed = {"failed": "new", "values": typed, "rows": rows}
    try:
        body = FormIn.model_validate({**typed, "items": items_of(rows)})
        create_form(runtime_of(request).workflows, actor, body)
    except (InvalidError, ValidationError) as error:
        return forms_page(request, actor, 422, errors=item_errors(error, rows), **failed)
    except (AlreadyExistsError, IntegrityError):  # taken, or taken by a racing create
        return forms_page(request, actor, 409, errors={"id": "taken"}, **failed)
    return back(PAGE, created=body.id)


@router.post("/forms/{form_id}")
def publish(form_id: str, request: Request, actor: PageActor, form: Posted) -> Response:
    """A form's new version with the items as edited: the API's `PUT /forms/{form_id}`."""
    require_admin(actor)
    rows = rows_of(form.getlist("code"), form.getlist("max"))
    try:
        body = FormRevisionIn.model_validate({"items": items_of(rows)})
        done = revise_form(runtime_of(request).workflows, actor, form_id, body)
    except (InvalidError, ValidationError) as error:
        return forms_page(request, actor, 422, errors=item_errors(error, rows),
                          failed=f"revise-{form_id}", rows=rows)
    return back(PAGE, published=form_id, version=done["version"])


def items_of(rows: list[tuple[str, ...]]) -> dict[str, str]:
    """The rows typed in, as the API's items (code → maximum); a code given twice, which a
    JSON body cannot say, is refused beside its second row."""
    items: dict[str, str] = {}
    for i in filled(rows):
        code, maximum = rows[i]
        if code in items:
            raise InvalidError(f"item {code!r} is given twice", {f"code-{i}": "duplicate"})
        items[code] = maximum
    return items


def item_errors(error: InvalidError | ValidationError,
                rows: list[tuple[str, ...]]) -> dict[str, str]:
    """Beside the row's code or maximum for the schema's errors of one item; beside the
    items for the domain's rules over all of them (they add up to 100)."""
    if isinstance(error, InvalidError):
        return error.errors or {"items": "format"}

    def key(loc: Loc) -> str:
        if loc[0] != "items" or len(loc) < 3:
            return str(loc[0])
        row = next(i for i in filled(rows) if rows[i][0] == loc[1])
        return f"code-{row}" if loc[2] == "[key]" else f"max-{row}"

    return field_errors(error, key)
