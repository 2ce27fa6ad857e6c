"""The read models' decoder gives the library's events, whatever their states hold."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest
from eventsourcing.application import Application

from domain.appraisal import Appraisal
from projections.decoding import faster

AT = datetime(2026, 10, 31, 8, 0, 0, 123456, tzinfo=UTC)


def opened(**changed: Any) -> Appraisal:
    fields: dict[str, Any] = {
        "zone_id": "Z1", "zone_name": "综采一队\n\t", "line": "采煤线", "period": "2026-10",
        "branch_id": "B1", "group_id": "G1", "template_id": "default", "template_version": 1,
        "items": {"duty": "100"}, "responsible_member_ids": ["M1"], "state": "self_check",
        "actor": "someone", "role": "role", "timestamp": AT}
    return Appraisal(**(fields | changed))


@pytest.mark.parametrize("changed", [
    {},
    {"timestamp": datetime(2026, 1, 1, tzinfo=UTC)},  # no microseconds written
    {"template_version": 2**70},  # orjson would give a float
    {"template_version": -(2**63) - 1},
    {"zone_name": "0" * 40},  # a long run of digits in a string
    {"items": {"duty": Decimal("1.5")}},  # a second transcoded value
    {"items": {"_type_": "x", "_data_": "y"}},  # looks like one, is not registered: fails
    {"zone_name": "\x00\x1f\u2028", "line": '"_type_":'},
    {"template_version": 1.5},
    {"template_version": float("nan")},  # the library writes NaN; orjson refuses it
    {"responsible_member_ids": [uuid5(NAMESPACE_URL, "m")]},
])
def test_the_faster_decoder_gives_the_librarys_event(changed):
    mapper = Application().mapper
    stored = mapper.to_stored_event(opened(**changed).collect_events()[0])
    try:
        expected = mapper.to_domain_event(stored)
    except Exception as error:  # the library's own error, from the same transcoder
        with pytest.raises(type(error)):
            faster(mapper).to_domain_event(stored)
        return
    decoded = faster(mapper).to_domain_event(stored)
    assert type(decoded) is type(expected)
    assert _typed(vars(decoded)) == _typed(vars(expected))


def _typed(value: Any) -> Any:
    """The value with the type of every part, so that 1 and 1.0 differ (and NaN equals NaN)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return type(value), repr(value)


def test_an_ordinary_event_is_parsed_without_the_librarys_json(monkeypatch):
    mapper = Application().mapper
    stored = mapper.to_stored_event(opened().collect_events()[0])
    expected = mapper.to_domain_event(stored)
    monkeypatch.setattr(mapper.transcoder, "decode", None)  # not called
    assert vars(faster(mapper).to_domain_event(stored)) == vars(expected)
