"""Errors raised by domain rules; the service maps each kind to one HTTP status."""

from typing import Any


class DomainError(Exception):
    """Base of every rule the domain enforces."""


class InvalidError(DomainError):
    """Input that no state of the world could accept (422)."""

    def __init__(self, detail: str, errors: dict[str, str] | None = None):
        super().__init__(detail)
        self.errors = errors or {}


class NotFoundError(DomainError):
    """The named thing does not exist (404 in a path, 422 in a body)."""

    def __init__(self, kind: str, ident: str):
        super().__init__(f"{kind} {ident!r} does not exist")
        self.kind = kind
        self.ident = ident


class UnknownReferenceError(InvalidError):
    """A body names an id that does not exist (422)."""

    def __init__(self, kind: str, ident: str):
        super().__init__(f"{kind} {ident!r} does not exist", {kind: ident})
        self.kind = kind
        self.ident = ident


class AlreadyExistsError(DomainError):
    """A create named an id that is taken (409)."""


class ConflictError(DomainError):
    """The record's present state refuses the request, whatever the caller's rights (409).

    `reason` says which state, for people who read it in their own language (the pages), and
    `facts` what they need to know about it (a count, a time, the zones); None: not said.
    """

    def __init__(self, detail: str, reason: str | None = None, **facts: Any):
        super().__init__(detail)
        self.reason = reason
        self.facts = facts


class ForbiddenError(DomainError):
    """Role, scope or separation of duties forbids the action (403).

    `reason` says which, for people who read it in their own language: `scope` (outside the
    actor's branch, group or zone), `signed` (they signed another step of this round),
    `own_zone` (a responsible member judging their own zone), `not_responsible` (a
    self-check by someone not responsible for the zone), `link` (a public link that does not
    post the result objected to); None for the role itself.
    """

    def __init__(self, detail: str, reason: str | None = None):
        super().__init__(detail)
        self.reason = reason


class StateConflictError(DomainError):
    """The current state does not allow the action (409). `reason`, when the state would
    but the record does not: `signed` (a step was signed, so it can no longer be cancelled)."""

    def __init__(self, detail: str, state: str, allowed_actions: list[str],
                 reason: str | None = None):
        super().__init__(detail)
        self.state = state
        self.allowed_actions = allowed_actions
        self.reason = reason


class StaleVersionError(DomainError):
    """An If-Match named a version that is no longer current (412)."""

    def __init__(self, expected: int, current: int):
        super().__init__(f"version {expected} is stale; the current version is {current}")
        self.expected = expected
        self.current = current
