"""Deterministic aggregate ids, so client-chosen ids and (zone, period) pairs map to one stream."""

import hashlib
from uuid import UUID

NAMESPACE = UUID("6f1c3a52-8f7e-4d1b-9a43-2b7c0d5e9a10")


def stream_id(kind: str, *parts: str) -> UUID:
    """The stream of the `kind` record named by `parts` (e.g. `zone`, `Z001`).

    This is uuid5, made total: any string, even one no valid record could have, names a
    stream (which then does not exist) instead of failing to encode.
    """
    name = "\x1f".join((kind, *parts)).encode("utf-8", "surrogatepass")
    digest = hashlib.sha1(NAMESPACE.bytes + name, usedforsecurity=False).digest()
    return UUID(bytes=digest[:16], version=5)


def part_id(stream: UUID, kind: str, number: int) -> str:
    """The id of the `number`th part of `kind` kept in a stream: a posting of a branch's
    period, an objection or finding of an appraisal or zone (`…-o2`). It names its stream,
    so a command on it loads that stream and no index is consulted."""
    return f"{stream}-{kind}{number}"


def parse_part(text: str, kind: str) -> tuple[UUID, int] | None:
    """The stream and number a `part_id` of `kind` names; None for anything else."""
    stream, _, tail = text.rpartition("-")
    if not tail.startswith(kind) or not tail[len(kind):].isascii() \
            or not tail[len(kind):].isdigit() or len(tail) > 10:
        return None
    try:
        ident = UUID(stream)
    except ValueError:
        return None
    # One spelling only: UUID() also reads braces, URNs and capitals.
    return (ident, int(tail[len(kind):])) if str(ident) == stream else None
