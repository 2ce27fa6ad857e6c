"""The load generator: closed-loop asyncio clients, one HTTP/1.1 keep-alive connection each.

Run as its own process (`python -m bench.load PLAN.json`), so that the server's process
does nothing but serve. The plan says what each client sends; the result, on stdout, is
one JSON object: requests per second, latency percentiles and every non-2xx answer.

Each client sends one request at a time and the next as soon as the answer arrives, for
`warmup` seconds (not counted) and then `seconds` (counted). A client whose script runs
out stops, and says so in `exhausted`.

Requests are written as bytes prepared once and answers read by Content-Length: an httpx
client spent a whole core at ~550 requests/s, and on two cores the generator's CPU is taken
from the server it measures.
"""

import asyncio
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Tally:
    """What the clients saw: latencies in the counted window, statuses over the whole run."""

    window: tuple[float, float]
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    exhausted: int = 0

    def record(self, started: float, status: int, body: bytes) -> None:
        ended = time.perf_counter()
        self.statuses[status] += 1
        if not 200 <= status < 300 and len(self.problems) < 5:
            self.problems.append(f"{status} {body[:300].decode(errors='replace')}")
        if self.window[0] <= started < self.window[1]:
            self.latencies.append(ended - started)


def requests_of(plan: dict[str, Any], jobs: list[dict[str, Any]]) -> Iterator[bytes]:
    """A client's requests in order, as bytes: every step of each job, once or forever.

    A job holds what the steps' paths name (`{id}`, `{query}`: any of its keys) and the
    token each step is sent with. A step is a POST of its JSON `body`, or a GET if it says
    `"method": "GET"`.
    """
    host = urlsplit(plan["base_url"]).netloc
    steps = [(s.get("method", "POST"), s["path"],
              json.dumps(s.get("body"), ensure_ascii=False).encode()) for s in plan["steps"]]
    while True:
        for job in jobs:
            for (method, path, body), token in zip(steps, job["tokens"], strict=True):
                auth = f"Authorization: Bearer {token}\r\n" if token else ""
                head = f"{method} {path.format_map(job)} HTTP/1.1\r\nHost: {host}\r\n{auth}"
                if method == "GET":
                    yield (head + "\r\n").encode()
                else:
                    yield (head + f"Content-Type: application/json\r\n"
                           f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        if not plan.get("cycle"):
            return


class Connection:
    """One keep-alive connection; reopened if the server closes it."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(request)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        status = int(head[9:12])
        length = next((int(line[15:]) for line in head.split("\r\n")
                       if line.startswith("content-length:")), None)
        if length is None:
            raise ConnectionError("an answer without Content-Length")
        body = await reader.readexactly(length)
        if "connection: close" in head:
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.streams:
            self.streams[1].close()
            self.streams = None


async def run_client(base_url: str, requests: Iterator[bytes], tally: Tally) -> None:
    connection = Connection(base_url)
    try:
        for request in requests:
            if time.perf_counter() >= tally.window[1]:
                return
            started = time.perf_counter()
            try:
                status, body = await connection.send(request)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                tally.errors[type(error).__name__] += 1  # counted and reported, never hidden
                await connection.close()
                continue
            tally.record(started, status, body)
        tally.exhausted += 1
    finally:
        await connection.close()


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(tally: Tally, seconds: float) -> dict[str, Any]:
    ordered = sorted(tally.latencies)
    non_2xx = {str(s): n for s, n in tally.statuses.items() if not 200 <= s < 300}
    return {
        "requests": len(ordered),
        "seconds": seconds,
        "rps": len(ordered) / seconds,
        **{f"p{round(q * 100)}_ms": percentile(ordered, q) * 1000 for q in (0.5, 0.9, 0.99)},
        "max_ms": (ordered[-1] * 1000) if ordered else math.nan,
        "non_2xx": non_2xx,
        "errors": dict(tally.errors),
        "problems": tally.problems,
        "exhausted": tally.exhausted,
    }


async def run(plan: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter() + plan["warmup"]
    tally = Tally((start, start + plan["seconds"]))
    await asyncio.gather(*(run_client(plan["base_url"], requests_of(plan, jobs), tally)
                           for jobs in plan["clients"]))
    return summary(tally, plan["seconds"])


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        plan = json.load(file)
    json.dump(asyncio.run(run(plan)), sys.stdout)


if __name__ == "__main__":
    main()
