"""The read models' decoder gives the library's events, whatever their states hold."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification

from domain.appraisal import Appraisal
from projections import decoding
from projections.decoding import Decoder

AT = datetime(2026, 10, 31, 8, 0, 0, 123456, tzinfo=UTC)


def opened(**changed: Any) -> Appraisal:
    fields: dict[str, Any] = {
        "zone_id": "Z1", "zone_name": "综采一队\n\t", "line": "采煤线", "period": "2026-10",
        "branch_id": "B1", "group_id": "G1", "template_id": "default", "template_version": 1,
        "items": {"duty": "100"}, "responsible_member_ids": ["M1"], "state": "self_check",
        "actor": "someone", "role": "role", "timestamp": AT}
    return Appraisal(**(fields | changed))


def logged(stored: Any, hex_id: bool = False) -> Notification:
    """As a recorder reads it: PostgreSQL gives the stream id as a UUID, SQLite as hex."""
    ident = stored.originator_id.hex if hex_id else stored.originator_id
    return Notification(id=1, originator_id=ident, originator_version=stored.originator_version,
                        topic=stored.topic, state=stored.state)


@pytest.mark.parametrize("hex_id", [False, True])
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
def test_the_decoder_gives_the_librarys_event(changed, hex_id):
    mapper = Application().mapper
    stored = mapper.to_stored_event(opened(**changed).collect_events()[0])
    try:
        expected = mapper.to_domain_event(stored)
    except Exception as error:  # the library's own error, from the same transcoder
        with pytest.raises(type(error)):
            Decoder(mapper)(logged(stored, hex_id))
        return
    decoded, stream = Decoder(mapper)(logged(stored, hex_id))
    assert type(decoded) is type(expected)
    assert _typed(vars(decoded)) == _typed(vars(expected))
    assert stream == str(expected.originator_id)


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
    monkeypatch.setattr(mapper, "to_domain_event", None)  # not called
    assert vars(Decoder(mapper)(logged(stored))[0]) == vars(expected)


def test_a_streams_events_share_its_id_and_the_ids_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(decoding, "_KEPT_STREAMS", 2)
    mapper, decode = Application().mapper, Decoder(Application().mapper)
    first, second, third = (opened(zone_id=z) for z in ("Z1", "Z2", "Z3"))
    first.return_(reason="再议", state="self_check", actor="a", role="r", timestamp=AT)
    decoded = [decode(logged(mapper.to_stored_event(e), hex_id=True))
               for a in (first, second, third) for e in a.collect_events()]
    assert [stream for _, stream in decoded] == [
        str(a.id) for a in (first, first, second, third)]
    assert decoded[0][0].originator_id == decoded[1][0].originator_id == first.id
    assert len(decode._streams) <= 2


class Upcast(Aggregate):
    """An aggregate whose creation event is in its second version."""

    def __init__(self, note: str):
        self.note = note

    class Created(Aggregate.Created):
        class_version = 2
        note: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["note"] = "upcast"


def test_an_event_of_a_class_with_versions_is_upcast_as_the_library_does():
    mapper = Application().mapper
    stored = mapper.to_stored_event(Upcast("v2").collect_events()[0])
    first = stored.state.replace(b',"class_version":2', b"")  # as version 1 stored it
    assert first != stored.state
    decoded, _ = Decoder(mapper)(Notification(id=1, originator_id=stored.originator_id,
                                              originator_version=1, topic=stored.topic,
                                              state=first))
    assert decoded.note == "upcast"
