"""Assessment forms (考核表) as the administrator lists them: each form's latest version."""

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import JSON, Column, Connection, Integer, String, Table, select

from domain.forms import AssessmentForm
from projections.tracking import PlainView, Recorded, metadata

forms = Table("assessment_forms", metadata,
              Column("id", String(), primary_key=True),
              Column("stream", String(36), nullable=False, unique=True),
              Column("name", String(), nullable=False),
              Column("version", Integer, nullable=False),
              # [[code, maximum]]: a list keeps the items in the order they were given.
              Column("items", JSON, nullable=False))


class FormsView(PlainView):
    """A row per form, replaced by each revision; the versions themselves stay in the store."""

    name = "forms"
    topics = tuple(get_topic(e) for e in (AssessmentForm.Created, AssessmentForm.Revised))
    tables = (forms,)

    def apply(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        for _, event, _ in batch:  # a few a year: one statement each
            items = [[code, maximum] for code, maximum in event.items.items()]
            version = event.originator_version
            if isinstance(event, AssessmentForm.Created):
                conn.execute(forms.insert().values(
                    id=event.form_id, stream=str(event.originator_id), name=event.name,
                    version=version, items=items))
            else:
                conn.execute(forms.update().where(forms.c.stream == str(event.originator_id))
                             .values(version=version, items=items))


def list_forms(conn: Connection) -> list[dict[str, Any]]:
    """Every form's latest version, by id."""
    # `forms.c.items` would be the column collection's own method.
    query = select(forms.c.id, forms.c.name, forms.c.version, forms.c["items"]).order_by(
        forms.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]
