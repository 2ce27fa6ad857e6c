"""Users (用户管理): administrators list the users, register one and set anyone's password;
every user changes their own password on their account page (我的账户). Each form checks
the API's schema and calls the API's own route code."""

from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import Connection

from domain.errors import AlreadyExistsError, InvalidError, NotFoundError, UnknownReferenceError
from domain.users import SCOPE_KINDS
from projections.directory import branches, groups, members, zones
from projections.ranking_query import names_of
from projections.users import list_accounts
from service.auth import check_password
from service.errors import UnauthorizedError
from service.labels import label
from service.routes.users import create_user, me, reset_password
from service.schemas import PasswordIn, UserIn
from service.web.i18n import language
from service.web.organisation_pages import Posted
from service.web.pages import PageActor
from service.web.posting import back, field_errors, filled, rows_of
from service.web.rendering import page_router, render
from service.web.session import runtime_of
from workflows.access import Actor
from workflows.organisation import require_admin

router = page_router()
PAGE, ACCOUNT = "/app/users", "/app/account"
ROLE_ROWS = 3  # empty role rows a new user's form offers
SCOPE_TABLES = {"branch": branches, "group": groups, "zone": zones}


def named(conn: Connection, users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Users with their member's name and each role's scope by name, where names are known."""
    grants = [(SCOPE_KINDS.get(g["role"]), g["scope"]) for u in users for g in u["roles"]]
    people = names_of(conn, members, (u["member_id"] for u in users if u["member_id"]))
    places = {kind: names_of(conn, table, (s for k, s in grants if k == kind and s))
              for kind, table in SCOPE_TABLES.items()}
    return [{**u, "member": people.get(u["member_id"] or "", u["member_id"]),
             "grants": [{**g, "where": places.get(SCOPE_KINDS.get(g["role"]) or "", {})
                         .get(g["scope"], g["scope"])} for g in u["roles"]]}
            for u in users]


def users_page(request: Request, actor: Actor, status: int = 200, **context: Any) -> Response:
    """The list and the two forms; a failed form comes back with what was typed but passwords."""
    require_admin(actor)
    rt = runtime_of(request)
    rt.follower.ready("accounts", "directory")
    with rt.engines.reader.connect() as conn:
        users = named(conn, list_accounts(conn))
    context.setdefault("role_rows", [("", "")] * ROLE_ROWS)
    lang = language(request)
    return render(request, "users.html", status, actor=actor, users=users, error_status=status,
                  role_options=[(r, label("role", r, lang)) for r in SCOPE_KINDS],
                  people=[(u["username"], f"{u['display_name']} ({u['username']})")
                          for u in users], **context)


@router.get("/users")
def users(request: Request, actor: PageActor, created: str | None = None,
          reset: str | None = None) -> Response:
    """用户管理: every user, a new user's form, another user's password."""
    return users_page(request, actor, created=created, reset=reset)


@router.post("/users")
def register(request: Request, actor: PageActor, form: Posted) -> Response:
    """A new user with roles: the API's `POST /users`; a taken username is 409."""
    require_admin(actor)  # before the schema: say 403 to a non-admin, whatever they sent
    typed = {k: str(form.get(k, "")).strip() for k in ("username", "display_name", "member_id")}
    rows = rows_of(form.getlist("role"), form.getlist("scope"))
    kept = filled(rows)
    failed = {"failed": "create", "values": typed,
              "role_rows": rows + [("", "")] * (ROLE_ROWS - len(rows))}
    try:
        body = UserIn.model_validate({
            **typed, "member_id": typed["member_id"] or None,
            "password": str(form.get("password", "")),
            "roles": [{"role": rows[i][0], "scope": rows[i][1] or None} for i in kept]})
        create_user(body, runtime_of(request).workflows, actor)
    except ValidationError as error:
        errors = field_errors(error, lambda loc: f"{loc[2]}-{kept[int(loc[1])]}"
                              if loc[0] == "roles" and len(loc) > 2 else str(loc[0]))
        return users_page(request, actor, 422, errors=errors, **failed)
    except (AlreadyExistsError, IntegrityError):  # taken, or taken by a racing create
        return users_page(request, actor, 409, errors={"username": "username taken"}, **failed)
    except InvalidError as error:
        return users_page(request, actor, 422, errors=grant_errors(error, rows), **failed)
    return back(PAGE, created=body.username)


def grant_errors(error: InvalidError, rows: list[tuple[str, ...]]) -> dict[str, str]:
    """The command's refusal beside its field: an unknown member; a scope that does not
    exist, is missing or must be left empty (in the first row that has it)."""
    if "member_id" in error.errors:
        return {"member_id": "unknown"}
    scope = error.errors.get("scope", "")
    unknown = isinstance(error, UnknownReferenceError)
    wanted = "" if scope == "null" and not unknown else scope
    row = next((i for i, (role, typed) in enumerate(rows) if role and typed == wanted), 0)
    code = "unknown" if unknown else "scope needed" if wanted == "" else "no scope"
    return {f"scope-{row}": code}


@router.post("/users/password")
def set_password(request: Request, actor: PageActor, form: Posted) -> Response:
    """Set another user's password: the API's `PUT /users/{username}/password`."""
    require_admin(actor)
    username = str(form.get("username", ""))
    failed = {"failed": "reset", "values": {"reset": username}}
    try:
        body = PasswordIn(password=str(form.get("password", "")))
        reset_password(username, body, runtime_of(request).workflows, actor)
    except ValidationError as error:
        return users_page(request, actor, 422, errors=field_errors(error, lambda _: "password"),
                          **failed)
    except NotFoundError:
        return users_page(request, actor, 404, errors={"username": "unknown"}, **failed)
    return back(PAGE, reset=username)


def account_page(request: Request, actor: Actor, status: int = 200,
                 **context: Any) -> Response:
    rt = runtime_of(request)
    rt.follower.ready("directory")  # the names of the reader's member and scopes
    with rt.engines.reader.connect() as conn:
        user = named(conn, [me(rt.workflows, actor).model_dump()])[0]
    return render(request, "account.html", status, actor=actor, user=user, error_status=status,
                  **context)


@router.get("/account")
def account(request: Request, actor: PageActor, changed: bool = False) -> Response:
    """我的账户: who the reader is, their roles, and their own password."""
    return account_page(request, actor, changed=changed)


@router.post("/account/password")
def change_password(request: Request, actor: PageActor, form: Posted) -> Response:
    """The reader's own password, with their current one: the API's password route."""
    rt = runtime_of(request)
    typed = {k: str(form.get(k, "")) for k in ("current", "password", "repeat")}
    try:
        body = PasswordIn(password=typed["password"])
    except ValidationError as error:
        errors = field_errors(error, lambda _: "password")
    else:
        errors = {"repeat": "mismatch"} if typed["repeat"] != body.password else {}
    if not errors:  # only then the costly argon2 check
        try:
            check_password(rt.workflows.find_user(actor.username), typed["current"])
        except UnauthorizedError:
            errors = {"current": "wrong"}
    if errors:
        return account_page(request, actor, 422, failed="own", errors=errors)
    reset_password(actor.username, body, rt.workflows, actor)
    return back(ACCOUNT, changed=1)
