"""Year-end archives at two sizes: a mine's year in every form, a 10,000-zone year as JSON.

    python -m bench.archives [--mine 188] [--large 10000] [--backend sqlite|postgres|both]

For each size a fresh store gets the synthetic history of bench/history.py (every zone
appraised for 12 months and the year-end, all published), and a runtime brings its read
models up to date (not timed). Then the year's file, every branch, as of now, is produced
in-process as `GET /archives/{year}` produces it, each form in turn: the time to read the
archive's rows and replay the documents (`read`), to read the log's checkpoint and every
appraisal's inclusion proof for the manifest (`proofs`, timed apart from `read`), to write
the JSON (`json`), and to render the XLSX or PDF from it (`render`), and the file's size.
Targets: the mine's PDF under 3 s, the 10,000-zone JSON under 30 s.
"""

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import history
from bench.facts import load_average
from bench.report import publish
from bench.servers import ADMIN_PASSWORD, SECRET_KEY, fresh_database, workspace
from projections.check import snapshot
from service.cases import archives as archive
from service.cases import inclusion, supervision
from service.runtime import Runtime, build
from service.settings import Settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BLOCK = "archives"
HEADER = ["backend", "zones", "form", "appraisals", "read s", "proofs s", "json s", "render s",
          "total s", "MB"]


@dataclass
class Produced:
    backend: str
    zones: int
    form: str
    appraisals: int
    read: float
    proofs: float
    json: float
    render: float
    size: int

    def cells(self) -> list[str]:
        render = "—" if self.form == "json" else f"{self.render:.2f}"
        total = self.read + self.proofs + self.json + self.render
        return [self.backend, f"{self.zones:,}", self.form, f"{self.appraisals:,}",
                f"{self.read:.2f}", f"{self.proofs:.2f}", f"{self.json:.2f}", render,
                f"{total:.2f}", f"{self.size / 1e6:.1f}"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.archives", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mine", type=int, default=188, help="zones of the mine-sized year")
    parser.add_argument("--large", type=int, default=10_000, help="zones of the large year")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN)
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--no-doc", action="store_true")
    return parser.parse_args(argv)


def produce(backend: str, url: str, zones: int, forms: list[str]) -> list[Produced]:
    """Fill a store with `zones` zones' year, then time its archive in each form."""
    say(f"[{backend}] generating {zones:,} zones ({load_average()})")
    history.generate(url, zones, admin_password=ADMIN_PASSWORD, secret_key=SECRET_KEY,
                     echo=say)
    say(f"[{backend}] bringing the read models up to date")
    rt = build(Settings(database_url=url, secret_key=SECRET_KEY))
    try:
        rt.follower.catch_up()  # a worker's job in the service, not start-up's
        year = str(history.default_year(datetime.now(UTC)))
        request = archive.Request.of(year, None, None)
        return [_timed(backend, zones, form, rt, request) for form in forms]
    finally:
        rt.close()


def _timed(backend: str, zones: int, form: str, rt: Runtime,
           request: archive.Request) -> Produced:
    say(f"[{backend}] {zones:,} zones: {form} ({load_average()})")
    proved: list[float] = []

    def prove(last: list[inclusion.Last]) -> dict[str, Any]:
        began = time.perf_counter()
        section = inclusion.ledger(rt, last)
        proved.append(time.perf_counter() - began)
        return section

    started = time.perf_counter()
    with snapshot(rt.engines.reader) as conn:
        content = archive.contents(conn, rt.follower.streams, request, prove,
                                   supervision.zones_at(rt))
    read = time.perf_counter()
    archive.json_bytes(content)
    encoded = time.perf_counter()
    produced = archive.rendered(content, form)
    # rendered() writes the JSON again, to hash it: counted once, under `json`.
    render = 0.0 if form == "json" else time.perf_counter() - encoded - (encoded - read)
    return Produced(backend, zones, form, len(content["appraisals"]),
                    read - started - proved[0], proved[0], encoded - read, max(render, 0.0),
                    len(produced.content))


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    notes = [f"Other load on the machine before the run: {load_average()}."]
    rows: list[Produced] = []
    started = time.perf_counter()
    with workspace() as work:
        for backend in backends:
            for zones, forms in ((args.mine, ["json", "xlsx", "pdf"]),
                                 (args.large, ["json"])):
                with fresh_database(backend, args.postgres, work, f"{backend}{zones}") as url:
                    rows += produce(backend, url, zones, forms)
    notes.append(f"Other load on the machine after the run: {load_average()}.")
    notes.append(f"The whole run took {(time.perf_counter() - started) / 60:.0f} min.")
    publish(args, "bench.archives", backends, BLOCK, HEADER, [r.cells() for r in rows], notes)

if __name__ == "__main__":
    main()
