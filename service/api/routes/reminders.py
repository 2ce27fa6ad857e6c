"""Reminders: where a user's daily digest goes (the user, or an administrator for anyone),
and the record of the day's deliveries (administrators).

Checks answer in API.md's order: 401; 404 for an unknown user; 422 for a body of the wrong
shape; 403; then 422 for a target the domain refuses (an address that is not plain, a
webhook outside the allowed hosts)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from service.api.deps import ActorDep, RuntimeDep
from service.api.routes.users import UserDep
from service.cases import reminders
from service.params import Limit
from service.schemas import ReminderChoice, ReminderChoiceIn

router = APIRouter(tags=["reminders"])
Day = Annotated[str | None, Query(max_length=10)]
PAGE = 1000  # deliveries listed unless a limit is given


@router.get("/users/{username}/reminders", response_model=ReminderChoice)
def reminder_choice(user: UserDep, rt: RuntimeDep, actor: ActorDep) -> dict[str, Any]:
    """The channels of the user's daily digest; webhook keys and the secret cut short."""
    return reminders.read_choice(rt, actor, user.username)


@router.put("/users/{username}/reminders", response_model=ReminderChoice)
def choose_reminders(user: UserDep, body: ReminderChoiceIn, rt: RuntimeDep,
                     actor: ActorDep) -> dict[str, Any]:
    """Choose the channels of the daily digest (e-mail, 企业微信 or 钉钉 group robot) and
    their targets; recorded as an event of the user. Webhooks go to the robot services'
    own hosts over https only."""
    return reminders.choose(rt, actor, user.username, body.model_dump())


@router.get("/reminders")
def reminder_deliveries(rt: RuntimeDep, actor: ActorDep, day: Day = None,
                        limit: Limit = None) -> dict[str, Any]:
    """The day's reminder deliveries (default: today in China), failures first, with the
    count in each status (administrators)."""
    return reminders.deliveries(rt, actor, reminders.day_of(day), PAGE if limit is None else limit)
