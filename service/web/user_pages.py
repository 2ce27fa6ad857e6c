"""Users (用户管理): administrators list the users, register one, set another's password,
change a user's roles and disable a user; every user changes their own password on their
account page (我的账户). Each form checks the API's schema and calls the use case
(service/cases/users.py) or workflow command the API calls, so a page ends sessions exactly
as the API does."""

from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import Connection

from domain.errors import (
    AlreadyExistsError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    UnknownReferenceError,
)
from domain.reminders import Channel, masked
from domain.users import SCOPE_KINDS
from projections.directory import branches, groups, members, zones
from projections.ranking_query import names_of
from projections.users import list_accounts
from reports.labels import label
from service.cases.users import create_user, me_of, reset_password
from service.schemas import PasswordIn, RolesIn, UserIn
from service.sign_in import client_address
from service.web.i18n import language
from service.web.organisation_pages import Posted
from service.web.pages import PageActor
from service.web.posting import back, field_errors, filled, rows_of
from service.web.rendering import page_router, render
from service.web.session import runtime_of, start
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
    rt.ready("accounts", "directory")
    with rt.engines.reader.connect() as conn:
        users = named(conn, list_accounts(conn))
    context.setdefault("new_rows", padded([]))
    context.setdefault("change_rows", padded([]))
    lang = language(request)
    return render(request, "users.html", status, actor=actor, users=users, error_status=status,
                  role_options=[(r, label("role", r, lang)) for r in SCOPE_KINDS],
                  people=choices(users),
                  enabled_people=choices(u for u in users if not u["disabled"]), **context)


