"""Plain views of an appraisal for people and archives: its document and its history."""

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.appraisal import Appraisal
from domain.process import STEP_OF_EVENT, STEPS, State
from domain.scoring import Grade

# What an entry's data may hold. An objection's contact is not among them: it is for the
# branch that answers, not for everyone who reads the history or the archive.
HISTORY_FIELDS = ("scores", "total", "comment", "reason", "reward", "objection", "posting",
                  "name", "upheld", "finding", "method", "date", "text", "attachments",
                  "on_behalf_of", "delegation")
# Named only when the event has them: entries of events without them stay as they were.
OPTIONAL_FIELDS = frozenset({"objection", "on_behalf_of", "delegation"})
OPENED_FIELDS = ("zone_id", "period", "template_id", "template_version", "items",
                 "responsible_member_ids")
# A year-end's evidence of its months (domain.yearend), in its own event beside the opening.
MONTHS_SUMMARISED = "months_summarised"
EVIDENCE_FIELDS = ("results", "average", "excellent", "unqualified", "offered")
# The entries that start an appraisal: its opening, and a restart after a cancellation
# (whose data are the opening's but its zone and period, which never change).
STARTS = ("opened", "restarted")


@functools.lru_cache(maxsize=4096)  # scores and amounts: a few hundred distinct values
def number(value: str | Decimal | None) -> int | float | None:
    """An exact decimal as a JSON number: 15 stays 15, 91.5 stays 91.5."""
    if value is None:
        return None
    exact = Decimal(value)
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def instant(moment: datetime) -> str:
    """ISO 8601 UTC with microseconds, e.g. 2026-10-31T08:00:00.000000Z."""
    # From the fields: twice as fast as isoformat, which formats the UTC offset only for it
    # to be cut off (a quarter of an archive view's work in a rebuild), and as an f-string.
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
        moment.microsecond)


def _step(signed: dict[str, Any] | None) -> dict[str, Any] | None:
    if signed is None:
        return None
    scores = signed["scores"]
    return _behalf({
        "actor": signed["actor"],
        "at": instant(signed["at"]),
        "scores": None if scores is None else {c: number(v) for c, v in scores.items()},
        "total": number(signed["total"]),
        "comment": signed["comment"],
    }, signed.get("on_behalf_of"))


def _behalf(step: dict[str, Any], principal: str | None) -> dict[str, Any]:
    """A step signed by a deputy (代签) names whom for; others are as they always were."""
    return step if principal is None else {**step, "on_behalf_of": principal}


def document(appraisal: Appraisal) -> dict[str, Any]:
    """The appraisal document of API.md, without the caller's `allowed_actions`."""
    grade = appraisal.grade
    return {
        "id": str(appraisal.id),
        "zone_id": appraisal.zone_id,
        "period": appraisal.period,
        "template_id": appraisal.template_id,
        "template_version": appraisal.template_version,
        "state": appraisal.state,
        "version": appraisal.version,
        "responsible_member_ids": list(appraisal.responsible_member_ids),
        **{name: _step(signed) for name, signed in appraisal.steps.items()},
        "score": number(appraisal.score),
        "grade": None if grade is None else grade.value,
        **_months(appraisal.months),
    }


def _months(held: Mapping[str, Any] | None) -> dict[str, Any]:
    """A year-end document's `months`; nothing for a month, or a year-end without evidence
    (opened before it was recorded): their documents stay as they were."""
    return {} if held is None else {"months": evidence(held)}


def evidence(held: Mapping[str, Any]) -> dict[str, Any]:
    """A year-end's evidence of its months as documents and histories show it: each month's
    result (or null), the average, the excellent and unqualified months, the offered item
    scores; scores and averages as numbers."""
    results, offered = held["results"], held["offered"]
    return {
        "results": {period: None if found is None else {**found, "score": number(found["score"])}
                    for period, found in results.items()},
        "average": number(held["average"]),
        "excellent": held["excellent"],
        "unqualified": held["unqualified"],
        "offered": None if offered is None else {c: number(v) for c, v in offered.items()},
    }


def event_type(domain_event: object) -> str:
    """`SelfCheckSubmitted` → `self_check_submitted`."""
    return _snake(type(domain_event).__name__)


@functools.cache
def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@functools.cache
def _entry_of(class_name: str) -> tuple[str, tuple[str, ...]]:
    """An event class's entry type and the fields its entry's data may hold."""
    kind = _snake(class_name)
    if kind == MONTHS_SUMMARISED:
        return kind, EVIDENCE_FIELDS
    return kind, OPENED_FIELDS if kind in STARTS else HISTORY_FIELDS


def history_entry(domain_event: Any) -> dict[str, Any]:
    """One event of an appraisal's history as API.md shows it."""
    kind, fields = _entry_of(type(domain_event).__name__)
    held = vars(domain_event)
    # A reopening names the objection it answers only when one asked for it.
    data = {name: held[name] for name in fields
            if name in held and (held[name] is not None or name not in OPTIONAL_FIELDS)}
    if kind == MONTHS_SUMMARISED:
        data = evidence(data)
    for mapping in ("scores", "items"):
        if (values := data.get(mapping)) is not None:
            data[mapping] = {code: number(v) for code, v in values.items()}
    for amount in ("total", "reward"):
        if amount in data:
            data[amount] = number(data[amount])
    return {
        "version": held["originator_version"],
        "type": kind,
        "at": instant(held["timestamp"]),
        "actor": held["actor"],
        "role": held["role"],
        "state": held["state"],
        "data": data,
    }


def started(history: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the appraisal was (re)started with, at the end of these entries: its opening's
    data, as its latest restart changed them (form, items, responsible members)."""
    data = history[0]["data"]
    for entry in history[1:]:
        if entry["type"] == "restarted":
            data = {**data, **entry["data"]}
    return data


def replayed(appraisal_id: str, history: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The document `document()` gives, from the appraisal's history entries alone: an
    archive keeps the entries and cuts them at an instant, without loading the aggregate."""
    opened = history[0]["data"]
    steps: dict[str, dict[str, Any] | None] = dict.fromkeys(map(str, STEPS))
    months: dict[str, Any] = {}
    for entry in history[1:]:
        if entry["type"] == MONTHS_SUMMARISED:
            months = {"months": entry["data"]}
        elif (step := STEP_OF_EVENT.get(entry["type"])) is not None:
            data = entry["data"]
            steps[step] = _behalf({"actor": entry["actor"], "at": entry["at"],
                                   "scores": data.get("scores"), "total": data.get("total"),
                                   "comment": data["comment"]}, data.get("on_behalf_of"))
        elif entry["type"] == "restarted":  # as `started` reads it, in the same pass
            opened = {**opened, **entry["data"]}
    review = steps[State.GROUP_REVIEW]
    score = None if review is None else review["total"]
    return {
        "id": appraisal_id,
        "zone_id": opened["zone_id"],
        "period": opened["period"],
        "template_id": opened["template_id"],
        "template_version": opened["template_version"],
        "state": history[-1]["state"],
        "version": history[-1]["version"],
        "responsible_member_ids": list(opened["responsible_member_ids"]),
        **steps,
        "score": score,
        "grade": None if score is None else Grade.of(Decimal(str(score))).value,
        **months,
    }


def is_final(history: Sequence[dict[str, Any]]) -> bool:
    """Whether the result stood final (定稿) at the end of these entries: a `finalised` entry
    follows the last `reopened` (a reopening ends finality; only a new posting's closing
    brings it back)."""
    final = False
    for entry in history:
        if entry["type"] == "finalised":
            final = True
        elif entry["type"] == "reopened":
            final = False
    return final
