"""Reminders (待办提醒): the channels a user chooses for their daily digest, and how a failed
delivery is tried again.

A channel is e-mail or a group robot's webhook (企业微信 or 钉钉). A webhook URL comes from
the user, so it is checked as hostile input: it names the robot service's own host over
https (or an origin the operator allows, `scheme://host[:port]`), no user information, no
fragment, printable ASCII only, bounded; anything else could make the service call into the
network it sits in (SSRF). A stored URL or secret is never shown back in full (`masked`).
"""

import re
from collections.abc import Collection
from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import SplitResult, urlsplit

from domain.errors import InvalidError


class Channel(StrEnum):
    """Where a digest is sent."""

    EMAIL = "email"
    WECOM = "wecom"  # 企业微信 group robot
    DINGTALK = "dingtalk"  # 钉钉 group robot


# The robot services' own hosts: their webhooks are posted to over https, nowhere else.
OFFICIAL = {Channel.WECOM: "https://qyapi.weixin.qq.com",
            Channel.DINGTALK: "https://oapi.dingtalk.com"}
TARGET_OF = {Channel.EMAIL: "email", Channel.WECOM: "wecom_url",
             Channel.DINGTALK: "dingtalk_url"}
FIELDS = ("email", "wecom_url", "dingtalk_url", "dingtalk_secret")
SECRET_FIELDS = FIELDS[1:]  # shown back cut short (`masked`): they carry the robots' keys
MAX_URL = 500
MAX_EMAIL = 254  # RFC 5321's path limit
MAX_SECRET = 128
# A plain address: no display name, quotes, commas, brackets, spaces or line breaks, so it
# can never carry a second header or recipient.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_PRINTABLE = re.compile(r"[\x21-\x7e]+")
# After a failed delivery, the next try waits this long; after the last, it is given up.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1


def retry_after(attempts: int) -> timedelta | None:
    """How long after its `attempts`-th failed try a delivery is tried again; None: given up."""
    return RETRY_AFTER[attempts - 1] if attempts <= len(RETRY_AFTER) else None


def check_choice(body: dict[str, Any], stored: dict[str, Any] | None,
                 origins: Collection[str]) -> dict[str, Any]:
    """The choice after `body`: `channels` replaces the chosen ones; a target given (e-mail
    address, webhook URL, DingTalk secret) replaces the stored one, "" removes it, None keeps
    it. Each chosen channel needs its target. `origins`: other webhook origins allowed."""
    channels = body.get("channels")
    if not isinstance(channels, list) or not set(channels) <= set(Channel):
        raise InvalidError(f"channels are some of {', '.join(Channel)}", {"channels": "unknown"})
    choice: dict[str, Any] = {"channels": [c for c in Channel if c in channels]}
    for name in FIELDS:
        given = body.get(name)
        kept = (stored or {}).get(name)
        choice[name] = kept if given is None else (_checked(name, given, origins) or None)
    for channel in choice["channels"]:
        if not choice[TARGET_OF[channel]]:
            raise InvalidError(f"the channel {channel} needs its {TARGET_OF[channel]}",
                               {TARGET_OF[channel]: "missing"})
    return choice


def _checked(name: str, value: Any, origins: Collection[str]) -> str:
    if not isinstance(value, str):
        raise InvalidError(f"{name} is text", {name: "type"})
    if value == "":
        return ""
    if name == "email":
        return check_email(value)
    if name == "dingtalk_secret":
        if len(value) > MAX_SECRET or not _PRINTABLE.fullmatch(value):
            raise InvalidError("the DingTalk secret is printable ASCII, at most "
                               f"{MAX_SECRET} characters", {name: "format"})
        return value
    channel = Channel.WECOM if name == "wecom_url" else Channel.DINGTALK
    return check_webhook(channel, value, origins)


def check_email(address: str) -> str:
    if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address):
        raise InvalidError("the e-mail address is not a plain address (name@example.cn)",
                           {"email": "format"})
    return address


def check_webhook(channel: Channel, url: str, origins: Collection[str]) -> str:
    """A robot's webhook URL: the service's own https host (or an allowed origin)."""
    field = TARGET_OF[channel]
    if len(url) > MAX_URL or not _PRINTABLE.fullmatch(url) or "\\" in url:
        raise InvalidError(f"the webhook is a URL of printable ASCII, at most {MAX_URL} "
                           "characters", {field: "format"})
    try:
        parts = urlsplit(url)
        origin = origin_of(parts)
    except ValueError:  # a port that is not a number
        raise InvalidError("the webhook is not a URL", {field: "format"}) from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc \
            or parts.fragment:
        raise InvalidError("the webhook names no user and no fragment", {field: "format"})
    if origin != OFFICIAL[channel] and origin not in origins:
        raise InvalidError(f"the webhook is posted to {OFFICIAL[channel]} only",
                           {field: "host"})
    return url


def origin_of(parts: SplitResult) -> str:
    """`scheme://host[:port]`, lowercase, without the scheme's own port."""
    host, port = (parts.hostname or ""), parts.port
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def masked(choice: dict[str, Any] | None) -> dict[str, Any]:
    """The choice as it is shown back: the address in full (it is the user's own), a
    webhook's key and the secret cut to their first characters."""
    choice = choice or {"channels": []}
    shown: dict[str, Any] = {"channels": list(choice["channels"]),
                             "email": choice.get("email")}
    for name in ("wecom_url", "dingtalk_url"):
        url = choice.get(name)
        shown[name] = None if url is None else _cut_query(url)
    shown["dingtalk_secret"] = None if not choice.get("dingtalk_secret") else \
        choice["dingtalk_secret"][:3] + "…"
    return shown


def _cut_query(url: str) -> str:
    base, _, query = url.partition("?")
    if not query:
        return base
    cut = "&".join(f"{k}={v[:4]}…" if v else k
                   for k, _, v in (pair.partition("=") for pair in query.split("&")))
    return f"{base}?{cut}"