def choices(users: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """Users as a select offers them: by username, shown with their name."""
    return [(u["username"], f"{u['display_name']} ({u['username']})") for u in users]


@router.get("/users")
def users(request: Request, actor: PageActor, created: str | None = None,
          reset: str | None = None, roles: str | None = None,
          disabled: str | None = None) -> Response:
    """用户管理: every user, a new user's form, another user's password, roles, disabling."""
    return users_page(request, actor, created=created, reset=reset, changed=roles,
                      disabled=disabled)


@router.post("/users")
def register(request: Request, actor: PageActor, form: Posted) -> Response:
    """A new user with roles: the API's `POST /users`; a taken username is 409."""
    require_admin(actor)  # before the schema: say 403 to a non-admin, whatever they sent
    typed = {k: str(form.get(k, "")).strip() for k in ("username", "display_name", "member_id")}
    rows, kept, roles = posted_roles(form)
    failed = {"failed": "create", "values": typed, "new_rows": padded(rows)}
    try:
        body = UserIn.model_validate({**typed, "member_id": typed["member_id"] or None,
                                      "password": str(form.get("password", "")),
                                      "roles": roles})
        create_user(runtime_of(request), actor, body)
    except ValidationError as error:
        return users_page(request, actor, 422, errors=role_errors(error, kept), **failed)
    except (AlreadyExistsError, IntegrityError):  # taken, or taken by a racing create
        return users_page(request, actor, 409, errors={"username": "username taken"}, **failed)
    except InvalidError as error:
        return users_page(request, actor, 422, errors=grant_errors(error, rows), **failed)
    return back(PAGE, created=body.username)


Rows = list[tuple[str, ...]]


def posted_roles(form: Any) -> tuple[Rows, list[int], list[dict[str, str | None]]]:
    """The role rows as typed, the positions of those filled in, and those rows' roles."""
    rows = rows_of(form.getlist("role"), form.getlist("scope"))
    kept = filled(rows)
    return rows, kept, [{"role": rows[i][0], "scope": rows[i][1] or None} for i in kept]


def padded(rows: Rows) -> Rows:
    """The rows with empty ones after them, for more roles."""
    return rows + [("", "")] * (ROLE_ROWS - len(rows))


def role_errors(error: ValidationError, kept: list[int]) -> dict[str, str]:
    """The schema's errors by field; a role's beside its row (`role-2`, `scope-2`)."""
    return field_errors(error, lambda loc: f"{loc[2]}-{kept[int(loc[1])]}"
                        if loc[0] == "roles" and len(loc) > 2 else str(loc[0]))


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
    rt = runtime_of(request)
    try:
        user = rt.workflows.load_user(username)
        body = PasswordIn(password=str(form.get("password", "")))
        reset_password(rt, actor, user, body, client_address(request))
    except ValidationError as error:
        return users_page(request, actor, 422, errors=field_errors(error, lambda _: "password"),
                          **failed)
    except NotFoundError:
        return users_page(request, actor, 404, errors={"username": "unknown"}, **failed)
    except InvalidError:  # their own: with the current one, on the account page
        return users_page(request, actor, 422, errors={"username": "own"}, **failed)
    return back(PAGE, reset=username)


@router.post("/users/roles")
def set_roles(request: Request, actor: PageActor, form: Posted) -> Response:
    """A user's roles from now on: the API's `PUT /users/{username}/roles`."""
    require_admin(actor)
    rt = runtime_of(request)
    username = str(form.get("username", ""))
    rows, kept, roles = posted_roles(form)
    failed = {"failed": "roles", "values": {"roles": username}, "change_rows": padded(rows)}
    try:
        user = rt.workflows.load_user(username)
        body = RolesIn.model_validate({"roles": roles})
        rt.workflows.change_roles(user.username, [r.model_dump() for r in body.roles], actor)
    except NotFoundError:
        return users_page(request, actor, 404, errors={"username": "unknown"}, **failed)
    except ValidationError as error:
        return users_page(request, actor, 422, errors=role_errors(error, kept), **failed)
    except InvalidError as error:
        return users_page(request, actor, 422, errors=grant_errors(error, rows), **failed)
    return back(PAGE, roles=username)


@router.post("/users/disable")
def disable(request: Request, actor: PageActor, form: Posted) -> Response:
    """Disable a user: the API's `POST /users/{username}/disable`."""
    require_admin(actor)
    rt = runtime_of(request)
    username = str(form.get("username", ""))
    failed = {"failed": "disable", "values": {"disable": username}}
    try:
        rt.workflows.disable_user(username, actor)  # 404 for no such user
    except NotFoundError:
        return users_page(request, actor, 404, errors={"username": "unknown"}, **failed)
    except ForbiddenError:  # themself
        return users_page(request, actor, 403, errors={"username": "own"}, **failed)
    return back(PAGE, disabled=username)


def account_page(request: Request, actor: Actor, status: int = 200,
                 **context: Any) -> Response:
    rt = runtime_of(request)
    rt.ready("directory")  # the names of the reader's member and scopes
    account = rt.workflows.load_user(actor.username)
    with rt.engines.reader.connect() as conn:
        user = named(conn, [me_of(account).model_dump()])[0]
    return render(request, "account.html", status, actor=actor, user=user, error_status=status,
                  reminders=masked(account.reminders), channels=list(Channel), **context)


@router.get("/account")
def account(request: Request, actor: PageActor, changed: bool = False,
            reminded: bool = False) -> Response:
    """我的账户: who the reader is, their roles, their own password and where their daily
    digest goes (service/web/reminder_pages.py)."""
    return account_page(request, actor, changed=changed, reminded=reminded)


@router.post("/account/password")
def change_password(request: Request, actor: PageActor, form: Posted) -> Response:
    """The reader's own password, with their current one: the API's password route. Every
    session of theirs ends, but this one goes on with a new token: they just showed their
    password."""
    rt = runtime_of(request)
    typed = {k: str(form.get(k, "")) for k in ("current", "password", "repeat")}
    try:
        body = PasswordIn(password=typed["password"], current_password=typed["current"])
    except ValidationError as error:
        errors = field_errors(error, lambda loc: "current" if loc[0] == "current_password"
                              else "password")
    else:
        errors = {"repeat": "mismatch"} if typed["repeat"] != body.password else {}
    if not errors:  # only then the costly argon2 check, in the use case
        try:
            reset_password(rt, actor, rt.workflows.load_user(actor.username), body,
                           client_address(request))
        except ForbiddenError:
            errors = {"current": "wrong"}
    if errors:
        return account_page(request, actor, 422, failed="own", errors=errors)
    response = back(ACCOUNT, changed=1)
    start(response, rt, rt.workflows.load_user(actor.username))
    return response
