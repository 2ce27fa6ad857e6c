"""Signed-in callers by bearer token, kept for a moment: a token's signature and its user's
session are checked once a second per token, not on every request (a store read each).

A change to the user made by this process (password, roles, disabled, signed out) forgets
their tokens at once. One made by another API process reaches this one when its entry
expires: a session ended there is honoured here for at most `SECONDS` more.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import NamedTuple
from uuid import UUID

from domain.users import User
from service.auth import Tokens, actor_of
from service.request_id import note_user
from workflows.access import Actor
from workflows.base import RECENT_SECONDS

SECONDS = RECENT_SECONDS  # as long as the organisation's facts a decision reads may be stale
SIZE = 10_000  # tokens kept (the least recently used go first)


class _Kept(NamedTuple):
    actor: Actor
    stream: UUID  # the user's
    until: float


class Actors:
    """The actor a valid token names (UnauthorizedError otherwise), from memory while fresh."""

    def __init__(self, tokens: Tokens, find_user: Callable[[str], User | None]):
        self.tokens, self.find_user = tokens, find_user
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._tokens_of: dict[UUID, set[str]] = {}  # by user stream: what `forget` drops
        self._lock = threading.Lock()

    def of(self, token: str) -> Actor:
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(token)
        if kept is not None and kept.until > now:
            note_user(kept.actor.username)
            return kept.actor
        user = self.tokens.user(token, self.find_user)  # 401 for a token that is not valid
        actor = actor_of(user)
        with self._lock:
            self._kept[token] = _Kept(actor, user.id, now + SECONDS)
            self._kept.move_to_end(token)
            self._tokens_of.setdefault(user.id, set()).add(token)
            if len(self._kept) > SIZE:
                old, kept = self._kept.popitem(last=False)
                self._tokens_of.get(kept.stream, set()).discard(old)
        return actor

    def forget(self, streams: Iterable[UUID]) -> None:
        """These streams changed: the tokens of users among them are checked again."""
        with self._lock:
            for stream in streams:
                for token in self._tokens_of.pop(stream, ()):
                    self._kept.pop(token, None)
