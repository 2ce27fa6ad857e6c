"""Tables laid out top to bottom on PDF pages, continued on a new page when they run over.

A table is a fixed run of columns; each column either wraps its text (comments, reasons:
never cut, however long — a row longer than the page goes on over the next) or fits it on
one line with an ellipsis (names in a narrow column). A table's header row is drawn again
at the top of each continuation page. The columns' geometry is worked out once per table,
and a row is one path and a few text operators.

What every page of a kind shares can be drawn once: a flow draws all of a row (layer
ALL), or only its grid and the text of `static` columns (STATIC: labels, headers, the
form's items), or only the other columns' text (DYNAMIC). A row's height comes from all its
texts whatever the layer, so pages whose rows have the same static texts and the same
number of lines (`Table.shape`) share their STATIC layer, kept once as a PDF form XObject.
Drawing it, the flow records a slot for each line of each dynamic cell, in the order the
ALL layer would draw them (so a reader extracts a cell's lines together), each knowing
which of the rows' texts it shows; a page of that shape is the form under its own texts
written into the slots (`Table.shape` lists them, `Flow.fill` writes them).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from math import inf
from operator import itemgetter
from typing import Any

from reports.pdf_typeset import Page, Slot, Typesetter

PAD_X = 4.0
PAD_Y = 3.0
LEADING = 1.38  # line height, in multiples of the font size
BASELINE = 1.05  # from a line's top to its baseline, in multiples of the font size
HEADER_GREY = 0.86
ALL, STATIC, DYNAMIC = "all", "static", "dynamic"
SHIFTS = {"left": 0.0, "centre": 0.5, "right": 1.0}


@dataclass(frozen=True)
class Column:
    width: float
    align: str = "left"  # left, right or centre
    wrap: bool = False
    grey: float | None = None  # fill, 0 black … 1 white
    bold: bool = False
    static: bool = False  # the same on every page of its kind


class Table:
    """Columns side by side from `left`, their edges formatted once for every row."""

    def __init__(self, left: float, columns: Sequence[Column], size: float) -> None:
        self.columns = tuple(columns)
        self.size = size
        lefts = list(accumulate((c.width for c in columns[:-1]), initial=left))
        self.lefts = lefts
        self.edges = [(f"{x:.1f}", f"{c.width:.1f}") for x, c in zip(lefts, columns, strict=True)]
        self.fills = [(c.grey, f"{x:.1f}", f"{c.width:.1f}")
                      for x, c in zip(lefts, columns, strict=True) if c.grey is not None]
        self.anchors = [_anchor(x, c) for x, c in zip(lefts, columns, strict=True)]
        self.rooms = [c.width - 2 * PAD_X for c in columns]
        self.static_at = tuple(i for i, c in enumerate(columns) if c.static)
        self.dynamic_at = tuple(i for i, c in enumerate(columns) if not c.static)
        self.wrapped = tuple((i, self.rooms[i]) for i, c in enumerate(columns) if c.wrap)
        self._statics = _picker(self.static_at)
        self._dynamics = _picker(self.dynamic_at)

    def shape(self, ts: Typesetter,
              texts: Sequence[str]) -> tuple[tuple[Any, ...], Sequence[str]]:
        """A row of `texts` as a template sees it: what rows alike share (the table, its
        static texts, how many lines the row takes), and its dynamic texts line by line,
        each line's cells left to right ("" where a cell has no such line)."""
        statics = self._statics(texts)
        if not self.wrapped:
            return (self, statics, 1), self._dynamics(texts)
        size = self.size
        depth = max([len(ts.wrap(texts[i], size, room)) for i, room in self.wrapped])
        if depth == 1:
            return (self, statics, 1), self._dynamics(texts)
        cells = [ts.wrap(texts[i], size, self.rooms[i]) if self.columns[i].wrap
                 else (texts[i],) for i in self.dynamic_at]
        return (self, statics, depth), [lines[line] if line < len(lines) else ""
                                        for line in range(depth) for lines in cells]

    def header(self) -> "Table":
        """The same columns as a header row: centred, bold, grey, wrapped."""
        return Table(self.lefts[0], [Column(c.width, "centre", True, HEADER_GREY, True, True)
                                     for c in self.columns], self.size)


