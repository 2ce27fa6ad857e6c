"""The results as a table on the terminal and as a block in docs/PERFORMANCE.md."""

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.facts import machine_facts

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
# Issue 15: at 16 clients, at least half the baseline's throughput with p99 < 100 ms; 0.7×
# is the moonshot.
TARGET_RATIO, MOONSHOT_RATIO, TARGET_P99_MS, TARGET_CLIENTS = 0.5, 0.7, 100.0, 16


@dataclass
class Row:
    """One backend at one concurrency: the baseline and the sign-off, measured back to back."""

    backend: str
    clients: int
    baseline: dict[str, Any]
    signoff: dict[str, Any]

    @property
    def ratio(self) -> float:
        return float(self.signoff["rps"] / self.baseline["rps"]) if self.baseline["rps"] else 0.0

    @property
    def bad(self) -> int:
        """Answers that must never happen: any non-2xx, any transport error, any shortfall."""
        return sum(sum(r["non_2xx"].values()) + sum(r["errors"].values()) + r["exhausted"]
                   for r in (self.baseline, self.signoff))

    def verdict(self) -> str:
        if self.clients != TARGET_CLIENTS:
            return ""
        if self.signoff["p99_ms"] >= TARGET_P99_MS or self.bad or self.ratio < TARGET_RATIO:
            return "SHORT of target"
        return "meets target" + (" and moonshot" if self.ratio >= MOONSHOT_RATIO else "")


HEADER = ["backend", "clients", "baseline req/s", "baseline p50/p99 ms", "sign-off req/s",
          "sign-off p50/p99 ms", "ratio", "sign-offs/s", "non-2xx", "server CPU",
          "generator CPU", "verdict"]


def cells(row: Row) -> list[str]:
    b, s = row.baseline, row.signoff
    return [row.backend, str(row.clients), f"{b['rps']:.0f}",
            f"{b['p50_ms']:.1f} / {b['p99_ms']:.1f}", f"{s['rps']:.0f}",
            f"{s['p50_ms']:.1f} / {s['p99_ms']:.1f}", f"{row.ratio:.2f}",
            f"{s['rps'] / 4:.0f}", str(row.bad),
            f"{b['server_cpu']:.0%} / {s['server_cpu']:.0%}",
            f"{b['load_cpu']:.0%} / {s['load_cpu']:.0%}", row.verdict()]


def text_table(rows: list[Row]) -> str:
    table = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True))
                     for line in table)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def markdown(rows: list[Row], facts: dict[str, str], command: str, notes: list[str]) -> str:
    """The generated block: command, machine, table, and what the servers logged."""
    machine = "\n".join(fact(k, v) for k, v in facts.items())
    return "\n".join([
        BEGIN,
        "<!-- Written by `python -m bench.signoff`; edit the text outside these markers. -->",
        "",
        f"Produced by `{command}` (run from the repository root).",
        "",
        machine,
        "",
        markdown_table(rows),
        "",
        *(f"- {n}" if "\n" not in n else f"\n{n}\n" for n in notes),
        END,
    ])


def fact(name: str, value: str) -> str:
    if "\n" not in value:
        return f"- {name}: {value}"
    indented = value.replace("\n", "\n  ")
    return f"- {name}:\n\n  ```{indented}\n  ```\n"


def markers(name: str | None = None) -> tuple[str, str]:
    """The comments around a generated block: `bench:begin` for the sign-off's, whose name
    predates the others, `bench:NAME:begin` for any other."""
    if name is None:
        return BEGIN, END
    return f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"


def write_block(path: Path, block: str, name: str | None = None) -> None:
    """Replace the generated block named `name` in the document, or append it if it has
    none. `block` starts and ends with that name's markers."""
    begin, end = markers(name)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def generated(name: str, module: str, command: str, facts: dict[str, str], header: list[str],
              rows: list[list[str]], notes: list[str]) -> str:
    """A generated block of one table: who writes it, the command, the machine, the table
    and the run's notes, between the markers of `name`."""
    begin, end = markers(name)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join([
        begin, f"<!-- Written by `python -m {module}`; edit the text outside these markers. -->",
        "", f"Produced by `{command}` (run from the repository root).", "",
        *(fact(k, v) for k, v in facts.items()), "", *lines, "",
        *(f"- {n}" for n in notes), end])


def publish(args: Any, module: str, backends: list[str], name: str, header: list[str],
            rows: list[list[str]], notes: list[str]) -> None:
    """Print the table; unless `--no-doc`, write it with the command and the machine as the
    block `name` of `--doc`."""
    print("\n".join("\t".join(cells) for cells in rows))
    if args.no_doc:
        return
    command = shlex.join(["python", "-m", module, *sys.argv[1:]])
    facts = machine_facts(args.postgres if "postgres" in backends else None)
    write_block(args.doc, generated(name, module, command, facts, header, rows, notes), name)
    print(f"written to {args.doc}")


def say(text: str) -> None:
    """Progress, on stderr: stdout is the table."""
    print(text, file=sys.stderr, flush=True)
