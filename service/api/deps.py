"""FastAPI dependencies: the process's runtime and the signed-in actor."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from service.auth import actor_of
from service.errors import UnauthorizedError
from service.runtime import Runtime
from workflows.access import Actor
from workflows.application import Workflows

bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def workflows(request: Request) -> Workflows:
    return request.app.state.runtime.workflows


def current_actor(rt: Annotated[Runtime, Depends(runtime)],
                  token: Annotated[str | None, Depends(bearer)]) -> Actor:
    """The user named by a valid bearer token of a session that has not ended, with their
    roles as they are now."""
    if not token:
        raise UnauthorizedError("a bearer token is required")
    return actor_of(rt.tokens.user(token, rt.workflows.find_user))


RuntimeDep = Annotated[Runtime, Depends(runtime)]
WorkflowsDep = Annotated[Workflows, Depends(workflows)]
ActorDep = Annotated[Actor, Depends(current_actor)]
