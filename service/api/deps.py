"""FastAPI dependencies: the process's runtime and the signed-in actor."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from service.errors import UnauthorizedError
from service.runtime import Runtime
from workflows.access import Actor
from workflows.application import Workflows

bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


# Plain lookups are `async def`: FastAPI runs a `def` dependency on the thread pool, and
# each hand-off costs the event loop more than the lookup itself (docs/PERFORMANCE.md).
async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def workflows(request: Request) -> Workflows:
    return request.app.state.runtime.workflows


BearerToken = Annotated[str | None, Depends(bearer)]


def actor_for(rt: Runtime, token: str | None) -> Actor:
    """The user named by a valid bearer token of a session that has not ended, with their
    roles as they are now (401 otherwise)."""
    if not token:
        raise UnauthorizedError("a bearer token is required")
    return rt.actors.of(token)


def current_actor(rt: Annotated[Runtime, Depends(runtime)], token: BearerToken) -> Actor:
    return actor_for(rt, token)


RuntimeDep = Annotated[Runtime, Depends(runtime)]
WorkflowsDep = Annotated[Workflows, Depends(workflows)]
ActorDep = Annotated[Actor, Depends(current_actor)]
