"""Sign-in: argon2-hashed passwords and signed, expiring bearer tokens (HS256 JWT).

A token names its user and the user's session count (`User.sessions`) when it was issued;
it is honoured only while the user is enabled and the count is unchanged, so a password set,
roles changed, the user disabled or signed out end every token issued before.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.users import User
from service.errors import UnauthorizedError
from service.request_id import note_user
from workflows.access import Actor

HASHER = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = HASHER.hash("not a password of anyone")
BAD_LOGIN = "wrong username or password"
ENDED = "the session has ended; sign in again"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def check_password(user: User | None, password: str) -> User:
    """The user, if the password is theirs and they are enabled; one and the same error
    otherwise (a disabled user learns nothing a wrong password would not tell)."""
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise UnauthorizedError(BAD_LOGIN) from None
    if user is None or user.disabled:
        raise UnauthorizedError(BAD_LOGIN)
    return user


class Tokens:
    """Issues and reads bearer tokens signed with the configured secret."""

    def __init__(self, secret: str, minutes: int):
        self.secret = secret
        self.lifetime = timedelta(minutes=minutes)

    def issue(self, user: User) -> str:
        now = datetime.now(UTC)
        claims = {"sub": user.username, "ses": user.sessions, "iat": now,
                  "exp": now + self.lifetime}
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def user(self, token: str, find_user: Callable[[str], User | None]) -> User:
        """The token's user, while the session it was issued in lasts; else 401."""
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"],
                                options={"require": ["sub", "ses", "exp"]})
        except jwt.PyJWTError:
            raise UnauthorizedError("the token is invalid or expired") from None
        user = find_user(str(claims["sub"]))
        if user is None:
            raise UnauthorizedError("the token's user no longer exists")
        if user.disabled or user.sessions != claims["ses"]:
            raise UnauthorizedError(ENDED)
        note_user(user.username)  # the request's log line names them
        return user


def actor_of(user: User) -> Actor:
    return Actor.of(user)
