"""Signing in, for the API and the pages alike: throttled, and checked on the password pool."""

import anyio.to_thread
from fastapi import Request

from domain.users import User
from service.auth import check_password
from service.errors import UnauthorizedError
from service.runtime import Runtime


async def sign_in(rt: Runtime, username: str, password: str, address: str) -> User:
    """The user whose password this is (401), unless too many sign-ins failed lately for the
    username or from the address (429, before any argon2 work)."""
    rt.throttle.check(username, address)
    user = await anyio.to_thread.run_sync(rt.workflows.find_user, username)
    try:
        user = await rt.passwords.run(check_password, user, password)
    except UnauthorizedError:
        rt.throttle.failed(username, address)
        raise
    rt.throttle.succeeded(username)
    return user


def client_address(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy, uvicorn's
    `--forwarded-allow-ips` decides whether X-Forwarded-For is believed)."""
    return request.client.host if request.client else "unknown"
