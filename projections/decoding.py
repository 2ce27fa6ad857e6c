"""How the read models decode stored events: into the domain events the library's mapper
makes, faster.

Decoding was a fifth of a rebuild's time. Most of it was the library's JSON parse, which
calls back into Python for every object to look for its transcodings; the rest its mapper's
generic steps (topic, id type, upcasting), each looked up again for every event. Every event
this service stores holds one transcoded value, its timestamp, written first: such a state
is parsed by orjson (in C), the timestamp converted by hand, and the event made as the mapper
makes it, with what the mapper looks up kept by topic. Anything else goes through the
library's mapper: another transcoded value, a number orjson would read otherwise than `json`
(beyond 64 bits it gives a float), JSON it refuses, an event class with versions to upcast,
a cipher or a compressor.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import orjson
from eventsourcing.persistence import Mapper, Notification, find_id_convertor
from eventsourcing.utils import resolve_topic

# How the library's JSONTranscoder writes a domain event's timestamp, its first attribute.
_STAMPED = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
# Any transcoded value's mark. The library's encoder writes keys as they are (it escapes
# control characters only), so a "_type_" key is always spelled so.
_TRANSCODED = b'"_type_":'
# 19 digits in a row, maybe an integer beyond 64 bits (or inside a string: then the library's
# parse, only slower). Found by mapping digits to "0" and the rest to " ": a regex took five
# times as long.
_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_INTEGER = b"0" * 19

_How = tuple[type, Callable[[Any], Any]]  # an event class, and its stream id's conversion
# Stream ids converted and written out, kept for the stream's next events (an appraisal has
# about six): making a UUID and its text for each event was 7% of a rebuild's Python work.
# Forgotten all at once when there are more (a rebuild's batch reads some 75,000 streams).
_KEPT_STREAMS = 1 << 17


class Decoder:
    """Stored events to domain events, equal to those `mapper.to_domain_event` makes, each
    with its stream id as text."""

    def __init__(self, mapper: Mapper):
        self.mapper = mapper
        self._made: dict[tuple[str, type], _How | None] = {}
        self._streams: dict[tuple[Callable[[Any], Any], Any], tuple[Any, str]] = {}

    def __call__(self, stored: Notification) -> tuple[Any, str]:
        key = (stored.topic, type(stored.originator_id))
        how = self._made[key] if key in self._made else self._how(key)
        state = None if how is None else _parsed(stored.state)
        if how is None or state is None:
            domain_event = self.mapper.to_domain_event(stored)
            return domain_event, str(domain_event.originator_id)
        cls, identify = how
        ident, stream = self._stream(identify, stored.originator_id)
        state.pop("class_version", None)  # as the mapper does; the class has one version
        state["originator_id"] = ident
        state["originator_version"] = stored.originator_version
        made: Any = object.__new__(cls)
        object.__setattr__(made, "__dict__", state)
        return made, stream

    def _stream(self, identify: Callable[[Any], Any], raw: Any) -> tuple[Any, str]:
        """The stream id as the event holds it, and as text."""
        if (known := self._streams.get((identify, raw))) is None:
            if len(self._streams) >= _KEPT_STREAMS:
                self._streams.clear()
            ident = identify(raw)
            known = self._streams[(identify, raw)] = ident, str(ident)
        return known

    def _how(self, key: tuple[str, type]) -> _How | None:
        """The event class of a topic and how a stream id of this type is converted, as the
        mapper finds them; None where the mapper has more to do (upcasting, a cipher, a
        compressor)."""
        topic, id_type = key
        cls = resolve_topic(topic)
        plain = (getattr(cls, "class_version", 1) == 1 and self.mapper.cipher is None
                 and self.mapper.compressor is None)
        how = (cls, find_id_convertor(cls, id_type)) if plain else None
        self._made[key] = how
        return how


def _parsed(data: bytes) -> dict[str, Any] | None:
    """The state as the library's transcoder reads it, if orjson can read it so; else None:
    the library reads it, or refuses it in its own words (MapperDeserialisationError)."""
    if (type(data) is not bytes or not data.startswith(_STAMPED)  # text typed in by hand
            or data.count(_TRANSCODED) != 1 or _LONG_INTEGER in data.translate(_DIGITS)):
        return None
    try:
        state = orjson.loads(data)  # NaN, a lone surrogate: orjson refuses, the library takes
        stamp = state["timestamp"]
        if len(stamp) != 2:  # not a transcoding after all: the library says what it is
            return None
        state["timestamp"] = datetime.fromisoformat(stamp["_data_"])
    except (ValueError, TypeError, KeyError):
        return None
    return cast(dict[str, Any], state)
