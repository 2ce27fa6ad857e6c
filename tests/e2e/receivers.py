"""Real local servers for the reminders' tests: an SMTP server (aiosmtpd) that keeps what it
is sent, and an HTTP server playing the group robots of 企业微信 and 钉钉, answering from a
script (e.g. a failure first, then success)."""

import email
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

OK = (200, {"errcode": 0, "errmsg": "ok"})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server was sent: (envelope sender, recipients, the message)."""

    port: int
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Robots:
    """The posts received, as (path, query, JSON body), and the answers still to give
    (status, body); once they run out, every post is answered OK."""

    port: int
    posts: list[tuple[str, dict[str, list[str]], Any]] = field(default_factory=list)
    script: list[tuple[int, Any]] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def robots() -> Iterator[Robots]:
    found = Robots(free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            parts = urlsplit(self.path)
            found.posts.append((parts.path, parse_qs(parts.query), json.loads(body)))
            status, answer = found.script.pop(0) if found.script else OK
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", found.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
