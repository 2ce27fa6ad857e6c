"""Sign-in: argon2-hashed passwords and signed, expiring bearer tokens (HS256 JWT)."""

from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.users import User
from service.errors import UnauthorizedError
from workflows.access import Actor

HASHER = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = HASHER.hash("not a password of anyone")
BAD_LOGIN = "wrong username or password"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def check_password(user: User | None, password: str) -> User:
    """The user, if the password is theirs; one and the same error otherwise."""
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise UnauthorizedError(BAD_LOGIN) from None
    if user is None:
        raise UnauthorizedError(BAD_LOGIN)
    return user


class Tokens:
    """Issues and reads bearer tokens signed with the configured secret."""

    def __init__(self, secret: str, minutes: int):
        self.secret = secret
        self.lifetime = timedelta(minutes=minutes)

    def issue(self, username: str) -> str:
        now = datetime.now(UTC)
        claims = {"sub": username, "iat": now, "exp": now + self.lifetime}
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def subject(self, token: str) -> str:
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"],
                                options={"require": ["sub", "exp"]})
        except jwt.PyJWTError:
            raise UnauthorizedError("the token is invalid or expired") from None
        return str(claims["sub"])


def actor_of(user: User) -> Actor:
    return Actor(user.username, user.member_id, tuple(user.grants))
