"""The files of supervision (督导检查的附件): uploaded by those who write findings and
rectifications, named in them by their SHA-256, and read back by a finding's readers."""

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from domain.bounds import MAX_NAME, check_text
from domain.errors import ForbiddenError, InvalidError, NotFoundError
from domain.process import Role
from domain.supervision import check_attachments
from service.cases.files import File
from service.runtime import Runtime
from workflows.access import Actor

# Who writes findings (inspectors) and rectifications (secretaries, administrators).
UPLOADERS = (Role.INSPECTOR, Role.BRANCH_SECRETARY, Role.ADMIN)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def check_uploader(actor: Actor) -> None:
    """403 for anyone who writes neither findings nor rectifications: checked before the
    body is read, so no one else gets a large body held for them."""
    if not actor.has_role(*UPLOADERS):
        raise ForbiddenError("attachments are uploaded by inspectors, branch secretaries and "
                             "administrators, for their findings and rectifications")


def upload(rt: Runtime, actor: Actor, name: str, content: bytes) -> dict[str, Any]:
    """Keep the file (once, whoever sends the same bytes again) and say how to name it: its
    SHA-256, the name given, its type as read from its bytes (422 unless a JPEG, PNG or
    PDF) and its size."""
    check_uploader(actor)
    name = check_text(name, "name", limit=MAX_NAME, required=True)
    stored = rt.attachments.put(content)
    return {"sha256": stored.sha256, "name": name, "media_type": stored.media_type,
            "size": stored.size}


def held(rt: Runtime, attachments: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The attachments as a finding keeps them, each a file the service holds with the size
    and type named (422 otherwise)."""
    checked = check_attachments(list(attachments))
    for attachment in checked:
        stored = rt.attachments.stat(attachment["sha256"])
        if stored is None or (stored.size, stored.media_type) != (attachment["size"],
                                                                  attachment["media_type"]):
            raise InvalidError(f"attachment {attachment['sha256']} is not a file the service "
                               "holds with that size and type: upload it first",
                               {"attachments": attachment["sha256"]})
    return checked


def download(rt: Runtime, actor: Actor, finding_id: str, sha256: str) -> File:
    """A file the finding or its rectification names, for a reader of the finding: 404 for
    a file it does not name (whether held or not), 403 outside the caller's scope."""
    found = rt.workflows.readable_finding(finding_id, actor, shared=True)
    answer = found.finding["rectification"] or {}
    named = [a for a in [*found.finding["attachments"], *answer.get("attachments", ())]
             if a["sha256"] == sha256]
    stored = rt.attachments.get(sha256) if named else None
    if stored is None:
        raise NotFoundError("attachment", sha256)
    media_type, content = stored
    return File(content, media_type, disposition(named[0]["name"]))


def disposition(name: str) -> str:
    """`attachment`, with the file's name: in ASCII for every client, and in full (RFC 6266
    `filename*`, percent-encoded: no quote or line break can end the header) for those that
    read it."""
    plain = _UNSAFE.sub("_", name) or "attachment"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
