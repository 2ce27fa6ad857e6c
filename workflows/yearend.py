"""The year-end appraisal opened with its evidence: the zone's twelve months as they stand."""

from domain.appraisal import Appraisal
from domain.yearend import evidence, months_of
from workflows.base import Store, next_instant


def summarise_months(store: Store, appraisal: Appraisal, actor: str, role: str) -> None:
    """Record in a year-end appraisal just opened, to be saved with its opening, its zone's
    months as they stand now: read from their own streams in the event store, never from a
    read model (which may stand behind, and never decides a write)."""
    months = {period: store.find(Appraisal, appraisal.zone_id, period)
              for period in months_of(appraisal.period)}
    appraisal.summarise_months(**evidence(months, appraisal.items), state=appraisal.state,
                               actor=actor, role=role, timestamp=next_instant(appraisal))
