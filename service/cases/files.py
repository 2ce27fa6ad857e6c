"""A produced file: what a ranking spreadsheet or a year's archive is before it is sent."""

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class File:
    """A produced file, and the SHA-256 of its bytes (an archive's ETag)."""

    content: bytes
    media_type: str
    filename: str  # a Content-Disposition value

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()
