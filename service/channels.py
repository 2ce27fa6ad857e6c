"""Sending a digest: e-mail over SMTP, and the group robots' webhooks of 企业微信 and 钉钉.

Standard library only. A webhook is posted to the URL as checked when the user chose it
(domain.reminders: the robot service's own host, or an origin the operator allows); a
redirect is not followed (it could lead anywhere), and only the first 64 KB of an answer are
read. The robots answer HTTP 200 with `{"errcode": 0, ...}` when they took the message;
anything else is a failure, said in the error.
"""

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import quote_plus

from domain.reminders import Channel
from service.settings import Settings

MAX_ANSWER = 64 * 1024


class ChannelError(Exception):
    """A channel did not take the message: the reason, for the delivery's record."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer itself is then the failure


_opener = urllib.request.build_opener(_NoRedirect)


def send_email(settings: Settings, to: str, subject: str, text: str) -> None:
    """Send one e-mail: `to` is an address domain.reminders checked (no line breaks)."""
    if not settings.smtp_host:
        raise ChannelError("no SMTP server is configured (APPRAISAL_SMTP_HOST)")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, to, subject
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid()
    message.set_content(text)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                          timeout=settings.remind_timeout_seconds) as smtp:
            if settings.smtp_starttls:  # the server's certificate checked (smtplib's own
                smtp.starttls(context=ssl.create_default_context())  # default does not)
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise ChannelError(f"SMTP: {type(error).__name__}: {error}") from None


def robot_payload(channel: Channel, title: str, text: str) -> dict[str, Any]:
    """The markdown message each robot takes."""
    if channel == Channel.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def signed_url(url: str, secret: str | None, now_ms: int | None = None) -> str:
    """钉钉's signed webhook: `timestamp` (ms) and `sign`, the url-encoded base64 of the
    HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret. Unsigned without a secret."""
    if not secret:
        return url
    timestamp = str(int(time.time() * 1000) if now_ms is None else now_ms)
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    sign = quote_plus(base64.b64encode(digest.digest()))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def post_robot(url: str, payload: dict[str, Any], timeout: float) -> None:
    """POST the message; ChannelError unless the robot answers errcode 0."""
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            answer = response.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        raise ChannelError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise ChannelError(f"{type(error).__name__}: {error}") from None
    try:
        found = json.loads(answer)
    except ValueError:
        raise ChannelError("the robot's answer is not JSON") from None
    if not isinstance(found, dict) or found.get("errcode") != 0:
        code = found.get("errcode") if isinstance(found, dict) else None
        message = found.get("errmsg") if isinstance(found, dict) else None
        raise ChannelError(f"errcode {code}: {str(message)[:200]}")
