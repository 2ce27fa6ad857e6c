"""The one mapping from errors to HTTP: every failure leaves as RFC 9457 problem+json."""

import logging
from typing import Any

from eventsourcing.persistence import IntegrityError, MapperDeserialisationError, PersistenceError
from eventsourcing.utils import TopicError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from domain.errors import (
    AlreadyExistsError,
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    StaleVersionError,
    StateConflictError,
)
from projections.tracking import ViewFailedError
from service.headers import headers_for
from service.request_id import request_id_of
from store.ledger import LedgerError, unrecorded

LOG = logging.getLogger("appraisal.errors")
# What a lost race (IntegrityError) is said to be.
RACE_DETAIL = "the appraisal changed while you acted; reload and retry"
# The store changed by hand: the ledger lacks what a proof needs, or a stored event cannot
# be read (its state or topic). Until an operator puts it right, what needs it answers 503.
DAMAGED = (LedgerError, MapperDeserialisationError, TopicError)
VERIFY = "an operator must run `appraisal verify` and put the store right"
# Set in the ASGI scope (by service.limits) when the request's JSON body did not parse.
MALFORMED_JSON = "appraisal.malformed_json"


class UnauthorizedError(Exception):
    """No token, or a bad or expired one; or a failed sign-in."""


class RetryLaterError(Exception):
    """Refused for now; `retry_after` seconds later it may be taken (the Retry-After header)."""

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = max(1, retry_after)


class TooManyAttemptsError(RetryLaterError):
    """Too many failed sign-ins for this username or from this address, lately (429)."""


class BusyError(RetryLaterError):
    """The password checks' own pool has no room: a burst is under way (503)."""


class IdempotencyKeyReusedError(Exception):
    """The same Idempotency-Key came back with a different request."""


class ContentTooLargeError(Exception):
    """A body over its route's limit, found as it was read (413)."""


STATUS: list[tuple[type[Exception], int, str]] = [
    (NotFoundError, 404, "Not found"),
    (InvalidError, 422, "Invalid request"),
    (AlreadyExistsError, 409, "Already exists"),
    (ForbiddenError, 403, "Forbidden"),
    (StateConflictError, 409, "Not allowed in the current state"),
    (StaleVersionError, 412, "Precondition failed"),
    (ConflictError, 409, "Conflict"),
    (IntegrityError, 409, "A concurrent write won the race"),
    (IdempotencyKeyReusedError, 409, "Idempotency-Key reused for a different request"),
    (UnauthorizedError, 401, "Unauthorized"),
    (ContentTooLargeError, 413, "Content too large"),
    (TooManyAttemptsError, 429, "Too many requests"),
    (BusyError, 503, "Service busy"),
    (ViewFailedError, 503, "View failed"),
    *((cls, 503, "Log needs verifying") for cls in DAMAGED),
]
# Every error answered in these words (the API's handlers, the pages' routes).
KNOWN = (DomainError, IntegrityError, IdempotencyKeyReusedError, UnauthorizedError,
         RetryLaterError, ViewFailedError, ContentTooLargeError, *DAMAGED)


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None,
            **extensions: Any) -> JSONResponse:
    return answer(problem_body(status, title, detail, **extensions), headers)


def problem_body(status: int, title: str, detail: str, **extensions: Any) -> dict[str, Any]:
    slug = title.lower().replace(" ", "-")
    return {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail,
            **extensions}


def answer(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem's body as the response that carries it."""
    return JSONResponse(body, status_code=body["status"], headers=headers,
                        media_type="application/problem+json")


def described(error: Exception) -> dict[str, Any]:
    """The problem+json body the API answers `error` with: a known error, or a body of the
    wrong shape (a bulk sign-off's item is answered in these words, one by one)."""
    if isinstance(error, RequestValidationError):
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in error.errors()]
        return problem_body(422, "Invalid request", "the request does not have the expected "
                            "shape", errors=errors)
    status, title = next((s, t) for cls, s, t in STATUS if isinstance(error, cls))
    return problem_body(status, title, detail_of(error), **_extensions(error))


def detail_of(error: Exception) -> str:
    """The problem's detail for a known error (a page shows it too)."""
    if isinstance(error, IntegrityError):
        return RACE_DETAIL
    if isinstance(error, LedgerError):
        return f"{error}; {VERIFY}"
    if isinstance(error, DAMAGED):  # the library's text names the appraisal: the log has it
        return f"an event of the log cannot be read; {VERIFY}"
    return str(error)


def _extensions(error: Exception) -> dict[str, Any]:
    if isinstance(error, StateConflictError):
        said = {"reason": error.reason} if error.reason else {}  # signed: too late to cancel
        return {"state": error.state, "allowed_actions": error.allowed_actions, **said}
    if isinstance(error, StaleVersionError):
        return {"current_version": error.current}
    if isinstance(error, ForbiddenError) and error.reason:
        return {"reason": error.reason}  # scope, signed, own_zone or not_responsible
    if isinstance(error, ConflictError) and error.reason:
        return {"reason": error.reason}  # which state refused it: window_open, pending…
    if isinstance(error, InvalidError) and error.errors:
        return {"errors": error.errors}
    if isinstance(error, ViewFailedError):
        return {"view": error.failure.view, "position": error.failure.position}
    return {}


def _known(_request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, DAMAGED):
        LOG.error("the store needs verifying: %s", error)
    return answer(described(error), headers_of(error))


def headers_of(error: Exception) -> dict[str, str] | None:
    """The headers an error's answer carries, API or page."""
    if isinstance(error, UnauthorizedError):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RetryLaterError):
        return {"Retry-After": str(error.retry_after)}
    return None


def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    if malformed := request.scope.get(MALFORMED_JSON):
        return problem(422, "Invalid request", "the body is not valid JSON",
                       errors=[{"loc": ["body"], "msg": malformed, "type": "json_invalid"}])
    return answer(described(error))


def http_problem(_request: Request, error: HTTPException) -> JSONResponse:
    return problem(error.status_code, _title(error.status_code), str(error.detail),
                   dict(error.headers or {}))


def _title(status: int) -> str:
    return {400: "Bad request", 404: "Not found", 405: "Method not allowed",
            413: "Content too large"}.get(
        status, "Error")


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    """The last resort: a failure no rule foresaw is logged and said as problem+json, never
    as a bare page. The security tests show no hostile request reaches it."""
    LOG.error("unexpected %s on %s %s", type(error).__name__, request.method,
              request.url.path, exc_info=error)
    # Starlette answers it outside every middleware: the security headers and the request
    # id are set here.
    headers = {k.decode(): v.decode() for k, v in headers_for(request.url.path)}
    if request_id := request_id_of(request.scope):
        headers["X-Request-ID"] = request_id
    return problem(500, "Internal error", "the service failed unexpectedly; it is logged",
                   headers)


def _persistence(request: Request, error: PersistenceError) -> JSONResponse:
    """A write the store refused because an event was written around the ledger: 503 until
    an operator verifies the store; any other failure of the store is unexpected."""
    if unrecorded(error):
        LOG.error("write refused: %s", error)
        return problem(503, "Log needs verifying", "the event log holds an event this service "
                       f"did not record; writes stop until {VERIFY}")
    return _unexpected(request, error)


def install(app: FastAPI) -> None:
    for cls in KNOWN:
        app.add_exception_handler(cls, _known)  # type: ignore[arg-type]
    app.add_exception_handler(PersistenceError, _persistence)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_problem)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
