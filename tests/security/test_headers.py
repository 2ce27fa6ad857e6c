"""Every answer carries the security headers: each route of the app (pages, API bodies,
downloads) whatever it answers, problems and error pages too. The pages hold no inline
script or style, so the policy (no 'unsafe-inline') leaves them working."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount

from tests.e2e.pages import Pages
from tests.helpers import Api

SAMPLES = {"appraisal_id": None, "period": "2026-10", "year": "2026", "branch_id": "B1",
           "group_id": "G1", "zone_id": "Z1", "member_id": "M1", "username": "m1",
           "form_id": "default", "action": "self-check", "kind": "branches", "lang": "en"}
STATIC = ["/app/static/app.css", "/app/static/scoring.js"]
DOCS = ("/docs", "/docs/oauth2-redirect", "/redoc")


def routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every route of the app, the routers it includes walked."""
    def walk(found: list[BaseRoute]) -> Iterator[tuple[str, str]]:
        for route in found:
            included = getattr(route, "original_router", None)  # FastAPI ≥ 0.16x
            if included is not None:
                yield from walk(included.routes)
            elif not isinstance(route, Mount):
                for method in sorted(getattr(route, "methods", None) or ()):
                    yield method, route.path  # type: ignore[attr-defined]
    return walk(app.routes)


def assert_secured(answer: Any, *, stored: bool = False) -> None:
    """The headers of `service.headers`, as a browser reads them."""
    where = f"{answer.request.method} {answer.request.url} → {answer.status_code}"
    policy = answer.headers.get("content-security-policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in policy.split(";")}
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", where
    assert directives.get("object-src") == "object-src 'none'", where
    assert directives.get("base-uri") == "base-uri 'self'", where
    assert directives.get("form-action") == "form-action 'self'", where
    assert answer.headers.get("x-content-type-options") == "nosniff", where
    assert answer.headers.get("x-frame-options") == "DENY", where
    assert answer.headers.get("referrer-policy") == "same-origin", where
    if not stored:
        assert answer.headers.get("cache-control") == "no-store", where
    if answer.request.url.path not in DOCS:
        assert policy.startswith("default-src 'self';"), where
        assert "unsafe-inline" not in policy and "script-src" not in policy, where


def _signed_in(api: Api) -> Any:
    """The test client with the administrator's session cookie and bearer token."""
    Pages(api).as_user("admin")
    api.client.headers["Authorization"] = f"Bearer {api.token('admin')}"
    return api.client


def test_every_route_answers_with_the_security_headers(api: Api) -> None:
    samples = {**SAMPLES, "appraisal_id": api.open()["id"]}
    client = _signed_in(api)
    walked = sorted(set(routes(client.app)), key=lambda r: (r[0] != "GET", r))  # reads first
    statuses = []
    for method, path in walked:
        url = re.sub(r"{(\w+)(:\w+)?}", lambda m: samples.get(m[1], "x"), path)
        answer = client.request(method, url, json={} if method in ("POST", "PUT") else None,
                                follow_redirects=False)
        assert_secured(answer)
        statuses.append((method, answer.status_code))
    assert len(walked) > 60
    assert sum(status == 200 for method, status in statuses if method == "GET") > 25


@pytest.mark.parametrize("path", [
    "/rankings/2026-10?format=xlsx", "/archives/2026?format=json", "/archives/2026?format=xlsx",
    "/archives/2026?format=pdf", "/app/rankings.xlsx?period=2026-10",
    "/app/archives/file?year=2026&form=json", "/app/archives/file?year=2026&form=xlsx",
    "/app/archives/file?year=2026&form=pdf"])
def test_downloads_are_never_stored(api: Api, path: str) -> None:
    api.publish()
    answer = _signed_in(api).get(path)
    assert answer.status_code == 200, answer.text
    assert "attachment" in answer.headers["content-disposition"]
    assert_secured(answer)


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "media"), [
    ("GET", "/appraisals", {}, 401, "application/problem+json"),
    ("GET", "/zones/nowhere", {"user": "admin"}, 404, "application/problem+json"),
    ("DELETE", "/zones", {"user": "admin"}, 405, "application/problem+json"),
    ("POST", "/branches", {"user": "admin", "content": b"{", "headers": {
        "Content-Type": "application/json"}}, 422, "application/problem+json"),
    ("POST", "/branches", {"user": "admin", "content": b"x" * (2 << 20)}, 413,
     "application/problem+json"),
    ("GET", "/app/nowhere", {"user": "admin"}, 404, "text/html"),
    ("GET", "/app/appraisals/00000000-0000-0000-0000-000000000000", {"user": "m1"}, 404,
     "text/html"),
    ("POST", "/app/policy", {"user": "admin", "data": {"csrf": "0" * 64}}, 403, "text/html"),
    ("GET", "/app/inbox", {}, 303, None),
])
def test_problems_and_error_pages_carry_them_too(api: Api, method: str, path: str,
                                                 kwargs: dict, status: int,
                                                 media: str | None) -> None:
    kwargs = dict(kwargs)
    if user := kwargs.pop("user", None):
        Pages(api).as_user(user)
        kwargs["headers"] = {**api.headers(user), **kwargs.get("headers", {})}
    answer = api.client.request(method, path, follow_redirects=False, **kwargs)
    assert answer.status_code == status
    if media:
        assert answer.headers["content-type"].startswith(media)
    assert_secured(answer)


@pytest.mark.parametrize("path", STATIC)
def test_the_shipped_assets_may_be_cached_but_not_sniffed(api: Api, path: str) -> None:
    answer = api.client.get(path)
    assert answer.status_code == 200
    assert "no-store" not in answer.headers.get("cache-control", "")
    assert_secured(answer, stored=True)


@pytest.mark.parametrize("path", DOCS)
def test_the_api_documentation_keeps_its_viewer_but_is_never_framed(api: Api,
                                                                    path: str) -> None:
    answer = api.client.get(path)
    assert answer.status_code == 200
    assert_secured(answer)


INLINE = [re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script without src
          re.compile(r"<style\b", re.I), re.compile(r"\sstyle\s*=", re.I),
          re.compile(r"\son[a-z]+\s*=", re.I), re.compile(r"javascript:", re.I)]


def test_no_page_holds_an_inline_script_or_style(api: Api) -> None:
    """What the policy would block: each page as its readers see it, forms and charts open."""
    api.publish("Z2")
    doc = api.open()
    pages = Pages(api)
    seen = {
        "m1": [f"/app/appraisals/{doc['id']}", "/app/inbox", "/app/account"],
        "admin": ["/app/organisation", "/app/users", "/app/forms", "/app/policy",
                  "/app/archives", "/app/archives?year=2026&check=1", "/app/appraisals",
                  f"/app/appraisals/{doc['id']}/history", "/app/rankings?period=2026-10",
                  "/app/nowhere"],
        "secretary": ["/app/rankings?period=2026-10", "/app/policy"],
    }
    for user, paths in seen.items():
        pages.as_user(user)
        for path in paths:
            answer = pages.get(path)
            assert answer.headers["content-type"].startswith("text/html"), path
            for inline in INLINE:
                assert not inline.search(answer.text), f"{path}: {inline.pattern}"
    api.client.cookies.clear()
    sign_in = pages.get("/app/sign-in")
    assert not any(inline.search(sign_in.text) for inline in INLINE)
