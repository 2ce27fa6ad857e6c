"""Assessment forms (考核表): versioned item lists an appraisal is opened with."""

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidError
from domain.ids import stream_id

DEFAULT_FORM_ID = "default"

# The seven duties of 004 §3, with the weights of DOMAIN.md.
DEFAULT_ITEMS: dict[str, str] = {
    "thought": "15",
    "study": "15",
    "talks": "10",
    "order": "20",
    "policy": "10",
    "duty": "20",
    "skills": "10",
}


def check_items(items: Mapping[str, str]) -> dict[str, str]:
    """Items are code → maximum, positive, one decimal at most, summing to 100."""
    if not items:
        raise InvalidError("a form needs at least one item", {"items": "empty"})
    maxima = {code: Decimal(str(value)) for code, value in items.items()}
    # Bounded before quantized: NaN cannot be compared, and Infinity or a number of more
    # digits than the decimal context holds cannot be quantized.
    if any(not m.is_finite() or not 0 < m <= 100 or m != m.quantize(Decimal("0.1"))
           for m in maxima.values()):
        raise InvalidError("item maxima must be positive, 100 at most, with one decimal at most",
                           {"items": "maxima"})
    if sum(maxima.values()) != 100:
        raise InvalidError("item maxima must add up to 100", {"items": "sum"})
    return {code: str(m) for code, m in maxima.items()}


class AssessmentForm(Aggregate):
    """A form's versions are this aggregate's versions: each revision is a new one."""

    if TYPE_CHECKING:  # the event classes @event makes when the class is created
        Created: ClassVar[type[Any]]
        Revised: ClassVar[type[Any]]

    @staticmethod
    def create_id(form_id: str) -> UUID:
        return stream_id("form", form_id)

    @event("Created")
    def __init__(self, form_id: str, name: str, items: dict[str, str], actor: str):
        self.form_id = form_id
        self.name = name
        self.items = items

    @event("Revised")
    def revise(self, items: dict[str, str], actor: str) -> None:
        self.items = items
