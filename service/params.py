"""Counts in query strings, each bounded and written in ASCII digits only.

`int()` (and so pydantic) would also read '1_0', ' 12' and other scripts' digits ('١٢'):
a count means one thing, and what is accepted is what is shown back.
"""

import re
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BeforeValidator

from domain.bounds import MAX_LIMIT, MAX_OFFSET, MAX_VERSION, count_of


def _ascii_count(value: Any) -> Any:
    if isinstance(value, str) and count_of(value) is None:
        raise ValueError("must be a whole number in the digits 0-9")
    return value


Count = Annotated[int, BeforeValidator(_ascii_count)]
Limit = Annotated[Count | None, Query(ge=0, le=MAX_LIMIT)]
Offset = Annotated[Count, Query(ge=0, le=MAX_OFFSET)]
Version = Annotated[Count | None, Query(ge=1, le=MAX_VERSION)]
# A page of a listing on the web pages (tens of rows a page).
Page = Annotated[Count, Query(ge=0, le=MAX_OFFSET // 100)]


# A size of the log (or a leaf's index): below 2**62, which a SQL BIGINT holds with room.
MAX_SIZE = 2**62


def _ascii_size(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,19}", value):
        raise ValueError("must be a whole number in the digits 0-9")
    return value


Size = Annotated[int, BeforeValidator(_ascii_size)]
SizeInPath = Annotated[Size, Path(ge=0, lt=MAX_SIZE)]
