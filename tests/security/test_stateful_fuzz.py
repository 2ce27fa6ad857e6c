"""Schemathesis, stateful: generated sequences of calls that follow the OpenAPI document's links
(an appraisal opened, then read, signed, returned, reopened; a user registered, then their
password set; ...) as several users in turn, and no answer is a server error or breaks its
documented schema.

Realistic data is injected into half of the openings and scored steps (a zone of the small
mine, a fresh period, valid scores) and into the findings sent on the inspector's turn (a
zone, a method, a date, a text), so that sequences reach every state of the process, and
findings their rectification, instead of stopping at 422. Each sequence runs on its own
copy of the small mine, in the app started afresh (its lifespan run again: a new runtime, as
a new process would have; the routes FastAPI prepares on an app's first requests are kept):
the run is derandomised, and a failure reproduces. SQLite only: this is about the HTTP layer,
which both backends share.
"""

import itertools
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from service.app import create_app
from service.settings import Settings
from tests.conftest import copy_sqlite
from tests.helpers import SCORES, Api, Observer

CASES = 3000  # at least this many calls in all
BASE_URL = "http://testserver"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Everyone signs in turn: the owner of each step, and people who may not take it.
USERS = ["admin", "secretary", "m1", "evaluator", "leader", "m2", "secretary2", "inspector"]
ZONES = ["Z1", "Z2", "Z3", "Z4"]
SCORED = ("/self-check", "/zone-evaluation", "/group-review")


class Calls:
    """What the machine has sent in all (the count, each status's), and in this sequence."""

    def __init__(self) -> None:
        self.count = 0
        self.statuses: dict[int, int] = {}
        self.new_sequence()

    def new_sequence(self) -> None:
        self.step = 0
        self.periods = (f"{year}-{month:02d}" for year, month in
                        itertools.product(range(2001, 2999), range(1, 13)))

    def sent(self, status: int) -> None:
        self.count += 1
        self.step += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1


def machine_for(api: Api, settings: Settings, folder: Path, calls: Calls):
    schema = schemathesis.openapi.from_dict(api.client.get("/openapi.json").json())
    tokens = [api.token(user) for user in USERS]
    world = folder / "world.db"
    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{world}"}))

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            """A copy of the small mine, and the app started afresh on it, for this sequence."""
            for left in folder.glob(f"{world.name}*"):  # the last sequence's, its WAL too
                left.unlink()
            copy_sqlite(settings.database_url, f"sqlite:///{world}")
            self.client = Observer(app)
            self.client.__enter__()
            self.session = get_client(self.client.app)
            self.seen = "0"  # the log position of the last write: echoed, so reads see it
            calls.new_sequence()

        def teardown(self) -> None:
            self.client.__exit__(None, None, None)

        def before_call(self, case) -> None:
            path, body = case.operation.path, case.body
            if calls.step % 2 == 0 and case.method == "POST" and isinstance(body, dict):
                if path == "/appraisals":
                    body.update(zone_id=ZONES[calls.step % 4], period=next(calls.periods),
                                template_id="default")
                elif path.endswith(SCORED):
                    body["scores"] = dict(SCORES)
            if USERS[calls.step % len(USERS)] == "inspector" and case.method == "POST" \
                    and path.endswith("/findings") and isinstance(body, dict):
                # On the inspector's turn, a finding in a zone of the small mine: then read,
                # answered (整改) and listed.
                body.update(method="on_site", date="2026-11-03", text="支护不规范",
                            attachments=[])
                if "zone_id" in (case.path_parameters or {}):
                    case.path_parameters["zone_id"] = ZONES[calls.step // len(USERS) % 4]

        def get_call_kwargs(self, case) -> dict:
            token = tokens[calls.step % len(tokens)]  # USERS in turn
            return {"base_url": BASE_URL, "session": self.session,
                    "headers": {"Authorization": f"Bearer {token}",
                                "Appraisal-Position": self.seen}}

        def after_call(self, response, case) -> None:
            calls.sent(response.status_code)
            position = response.headers.get("appraisal-position")
            if position:  # a list of values in schemathesis's response, or one
                self.seen = position[0] if isinstance(position, list) else position

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    return Machine


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_linked_call_sequences_as_many_users_never_answer_a_server_error(api, settings,
                                                                         tmp_path):
    calls = Calls()
    machine = machine_for(api, settings, tmp_path, calls)
    machine.run(settings=hypothesis_settings(
        max_examples=170, stateful_step_count=40, deadline=None, database=None,
        derandomize=True, phases=[Phase.generate], suppress_health_check=list(HealthCheck)))
    assert calls.count >= CASES, calls.statuses
    # The sequences went through the process, not only into refusals.
    assert calls.statuses.get(200, 0) + calls.statuses.get(201, 0) > CASES // 10, calls.statuses
