"""What the administrator's forms share: what the API's schema or command refused, as a code
(see i18n.FIELD_ERRORS) beside the field the reader typed it in; repeated rows; the way back.

Forms with repeated rows (a user's roles, a form's items) name a row's fields `role-2`,
`code-0`: the row's position on the page, whatever rows were left blank before it."""

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from pydantic_core import ErrorDetails

CODES = {"string_too_long": "too long", "missing": "empty", "too_short": "empty",
         "int_parsing": "not a number", "float_parsing": "not a number"}


def code_of(error: ErrorDetails) -> str:
    """What the reader must change: fill it in, lengthen, shorten, or fix its form."""
    if error["type"] == "string_too_short":
        return "empty" if error.get("ctx", {}).get("min_length") == 1 else "short"
    return CODES.get(error["type"], "format")


Loc = tuple[int | str, ...]


def field_errors(error: ValidationError, key: Callable[[Loc], str]) -> dict[str, str]:
    """The schema's errors by field key (`key` names the field of an error's location);
    the first error of a field is the one shown."""
    found: dict[str, str] = {}
    for detail in error.errors():
        found.setdefault(key(detail["loc"]), code_of(detail))
    return found


def rows_of(*columns: Iterable[object]) -> list[tuple[str, ...]]:
    """A repeated row's posted fields, side by side, as typed (stripped)."""
    return [tuple(str(v).strip() for v in row) for row in zip(*columns, strict=False)]


def filled(rows: list[tuple[str, ...]]) -> list[int]:
    """The positions of the rows with anything typed in: the others are left out."""
    return [i for i, row in enumerate(rows) if any(row)]


def back(path: str, **query: Any) -> RedirectResponse:
    """To the page again, saying what was done (post, redirect, get)."""
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)
