"""Sign-in and out, the signed-in user, and user administration.

Checks answer in API.md's order: 401; 404 for an unknown user (a dependency, so before the
body is judged); 422 for a body of the wrong shape; 403; then 422 for a role's scope.
Changing one's own password needs `current_password`: missing → 422, wrong → 403 (the
caller is signed in, but has not shown they know the password), counted by the sign-in
throttle like a failed sign-in.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from domain.users import User
from service import sign_in as signing
from service.api.deps import ActorDep, RuntimeDep, WorkflowsDep
from service.cases import users
from service.cases.users import account_of, me_of
from service.schemas import Account, Me, PasswordIn, RolesIn, Token, UserIn

router = APIRouter(tags=["users"])


def existing_user(username: str, workflows: WorkflowsDep) -> User:
    """The user the path names (404 otherwise)."""
    return workflows.load_user(username)


UserDep = Annotated[User, Depends(existing_user)]


@router.post("/auth/token", response_model=Token)
async def sign_in(request: Request, rt: RuntimeDep,
                  form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """OAuth2 password flow: a bearer token for a username and password; throttled (429
    with Retry-After after repeated failures for the username or from the address)."""
    user = await signing.sign_in(rt, form.username, form.password,
                                 signing.client_address(request))
    return Token(access_token=rt.tokens.issue(user))


@router.post("/auth/logout", status_code=204)
def sign_out(workflows: WorkflowsDep, actor: ActorDep) -> Response:
    """End the caller's sessions: every token of theirs, on every device, stops working."""
    workflows.sign_out(actor.username)
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def me(workflows: WorkflowsDep, actor: ActorDep) -> Me:
    """The signed-in user and the roles they hold."""
    return me_of(workflows.load_user(actor.username))


@router.post("/users", status_code=201, response_model=Me)
def create_user(body: UserIn, rt: RuntimeDep, actor: ActorDep) -> Me:
    """Register a user with roles (administrators only)."""
    return users.create_user(rt, actor, body)


@router.put("/users/{username}/password", response_model=Me)
def reset_password(actor: ActorDep, user: UserDep, body: PasswordIn, rt: RuntimeDep,
                   request: Request) -> Me:
    """Set a user's password: administrators for anyone else, a user for themself with
    their current password. Every session of the user ends."""
    return users.reset_password(rt, actor, user, body, signing.client_address(request))


@router.put("/users/{username}/roles", response_model=Me)
def change_roles(actor: ActorDep, user: UserDep, body: RolesIn, workflows: WorkflowsDep) -> Me:
    """Replace a user's roles (administrators only; the same checks as `POST /users`).
    Every session of the user ends: their next token carries the new roles."""
    return me_of(workflows.change_roles(user.username, [r.model_dump() for r in body.roles],
                                        actor))


@router.post("/users/{username}/disable", response_model=Account)
def disable_user(actor: ActorDep, user: UserDep, workflows: WorkflowsDep) -> Account:
    """Disable a user (administrators only, not themself): they sign in no more, and every
    session of theirs ends. Repeating it changes nothing."""
    return account_of(workflows.disable_user(user.username, actor))
