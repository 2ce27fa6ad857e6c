"""The files findings and rectifications carry (督导检查的附件), kept by the SHA-256 of their
bytes in the event store's database.

Not a read model: nothing can rebuild them from the events, so they live on a MetaData of
their own, which no rebuild drops; `appraisal backup` copies the whole database, them too.
Written through the read models' writer, whose commits do not wait for the disk
(store.engines): an attachment is on the disk once a later event is, as the finding that
names it always is later, since each database writes one log, in order.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from domain.errors import InvalidError
from domain.supervision import MAX_ATTACHMENT_BYTES, media_type_of

metadata = MetaData()

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),  # lowercase hex
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),  # its first upload
)


@dataclass(frozen=True)
class Stored:
    """What is known of a stored file without its bytes."""

    sha256: str
    media_type: str
    size: int


class Attachments:
    """The files, by content: the same bytes are stored once, whoever sends them again."""

    def __init__(self, writer: Engine, reader: Engine):
        self.writer, self.reader = writer, reader

    def create(self) -> None:
        metadata.create_all(self.writer)

    def put(self, content: bytes) -> Stored:
        """Keep the bytes (again: nothing changes); their type is read from them, and only
        the kinds domain.supervision accepts are kept (InvalidError otherwise)."""
        media_type = media_type_of(content)
        if media_type is None:
            raise InvalidError("an attachment is a JPEG or PNG photo or a PDF",
                               {"content": "media type"})
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise InvalidError("an attachment is at most 10 MB", {"content": "size"})
        stored = Stored(hashlib.sha256(content).hexdigest(), media_type, len(content))
        insert = (sqlite.insert if self.writer.dialect.name == "sqlite" else postgresql.insert)
        statement = insert(attachments).values(
            sha256=stored.sha256, media_type=media_type, size=stored.size, content=content,
            created_at=datetime.now(UTC)).on_conflict_do_nothing(index_elements=["sha256"])
        with self.writer.begin() as conn:
            conn.execute(statement)
        return stored

    def stat(self, sha256: str) -> Stored | None:
        """The file's type and size, without its bytes; None if it is not held."""
        query = select(attachments.c.media_type, attachments.c.size).where(
            attachments.c.sha256 == sha256)
        with self.reader.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Stored(sha256, row.media_type, row.size)

    def exists(self, sha256: str) -> bool:
        return self.stat(sha256) is not None

    def get(self, sha256: str) -> tuple[str, bytes] | None:
        """The file's media type and bytes; None if it is not held."""
        query = select(attachments.c.media_type, attachments.c.content).where(
            attachments.c.sha256 == sha256)
        with self.reader.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (row.media_type, bytes(row.content))
