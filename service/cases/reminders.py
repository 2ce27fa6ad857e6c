"""Reminders that arrive (待办提醒): each person's daily digest sent by the channels they
chose, every delivery recorded; the choice itself; the administrators' list.

`remind` is what `appraisal remind` runs, as often as a timer likes: the day's digests go to
those who have not had theirs by a channel yet, and deliveries that failed are tried again
once their backoff (domain.reminders.RETRY_AFTER) has passed. A delivery is claimed before
it is sent and never sent twice (store.reminders: at most once).
"""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from domain.errors import InvalidError
from domain.period import china_date
from domain.reminders import Channel, check_webhook, masked
from domain.users import User
from projections.reminder_choices import chosen
from reports import digest_text
from service import channels
from service.cases.digests import Digest, digests
from service.runtime import Runtime
from service.settings import Settings
from store.reminders import Key
from workflows.access import Actor
from workflows.organisation import require_admin

SENDERS = 8  # deliveries under way at once: SMTP servers and robots answer slowly
Send = Callable[[Settings, str, dict[str, Any], Digest], None]


@dataclass
class Summary:
    """What a run did, for the CLI's report and exit status."""

    day: date
    digests: int = 0  # people with something waiting
    without_channel: int = 0  # of them, those who chose no channel
    sent: int = 0
    failed: int = 0  # to be tried again by a later run
    gave_up: int = 0
    already: int = 0  # sent (or under way) before, or failed and not yet due again
    planned: list[tuple[str, str]] = field(default_factory=list)  # a dry run's (user, channel)

    def lines(self) -> list[str]:
        return [f"day {self.day.isoformat()}: {self.digests} digests, "
                f"{self.without_channel} without a channel",
                f"sent {self.sent}, failed {self.failed} (to retry), gave up {self.gave_up}, "
                f"already done {self.already}",
                *(f"would send to {user} by {channel}" for user, channel in self.planned)]


def remind(rt: Runtime, day: date | None = None, *, dry_run: bool = False,
           now: datetime | None = None, send: Send | None = None) -> Summary:
    """Send the day's digests (China's today by default) and retry the failed ones due."""
    now = now or datetime.now(UTC)
    day = day or china_date(now)
    made = digests(rt, day)
    with rt.engines.reader.connect() as conn:
        choices = chosen(conn)
    done = rt.deliveries.of_day(day.isoformat())
    summary = Summary(day, digests=len(made))
    work: list[tuple[Key, int, dict[str, Any], Digest]] = []
    for username, digest in sorted(made.items()):
        choice = choices.get(str(User.create_id(username)))
        if choice is None:
            summary.without_channel += 1
            continue
        for channel in choice["channels"]:
            key = Key(username, day.isoformat(), channel)
            tried = _tries_due(done.get(key), now)
            if tried is None:
                summary.already += 1
            elif dry_run:
                summary.planned.append((username, channel))
            else:
                work.append((key, tried, choice, digest))
    with ThreadPoolExecutor(SENDERS) as pool:
        outcomes = list(pool.map(lambda job: _deliver(rt, now, send or deliver, *job), work))
    for outcome in outcomes:
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    return summary


def _tries_due(row: Any, now: datetime) -> int | None:
    """How often the delivery was tried, if it is to be tried now (0: never); None if not."""
    if row is None:
        return 0
    if row.status != "failed":
        return None
    due = row.next_at if row.next_at.tzinfo else row.next_at.replace(tzinfo=UTC)  # SQLite's
    return row.attempts if due <= now else None


def _deliver(rt: Runtime, now: datetime, send: Send, key: Key, tried: int,
             choice: dict[str, Any], digest: Digest) -> str:
    """Claim, send, record: the outcome's name in the Summary."""
    if not rt.deliveries.claim(key, len(digest.items), digest.digest_hash(), now, tried):
        return "already"  # another run took it first
    try:
        send(rt.settings, key.channel, choice, digest)
    except channels.ChannelError as error:
        return rt.deliveries.failed(key, tried + 1, str(error), datetime.now(UTC))
    rt.deliveries.sent(key, datetime.now(UTC))
    return "sent"


def deliver(settings: Settings, channel: str, choice: dict[str, Any], digest: Digest) -> None:
    """Send the digest by the channel, as its target was chosen (re-checked: the operator
    may have withdrawn an origin since)."""
    counts, lines = digest.counts(), [
        digest_text.Line(i.period, i.zone_id, i.zone_name, i.state, i.due, i.standing,
                         digest.principals.get(i.acting_for or ""))
        for i in digest.items]
    if channel == Channel.EMAIL:
        channels.send_email(settings, choice["email"],
                            digest_text.subject(digest.day, counts),
                            digest_text.email_text(digest.display_name, digest.day, counts,
                                                   lines, settings.inbox_url))
        return
    robot = Channel(channel)
    url = choice["wecom_url"] if robot == Channel.WECOM else choice["dingtalk_url"]
    try:
        check_webhook(robot, url, settings.allowed_origins)
    except InvalidError as error:
        raise channels.ChannelError(f"the webhook is no longer allowed: {error}") from None
    if robot == Channel.DINGTALK:
        url = channels.signed_url(url, choice.get("dingtalk_secret"))
    title, text = digest_text.markdown(digest.display_name, digest.day, counts, lines,
                                       settings.inbox_url)
    channels.post_robot(url, channels.robot_payload(robot, title, text),
                        settings.remind_timeout_seconds)


def choice_of(user: User) -> dict[str, Any]:
    """The user's choice as it is shown back (webhook keys and the secret cut short)."""
    return {"username": user.username, **masked(user.reminders)}


def choose(rt: Runtime, actor: Actor, username: str, body: dict[str, Any]) -> dict[str, Any]:
    """Where `username`'s digest goes: the user themself or an administrator."""
    user = rt.workflows.choose_reminders(username, body, actor, rt.settings.allowed_origins)
    return choice_of(user)


def read_choice(rt: Runtime, actor: Actor, username: str) -> dict[str, Any]:
    user = rt.workflows.load_user(username)
    if username != actor.username:
        require_admin(actor)
    return choice_of(user)


def deliveries(rt: Runtime, actor: Actor, day: date | None, limit: int) -> dict[str, Any]:
    """The day's deliveries and their counts, for administrators."""
    require_admin(actor)
    day = day or china_date()
    rows = rt.deliveries.listed(day.isoformat(), limit)
    return {"day": day.isoformat(), "counts": rt.deliveries.counted(day.isoformat()),
            "items": [{k: _plain(v) for k, v in row.items()} for row in rows]}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def day_of(text: str | None) -> date | None:
    """A day asked for (YYYY-MM-DD, 2000 to 2099), or None; 422 for anything else."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) \
            else None
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2099:
        raise InvalidError("day is a date from 2000 to 2099 (YYYY-MM-DD)", {"day": "format"})
    return day