def _picker(at: tuple[int, ...]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """A function picking the texts at `at` out of a row's, as a tuple however many."""
    if len(at) > 1:
        return itemgetter(*at)
    if at:
        return lambda texts: (texts[at[0]],)
    return lambda texts: ()


def _anchor(x: float, column: Column) -> float:
    if column.align == "right":
        return x + column.width - PAD_X
    if column.align == "centre":
        return x + column.width / 2
    return x + PAD_X


Header = tuple[Table, Sequence[str]]


class Flow:
    """A cursor down a run of pages; `start(flow, page, continued)` draws a page's heading
    and returns where the body starts."""

    def __init__(self, ts: Typesetter, size: tuple[float, float], left: float, bottom: float,
                 start: "Callable[[Flow, Page, bool], float]", layer: str = ALL) -> None:
        self.ts, self.size, self.left, self.bottom, self.start = ts, size, left, bottom, start
        self.pages: list[Page] = []
        self.layer = layer
        self.slots: list[list[Slot]] = []  # each page's, recorded while drawing a STATIC layer
        self.cells = 0  # the dynamic texts of the rows so far, as `Table.shape` counts them
        self.page, self.y = self._new_page(continued=False)

    def draws(self, static: bool) -> bool:
        """Whether the current layer draws static (or dynamic) content."""
        return self.layer == ALL or (self.layer == STATIC) == static

    def _new_page(self, continued: bool) -> tuple[Page, float]:
        page = Page(*self.size)
        self.pages.append(page)
        self.slots.append([])
        return page, self.start(self, page, continued)

    def break_page(self) -> None:
        self.page, self.y = self._new_page(continued=True)

    def room(self) -> float:
        return self.y - self.bottom

    def skip(self, height: float) -> None:
        """Leave `height` of space, or start a page if there is not even that."""
        if self.room() < height:
            self.break_page()
        else:
            self.y -= height

    def heading(self, text: str, size: float, after: float = 4.0) -> None:
        """A section heading, kept on the page of what follows it (room for two rows)."""
        if self.room() < size * 5:
            self.break_page()
        if self.draws(static=True):
            self.ts.text(self.page, self.left, self.y - size * BASELINE, text, size, bold=True)
        self.y -= size * LEADING + after

    def row(self, table: Table, texts: Sequence[str], header: Header | None = None) -> None:
        """One row of `table`; wrapped cells too long for the page continue on the next
        one, after the `header` row drawn again."""
        lines = self._lines(table, texts)
        depth = max(map(len, lines))
        line_height = table.size * LEADING
        first, cells = 0, self.cells  # the first line left to draw; the row's first text
        self.cells += depth * len(table.dynamic_at)
        while True:
            fits = int((self.room() - 2 * PAD_Y) // line_height)
            if depth - first <= fits:
                self._draw(table, [cell_lines[first:] for cell_lines in lines], cells, first)
                return
            if fits >= 3:  # draw what fits, the rest goes over
                self._draw(table, [cell_lines[first:first + fits] for cell_lines in lines],
                           cells, first)
                first += fits
            self.break_page()
            if header:
                self.row(*header)

    def _lines(self, table: Table, texts: Sequence[str]) -> list[Sequence[str]]:
        """Every cell's lines, drawn or not: they set the row's height in every layer."""
        ts, size = self.ts, table.size
        return [ts.wrap(text, size, room) if column.wrap else (ts.fit(text, size, room),)
                for text, column, room in zip(texts, table.columns, table.rooms, strict=True)]

    def _draw(self, table: Table, lines: Sequence[Sequence[str]], cells: int,
              first: int) -> None:
        """Lines `first`… of a row whose texts start at `cells` in `Table.shape`'s list."""
        size = table.size
        tall = max(map(len, lines))
        height = tall * size * LEADING + 2 * PAD_Y
        bottom = self.y - height
        if self.layer != DYNAMIC:
            self._grid(table, bottom, height)
        top = self.y - PAD_Y - size * BASELINE
        baselines = [f"{top - i * size * LEADING:.1f}" for i in range(tall)]
        if self.layer == STATIC:
            self._record(table, baselines, cells, first)
        put, width, page = self.ts.put, self.ts.width, self.page
        for column, anchor, cell_lines in zip(table.columns, table.anchors, lines, strict=True):
            if not self.draws(column.static):
                continue
            shift = SHIFTS[column.align]
            for line, baseline in zip(cell_lines, baselines, strict=False):
                if line:
                    x = anchor - width(line, size) * shift
                    put(page, f"1 0 0 1 {x:.1f} {baseline} Tm ", line, size, column.bold)
        self.y = bottom

    def _record(self, table: Table, baselines: Sequence[str], cells: int, first: int) -> None:
        """The slots of a row's dynamic lines, cell by cell, each with the index of its
        text in `Table.shape`'s list (line by line); a single-line cell has one."""
        across = len(table.dynamic_at)
        self.slots[-1] += [
            _slot(table.columns[i], table.anchors[i], baseline, table.rooms[i], table.size,
                  cells + (first + line) * across + k)
            for k, i in enumerate(table.dynamic_at)
            for line, baseline in enumerate(baselines)
            if table.columns[i].wrap or first + line == 0]

    def _grid(self, table: Table, bottom: float, height: float) -> None:
        low, high = f"{bottom:.1f}", f"{height:.1f}"
        graphics = self.page.graphics
        for grey, x, width in table.fills:
            graphics.append(f"{grey} g {x} {low} {width} {high} re f 0 g")
        graphics.append(" ".join([f"{x} {low} {width} {high} re" for x, width in table.edges])
                        + " S")

    def fill(self, forms: Sequence[tuple[str, Sequence[Slot]]], texts: Sequence[str]) -> None:
        """A DYNAMIC layer without laying its rows out again: page after page, the named
        form of a STATIC layer and `texts` written into the slots it recorded."""
        for index, (name, slots) in enumerate(forms):
            if index:
                self.break_page()
            self.page.forms.append(name)
            self.ts.place(self.page, slots, texts)


def _slot(column: Column, anchor: float, baseline: str, room: float, size: float,
          index: int) -> Slot:
    """A cell's line as a slot; a wrapped line is shown whole, as `_draw` does (closing
    punctuation may hang past the edge), a single-line cell's cut to its room."""
    shift = SHIFTS[column.align]
    at = "" if shift else f"1 0 0 1 {anchor:.1f} {baseline} Tm "
    return Slot(anchor, baseline, shift, column.bold, inf if column.wrap else room, size, at,
                index)
