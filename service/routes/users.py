"""Sign-in, the signed-in user, and user administration."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from service.auth import check_password, hash_password
from service.deps import ActorDep, RuntimeDep, WorkflowsDep
from service.schemas import Me, PasswordIn, Token, UserIn
from workflows.organisation import require_admin

router = APIRouter(tags=["users"])


def _me(workflows: WorkflowsDep, username: str) -> Me:
    user = workflows.load_user(username)
    return Me(username=user.username, display_name=user.display_name,
              member_id=user.member_id, roles=user.roles)


@router.post("/auth/token", response_model=Token)
def sign_in(rt: RuntimeDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """OAuth2 password flow: a bearer token for a username and password."""
    user = check_password(rt.workflows.find_user(form.username), form.password)
    return Token(access_token=rt.tokens.issue(user.username))


@router.get("/me", response_model=Me)
def me(workflows: WorkflowsDep, actor: ActorDep) -> Me:
    """The signed-in user and the roles they hold."""
    return _me(workflows, actor.username)


@router.post("/users", status_code=201, response_model=Me)
def create_user(body: UserIn, workflows: WorkflowsDep, actor: ActorDep) -> Me:
    """Register a user with roles (administrators only)."""
    require_admin(actor)  # before hashing: argon2 is deliberately costly
    workflows.register_user(body.username, hash_password(body.password), body.display_name,
                            body.member_id, [r.model_dump() for r in body.roles], actor)
    return _me(workflows, body.username)


@router.put("/users/{username}/password", response_model=Me)
def reset_password(username: str, body: PasswordIn, workflows: WorkflowsDep,
                   actor: ActorDep) -> Me:
    """Set a user's password: administrators for anyone, a user for themself."""
    workflows.load_user(username)
    if username != actor.username:
        require_admin(actor)  # before hashing: argon2 is deliberately costly
    workflows.reset_password(username, hash_password(body.password), actor.username)
    return _me(workflows, username)


