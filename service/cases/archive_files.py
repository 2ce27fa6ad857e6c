"""Archive files on disk, for the `appraisal archive` command: write one, or verify one: the
store still proves the inclusion proofs its manifest carries, and regenerating it from that
manifest gives its bytes."""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.errors import InvalidError
from domain.organisation import Branch
from reports import archive_pdf, archive_xlsx
from service.cases import archives, inclusion
from service.runtime import Runtime

SHOWN_PROBLEMS = 10


@dataclass(frozen=True)
class Verdict:
    holds: bool
    text: str


def write(rt: Runtime, year: str, form: str, branch_id: str | None, as_of: str | None,
          output: Path) -> str:
    """Write the file; say what it is."""
    if form not in archives.MEDIA_TYPES:
        raise InvalidError(f"format {form!r} is not one of json, xlsx, pdf", {"format": "enum"})
    request = archives.Request.of(year, branch_id, None if as_of is None else _instant(as_of))
    if branch_id is not None:
        rt.workflows.referenced(Branch, branch_id, field="branch_id")
    produced = archives.produce(rt, request, form)
    output.write_bytes(produced.content)
    return f"wrote {output} ({len(produced.content):,} bytes): {_described(request)}, " \
           f"sha256 {produced.sha256}"


def verify(rt: Runtime, path: Path) -> Verdict:
    """Check that the store still proves what the manifest's checkpoint includes, then
    regenerate the file from the store as its manifest names it and compare the bytes."""
    data = path.read_bytes()
    form = form_of(data)
    manifest = read_manifest(data, form)
    request = archives.Request.of(manifest["year"], manifest["branch_id"],
                                 _instant(manifest["as_of"]))
    try:
        unproved = inclusion.problems(rt, manifest.get("ledger"))
    except (KeyError, TypeError, ValueError) as error:  # a manifest no archive was made with
        unproved = [f"the manifest's ledger section is malformed ({error!r})"]
    again = archives.produce(rt, request, form)
    same = again.content == data
    notes = [f"{'sha256' if same else 'regenerated sha256'} {again.sha256}",
             _proved(manifest.get("ledger"), unproved)]
    if not same and manifest["software"] != archives.SOFTWARE:
        notes.append(f"it was made by {manifest['software']}, this is {archives.SOFTWARE}")
    return Verdict(same and not unproved,
                   f"{'identical' if same else 'DIFFERENT'}: {path}: {form}, "
                   f"{_described(request)}, position {manifest['position']}"
                   + "".join(f"; {n}" for n in notes))


def _proved(section: dict[str, Any] | None, unproved: list[str]) -> str:
    """What the inclusion check found, in a sentence (the first problems, if any)."""
    if unproved:
        more = len(unproved) - SHOWN_PROBLEMS
        return "NOT PROVED by the store: " + "; ".join(unproved[:SHOWN_PROBLEMS]) + (
            f"; and {more:,} more" if more > 0 else "")
    if section is None or section["checkpoint"] is None:
        return "no appraisal to prove"
    return (f"the store proves its {len(section['appraisals']):,} appraisals in checkpoint "
            f"{section['checkpoint']['size']} (root {section['checkpoint']['root']})")


def form_of(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        return "xlsx"
    if data.lstrip().startswith(b"{"):
        return "json"
    raise InvalidError("not an archive file (JSON, XLSX or PDF)", {"file": "format"})


def read_manifest(data: bytes, form: str) -> dict[str, Any]:
    try:
        if form == "pdf":
            return archive_pdf.read_manifest(data)
        if form == "xlsx":
            return archive_xlsx.read_manifest(data)
        manifest: dict[str, Any] = json.loads(data)["manifest"]
        return manifest
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidError(f"no archive manifest in the file ({error})",
                           {"file": "manifest"}) from None


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidError(f"as_of {text!r} is not an ISO 8601 instant",
                           {"as_of": "format"}) from None
    if moment.tzinfo is None:
        raise InvalidError(f"as_of {text!r} needs an offset, e.g. Z or +08:00",
                           {"as_of": "offset"})
    return moment


def _described(request: archives.Request) -> str:
    scope = f"branch {request.branch_id}" if request.branch_id else "every branch"
    return f"the {request.year} archive of {scope} as of {request.as_of}"
