"""Users as the API answers them, and the writes that need more than one workflow command:
registering a user and setting a password (argon2 on its own pool, after the checks)."""

from domain.errors import ForbiddenError, InvalidError
from domain.users import User
from service.auth import check_password, hash_password
from service.errors import UnauthorizedError
from service.runtime import Runtime
from service.schemas import Account, Grant, Me, PasswordIn, UserIn
from workflows.access import Actor
from workflows.organisation import require_admin


def me_of(user: User) -> Me:
    return Me(username=user.username, display_name=user.display_name,
              member_id=user.member_id, roles=[Grant.model_validate(r) for r in user.roles])


def account_of(user: User) -> Account:
    return Account(**me_of(user).model_dump(), disabled=user.disabled)


def create_user(rt: Runtime, actor: Actor, body: UserIn) -> Me:
    """Register a user with roles (administrators only)."""
    require_admin(actor)  # before hashing: argon2 is deliberately costly
    password_hash = rt.passwords.call(hash_password, body.password)
    return me_of(rt.workflows.register_user(
        body.username, password_hash, body.display_name, body.member_id,
        [r.model_dump() for r in body.roles], actor))


def reset_password(rt: Runtime, actor: Actor, user: User, body: PasswordIn,
                   address: str) -> Me:
    """Set a user's password: administrators for anyone else, a user for themself with
    their current password. Every session of the user ends."""
    if user.username == actor.username:
        check_current(rt, user, body.current_password, address)
    else:
        require_admin(actor)  # before hashing: argon2 is deliberately costly
    password_hash = rt.passwords.call(hash_password, body.password)
    return me_of(rt.workflows.reset_password(user.username, password_hash, actor.username))


def check_current(rt: Runtime, user: User, password: str | None, address: str) -> None:
    """One's own current password, before it is changed: 422 without it, 403 when wrong
    (counted by the sign-in throttle like a failed sign-in)."""
    if password is None:
        raise InvalidError("current_password is needed to change one's own password",
                           {"current_password": "missing"})
    rt.throttle.check(user.username, address)
    try:
        rt.passwords.call(check_password, user, password)
    except UnauthorizedError:
        rt.throttle.failed(user.username, address)
        raise ForbiddenError("the current password is not correct") from None
