"""Supervision (督导检查): what an inspector finds on a zone or an appraisal, by one of the
methods of 004 §4.3, and the branch's rectification (整改). The attachments a finding or
rectification carries are named by their SHA-256 and kept beside the event store."""

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain.bounds import MAX_NAME, check_text
from domain.errors import InvalidError
from domain.period import CHINA

MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# What an attachment may be, by the bytes it starts with: photos and PDFs (pages show them).
MEDIA_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png",
               b"%PDF-": "application/pdf"}


class Method(StrEnum):
    """How the finding was made (seed 004 §4.3)."""

    ROUTINE = "routine"  # 平时督查
    REPORT = "report"  # 听取汇报
    ON_SITE = "on_site"  # 实地检视
    SPOT_CHECK = "spot_check"  # 重点抽查
    RECORDS = "records"  # 查阅资料


def media_type_of(content: bytes) -> str | None:
    """The attachment's media type from its first bytes; None: not one that is accepted."""
    return next((kind for magic, kind in MEDIA_TYPES.items() if content.startswith(magic)),
                None)


def check_method(method: Any) -> str:
    if method not in {m.value for m in Method}:
        raise InvalidError(f"method must be one of {', '.join(Method)}", {"method": "unknown"})
    return str(method)


def check_date(text: Any, field: str = "date") -> str:
    """A calendar date, YYYY-MM-DD, from 1970 up to today (UTC+8 may be a day ahead)."""
    try:
        day = date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidError(f"{field} must be a date, YYYY-MM-DD", {field: "format"})
    if not date(1970, 1, 1) <= day <= datetime.now(CHINA).date():
        raise InvalidError(f"{field} is before 1970 or in the future", {field: "range"})
    return day.isoformat()


def check_attachments(attachments: Any) -> list[dict[str, Any]]:
    """A finding's attachments as the event keeps them: at most MAX_ATTACHMENTS, each
    `{"sha256", "name", "media_type", "size"}` (the service checks that it holds them)."""
    if not isinstance(attachments, list) or len(attachments) > MAX_ATTACHMENTS:
        raise InvalidError(f"attachments: at most {MAX_ATTACHMENTS}", {"attachments": "count"})
    return [_attachment(a) for a in attachments]


def _attachment(found: Any) -> dict[str, Any]:
    if not isinstance(found, Mapping):
        raise InvalidError("an attachment is an object", {"attachments": "type"})
    digest, name = found.get("sha256"), found.get("name")
    media, size = found.get("media_type"), found.get("size")
    if not (isinstance(digest, str) and len(digest) == 64
            and all(c in "0123456789abcdef" for c in digest)):
        raise InvalidError("an attachment's sha256 is 64 lowercase hex digits",
                           {"attachments": "sha256"})
    if media not in MEDIA_TYPES.values() or isinstance(size, bool) \
            or not isinstance(size, int) or not 0 < size <= MAX_ATTACHMENT_BYTES:
        raise InvalidError("an attachment is a photo or PDF of up to 10 MB",
                           {"attachments": "kind"})
    name = check_text(name if isinstance(name, str) else "", "name", limit=MAX_NAME,
                      required=True)
    return {"sha256": digest, "name": name, "media_type": media, "size": size}


def with_finding(findings: Mapping[str, dict[str, Any]], finding: str, method: str, day: str,
                 text: str, attachments: list[dict[str, Any]], actor: str,
                 at: datetime) -> dict[str, dict[str, Any]]:
    """The findings with a new one (a new mapping: events never change a value in place)."""
    return {**findings, finding: {"method": method, "date": day, "text": text,
                                  "attachments": attachments, "actor": actor, "at": at,
                                  "rectification": None}}


def with_rectification(findings: Mapping[str, dict[str, Any]], finding: str, text: str,
                       attachments: list[dict[str, Any]], actor: str,
                       at: datetime) -> dict[str, dict[str, Any]]:
    rectified = {**findings[finding], "rectification": {
        "text": text, "attachments": attachments, "actor": actor, "at": at}}
    return {**findings, finding: rectified}
