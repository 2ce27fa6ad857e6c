"""A service's log reached over its HTTP API (API.md, "Verifiable history"), with the
standard library alone: so that a witness runs where the database is not.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT = 30  # seconds a request may take
MAX_ANSWER = 1024 * 1024  # bytes read of an answer; a checkpoint or a proof is a few KB


class RemoteError(Exception):
    """The service could not be reached, refused, or answered what is not the API's."""


@dataclass(frozen=True)
class RemoteLog:
    """The log of the service at `base_url`, as the bearer of `token` reads it
    (ledger.witness.Log)."""

    base_url: str
    token: str

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise RemoteError(f"not an http(s) address: {self.base_url[:200]!r}")

    def latest(self) -> str:
        return str(_field(self._call("GET", "/checkpoints/latest"), "text"))

    def consistency(self, old: int, new: int) -> list[bytes]:
        query = urllib.parse.urlencode({"from": old, "to": new})
        answer = self._call("GET", f"/checkpoints/consistency?{query}")
        try:
            return [bytes.fromhex(node) for node in _field(answer, "proof")]
        except (TypeError, ValueError) as error:
            raise RemoteError(f"the consistency proof is not hex: {error}") from None

    def hand_in(self, size: int, line: str) -> str:
        answer = self._call("POST", f"/checkpoints/{size}/cosignatures", {"signature": line})
        return str(_field(answer, "text"))

    def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        request = urllib.request.Request(self.base_url.rstrip("/") + path, data, headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return _answer(response.read(MAX_ANSWER))
        except urllib.error.HTTPError as error:
            raise RemoteError(f"{method} {path}: {error.code} {_detail(error)}") from None
        except (urllib.error.URLError, OSError) as error:
            raise RemoteError(f"{method} {path}: {error}") from None


def _answer(raw: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(raw)
    except ValueError:
        raise RemoteError("the service's answer is not JSON") from None
    if not isinstance(answer, dict):
        raise RemoteError("the service's answer is not a JSON object")
    return answer


def _field(answer: dict[str, Any], name: str) -> Any:
    if name not in answer:
        raise RemoteError(f"the service's answer has no {name!r}")
    return answer[name]


def _detail(error: urllib.error.HTTPError) -> str:
    """What a problem+json answer says, else the status's reason."""
    try:
        return str(json.loads(error.read(MAX_ANSWER))["detail"])
    except (ValueError, KeyError, TypeError, OSError):
        return str(error.reason)
