"""The sign-off operations as OpenAPI documents them. Their requests are served by a handler
of their own (routes.appraisals.SignOff), not by FastAPI from the endpoint's signature, so
the documentation is checked here on its own: outside clients generate code from it."""

import pytest

from service.app import create_app
from service.settings import Settings

BODIES = {"self-check": "ScoredIn", "zone-evaluation": "ScoredIn", "group-review": "ScoredIn",
          "branch-approval": "ApprovalIn", "return": "ReasonIn", "reopen": "ReasonIn",
          "cancel": "ReasonIn"}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict:
    database = tmp_path_factory.mktemp("openapi") / "unused.db"
    return create_app(Settings(database_url=f"sqlite:///{database}",
                               secret_key="test-secret-" + "x" * 32)).openapi()


@pytest.mark.parametrize(("action", "body"), BODIES.items())
def test_a_sign_off_is_documented_with_its_body_headers_and_security(spec, action, body):
    operation = spec["paths"][f"/appraisals/{{appraisal_id}}/{action}"]["post"]
    assert operation["operationId"].startswith(action.replace("-", "_"))
    assert operation["security"] == [{"OAuth2PasswordBearer": []}]
    assert operation["requestBody"]["required"] is True
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{body}"}
    headers = {p["name"]: p["schema"]["anyOf"][0]["maxLength"]
               for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"If-Match": 100, "Idempotency-Key": 200}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Document"}
