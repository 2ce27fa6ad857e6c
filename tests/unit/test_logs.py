"""The JSON log lines: one object a line, the request's id on every line written while it is
served, and the configuration `appraisal serve` applies (tried in a process of its own, so
this run's logging stays as it is)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from service.logs import JsonFormatter
from service.request_id import SANE, Trace, _current

ROOT = Path(__file__).resolve().parents[2]


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("appraisal.test", logging.WARNING, __file__, 1, message, args,
                             None)
    made.__dict__.update(extra)
    return made


def test_a_line_is_one_json_object_with_time_level_logger_and_message():
    line = JsonFormatter().format(record("%s 签字了", "张伟"))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "张伟 签字了"  # Chinese as itself, not escaped
    assert parsed["level"] == "WARNING" and parsed["logger"] == "appraisal.test"
    assert parsed["time"].endswith("+00:00")
    assert "request_id" not in parsed  # outside a request


def test_a_line_carries_the_request_fields_given_and_leaves_out_those_unknown():
    parsed = json.loads(JsonFormatter().format(record(
        "done", request_id="r1", method="POST", path="/zones", status=201, duration_ms=1.5,
        user=None)))
    assert parsed | {"time": None} == {"time": None, "level": "WARNING",
                                       "logger": "appraisal.test", "message": "done",
                                       "request_id": "r1", "method": "POST", "path": "/zones",
                                       "status": 201, "duration_ms": 1.5}


def test_a_line_written_while_a_request_is_served_names_it():
    token = _current.set(Trace("req-7", "GET"))
    try:
        parsed = json.loads(JsonFormatter().format(record("inside")))
    finally:
        _current.reset(token)
    assert parsed["request_id"] == "req-7"


def test_a_message_that_would_forge_a_line_stays_on_its_own():
    hostile = 'x\n{"level": "INFO", "message": "forged"}'
    line = JsonFormatter().format(record(hostile))
    assert len(line.splitlines()) == 1 and json.loads(line)["message"] == hostile


def test_text_with_a_lone_surrogate_is_still_written_as_one_line():
    hostile = "名字\udc80"  # what JSON's "\udc80" escape decodes to: not encodable as UTF-8
    line = JsonFormatter().format(record(hostile))
    assert len(line.splitlines()) == 1 and json.loads(line)["message"] == hostile
    line.encode("utf-8")  # the stream can write it


def test_an_exception_is_written_in_the_same_object():
    try:
        raise ValueError("broken")
    except ValueError:
        failed = record("failed")
        failed.exc_info = sys.exc_info()
    parsed = json.loads(JsonFormatter().format(failed))
    assert "ValueError: broken" in parsed["exception"]


def test_only_sane_request_ids_are_taken():
    assert all(SANE.fullmatch(given) for given in ("a", "A-1.b_c", "x" * 128))
    assert not any(SANE.fullmatch(given) for given in ("", "x" * 129, "a b", "a\nb", "é",
                                                       "a/b", "a;b"))


def test_the_served_configuration_writes_json_lines_to_standard_error():
    script = ("import logging, logging.config; from service import logs; "
              "logging.config.dictConfig(logs.config('info')); "
              "logging.getLogger('uvicorn.error').info('started'); "
              "logging.getLogger('appraisal.errors').warning('careful'); "
              "logging.getLogger('appraisal.x').debug('hidden')")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("uvicorn.error", "started"), ("appraisal.errors", "careful")]
