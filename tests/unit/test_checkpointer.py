"""The checkpointer's timing (service/checkpointer.py): a batch of signals makes one
checkpoint once it settles, time alone makes them too, and a failure never stops it."""

import logging
import time

from service.checkpointer import Checkpointer


class Counting:
    """A `make` that counts its calls, failing the first `failures` of them."""

    def __init__(self, failures: int = 0):
        self.calls, self.failures = 0, failures

    def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("the database went away")

    def wait(self, calls: int, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.calls < calls and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.calls >= calls


def test_signals_close_together_make_one_checkpoint_once_they_settle():
    make = Counting()
    checkpointer = Checkpointer(make, every=3600, settle=0.2)
    checkpointer.start()
    try:
        for _ in range(5):
            checkpointer.signal()
        assert make.wait(1)
        time.sleep(0.3)
        assert make.calls == 1
    finally:
        checkpointer.stop()


def test_without_signals_one_is_made_every_period():
    make = Counting()
    checkpointer = Checkpointer(make, every=0.05, settle=0)
    checkpointer.start()
    try:
        assert make.wait(3)
    finally:
        checkpointer.stop()


def test_a_failure_is_logged_and_the_next_signal_tries_again(caplog):
    caplog.set_level(logging.ERROR, logger="appraisal.checkpoints")
    make = Counting(failures=1)
    checkpointer = Checkpointer(make, every=3600, settle=0)
    checkpointer.start()
    try:
        checkpointer.signal()
        assert make.wait(1)
        checkpointer.signal()
        assert make.wait(2)
    finally:
        checkpointer.stop()
    logged = [r.getMessage() for r in caplog.records if r.name == "appraisal.checkpoints"]
    assert logged == ["a checkpoint could not be made"]


def test_stopping_makes_none_and_returns_at_once():
    make = Counting()
    checkpointer = Checkpointer(make, every=3600, settle=60)
    checkpointer.start()
    started = time.monotonic()
    checkpointer.stop()
    assert time.monotonic() - started < 1 and make.calls == 0
