"""A reader of the web pages in tests: a session cookie per user, forms posted with CSRF."""

import re
from dataclasses import dataclass
from typing import Any

from service.web.session import COOKIE
from tests.helpers import Api

CSRF = re.compile(r'name="csrf" value="([0-9a-f]*)"')


@dataclass
class Pages:
    """Reads pages as one signed-in user (the API's token in the session cookie)."""

    api: Api

    def as_user(self, username: str) -> "Pages":
        self.api.client.cookies.set(COOKIE, self.api.token(username))
        return self

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.api.client.get(path, follow_redirects=False, **kwargs)

    def csrf(self, path: str) -> str:
        found = CSRF.search(self.get(path).text)
        assert found, f"no CSRF field on {path}"
        return found.group(1)

    def sign_in(self, username: str, password: str, **extra: str) -> Any:
        """Sign in through the form, with the pre-session token its page set."""
        token = CSRF.search(self.get("/app/sign-in").text)
        assert token, "no CSRF field on the sign-in form"
        return self.api.client.post("/app/sign-in", follow_redirects=False, data={
            "csrf": token.group(1), "username": username, "password": password, **extra})

    def forged(self, path: str, data: dict[str, Any]) -> list[Any]:
        """Post `data` as another site's form would: without a CSRF token, then with a token
        that is not this session's."""
        return [self.api.client.post(path, data={**data, **csrf}, follow_redirects=False)
                for csrf in ({}, {"csrf": "0" * 64})]

    def recorded(self) -> int:
        """How many events the store holds: a refused form must not add one."""
        return self.api.client.app.state.runtime.workflows.recorder.max_notification_id() or 0

    def post(self, path: str, data: dict[str, Any], form_page: str | None = None) -> Any:
        """Post a form as the page at `form_page` (default: the inbox) would, with its token."""
        token = self.csrf(form_page or "/app/inbox")
        return self.api.client.post(path, data={"csrf": token, **data}, follow_redirects=False)
