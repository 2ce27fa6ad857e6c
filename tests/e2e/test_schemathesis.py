"""Schemathesis against the app's own OpenAPI: no request gets a 5xx, and every response fits
the documented schema and content type.

Each operation gets MAX_EXAMPLES generated requests, valid and invalid, half of them on ids
that exist in the small mine (so actions reach real appraisals, not just 404s), each signed
by the admin or a branch secretary. The run is derandomised: a failure reproduces. SQLite
only: this is about the HTTP layer, which both backends share.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.support import advance
from tests.helpers import Api

MAX_EXAMPLES = 25
# Operations that hash or check a password (argon2, ~0.1 s a request) get fewer.
SLOW = {"POST /auth/token": 10, "POST /users": 10, "PUT /users/{username}/password": 10}
# Beyond no 5xx and the response schema: each status is one API.md documents, in its type.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance,
          status_code_conformance]
BASE_URL = "http://testserver"


def known_ids(api: Api) -> dict[str, str]:
    """Path parameters that name things of the small mine; one appraisal mid-way."""
    doc = advance(api, api.open("Z1", "2026-10"), "group_review")
    api.open("Z2", "2026-10")
    return {"appraisal_id": doc["id"], "zone_id": "Z1", "branch_id": "B1", "form_id": "default",
            "username": "m1", "period": "2026-11"}


def cases(operation, known: dict[str, str]) -> st.SearchStrategy:
    """Valid and invalid requests, on generated ids and on ids that exist."""
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in known.items() if name in names}
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    if fixed:
        strategies += [operation.as_strategy(mode, path_parameters=fixed)
                       for mode in GenerationMode]
    return st.one_of(strategies)


def fuzz(operation, session, tokens: list[str], known: dict[str, str]) -> None:
    @settings(max_examples=SLOW.get(operation.label, MAX_EXAMPLES), deadline=None,
              database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=cases(operation, known), token=st.sampled_from(tokens))
    def run(case, token):
        case.call_and_validate(base_url=BASE_URL, session=session, checks=CHECKS,
                               headers={"Authorization": f"Bearer {token}"})

    run()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(api, subtests):
    schema = schemathesis.openapi.from_dict(api.client.get("/openapi.json").json())
    known = known_ids(api)
    # Not entered as a context: the TestClient has already run the app's lifespan.
    session = get_client(api.client.app)
    for result in schema.get_all_operations():
        operation = result.ok()
        with subtests.test(operation=operation.label):
            fuzz(operation, session, fresh_tokens(api), known)


def fresh_tokens(api: Api) -> list[str]:
    """The admin's and a secretary's tokens of their sessions now: an operation fuzzed
    before (`/auth/logout`, a password or roles changed) may have ended the earlier ones."""
    runtime = api.client.app.state.runtime
    return [runtime.tokens.issue(runtime.workflows.load_user(name))
            for name in ("admin", "secretary")]
