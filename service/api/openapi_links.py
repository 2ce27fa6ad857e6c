"""OpenAPI links: which answer names what a later request takes in its path, so that a client
(and the stateful tests) can follow an appraisal from its opening to its publication, a user
from registration to their password, a zone from creation to its reassignment, a finding
from its recording to its rectification."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

Operation = tuple[str, str, dict[str, Any]]  # path, method, the operation's object
# Which status of an operation produces the parameter (None: it does not).
Producer = Callable[[Operation], str | None]


def answering(schema: str) -> Producer:
    """Operations whose success answers with `schema` (a document names its own id)."""
    ref = f"#/components/schemas/{schema}"

    def status(operation: Operation) -> str | None:
        for code, answer in operation[2]["responses"].items():
            body = answer.get("content", {}).get("application/json", {}).get("schema", {})
            if code.startswith("2") and body.get("$ref") == ref:
                return code
        return None

    return status


def creating(path: str) -> Producer:
    """The POST that creates a record under an id the client chose."""
    return lambda operation: "201" if operation[:2] == (path, "post") else None


# A path parameter, what produces it, and where its value stands in that exchange.
SOURCES: dict[str, tuple[Producer, str]] = {
    "appraisal_id": (answering("Document"), "$response.body#/id"),
    "username": (answering("Me"), "$response.body#/username"),
    "zone_id": (creating("/zones"), "$request.body#/id"),
    "branch_id": (creating("/branches"), "$request.body#/id"),
    "form_id": (creating("/forms"), "$request.body#/id"),
    "finding_id": (answering("Finding"), "$response.body#/id"),
}


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Link every producer of a path parameter to every operation that takes it."""
    operations = [(path, method, operation) for path, methods in schema["paths"].items()
                  for method, operation in methods.items()]
    for name, (produces, expression) in SOURCES.items():
        takers = [op["operationId"] for path, _, op in operations if f"{{{name}}}" in path]
        for operation in operations:
            if (status := produces(operation)) is None:
                continue
            links = operation[2]["responses"][status].setdefault("links", {})
            for target in takers:
                links[target] = {"operationId": target, "parameters": {name: expression}}
    return schema


def install(app: FastAPI) -> None:
    """Serve the generated OpenAPI document with its links."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
