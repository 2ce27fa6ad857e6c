"""Structured logs: one JSON object a line, each naming the request it was written for.

Configured by `appraisal serve` only (`config`, given to uvicorn, which applies it in every
worker process), never at import: tests and other commands keep Python's logging as it is.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from service.request_id import Trace, current

ACCESS = logging.getLogger("appraisal.access")
# A record's extras written as fields of their own, when set.
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user")


class JsonFormatter(logging.Formatter):
    """time (UTC, ISO 8601), level, logger, message, the request's id and the extras."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Made when the service's logging is configured: from then on no record works out
        # what a line never shows, paid on every request's access line: the caller's frame
        # (a walk up the stack), thread and process (the logging HOWTO's "Optimization").
        logging._srcfile = None  # type: ignore[attr-defined]
        logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {name: value for name in FIELDS
                 if (value := getattr(record, name, None)) is not None}
        if "request_id" not in line and (trace := current()) is not None:
            line["request_id"] = trace.request_id  # a line written while serving a request
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        try:  # orjson: a fraction of json.dumps's cost, paid on every request's access line
            return orjson.dumps(line, default=str).decode()
        except TypeError:  # text orjson refuses (a lone surrogate a client sent), escaped
            return json.dumps(line, default=str)


def access(trace: Trace) -> None:
    """A request's line in the access log (a RequestTrace listener)."""
    if not ACCESS.isEnabledFor(logging.INFO):  # as in tests: not even the line's fields
        return
    ACCESS.info("%s %s %d", trace.method, trace.route, trace.status, extra={
        "request_id": trace.request_id, "method": trace.method, "path": trace.route,
        "status": trace.status, "duration_ms": round(trace.seconds * 1000, 3),
        "user": trace.user})


def config(level: str = "info") -> dict[str, Any]:
    """logging.config.dictConfig's form: everything (uvicorn's own lines too) as JSON lines
    on standard error. uvicorn's access log is left off: `appraisal.access` says more."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    quiet = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {"uvicorn": quiet, "uvicorn.error": quiet,
                    "uvicorn.access": {"handlers": [], "propagate": False}},
    }
