"""Idempotency receipts: the first response to a keyed request, kept with its events."""

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import stream_id


class Receipt(Aggregate):
    """Saved in the same transaction as the write it answers, so a retry finds it or redoes all."""

    @staticmethod
    def create_id(username: str, key: str) -> UUID:
        return stream_id("receipt", username, key)

    # `status`: of the answer the body was: a step taken (200), or a bulk item refused.
    @event("Issued")
    def __init__(self, username: str, key: str, fingerprint: str, body: str, status: int = 200):
        self.fingerprint = fingerprint
        self.status = status
        self.body = body
