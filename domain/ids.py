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
