"""Fast Chinese text on PDF pages: the font, and page content written as PDF operators.

A year's archive is some 2,500 pages of about 100 strings each. reportlab's
`Canvas.drawString` costs ~35 µs a string here (a text object, font lookups and state per
call): 9 s for the year. Instead a page is a list of operator strings, each text encoded
once per document through reportlab's documented dynamic-font calls (`splitString`,
`getSubsetInternalName`) and cached, which `archive_pdf` writes as the page's content.
reportlab still does what it does well: subsetting and embedding the font, and writing
the file.

The font is WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, installed by `make`): a sans
CJK font with TrueType outlines, which reportlab can subset and embed, so the file reads
the same on a machine with no Chinese fonts. When the file is missing, reportlab's
built-in STSong-Light is used instead — Adobe's CID font, *not* embedded (readers
without the Adobe Asian font pack show boxes) — and the manifest says so.
"""

import logging
import os
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"
FALLBACK_FONT = "STSong-Light"
# Characters a line may not start with (they hang past the margin instead) or end with.
NO_LINE_START = set("，。、；：？！）》」』】”’,.;:?!)")
NO_LINE_END = set("（《「『【“‘(")
WORD = set(string.ascii_letters + string.digits + "-_.@")  # kept whole on a line
LONGEST_WORD = 24
ELLIPSIS = "…"
# A byte of a PDF string as written: printable ASCII as it is but for the delimiters,
# anything else as an octal escape (the content stream is written as UTF-8 text).
ESCAPES = {code: (chr(code) if 32 <= code < 127 and chr(code) not in "()\\"
                  else f"\\{code:03o}") for code in range(256)}
FIRST_TAG = ord("0")  # subset n's characters are tagged chr(FIRST_TAG + n)
LINE_WIDTH = "0.6 w"  # thin rules: a table's shared edges are stroked twice
LOG = logging.getLogger(__name__)


def _break(text: str, start: int, index: int) -> int:
    """Where to end a line that would overflow at `index`: before the Latin word it is in
    (if the word is short enough to move whole), and not after an opening bracket."""
    cut = index
    if text[index] in WORD:
        word = index
        while word > start and text[word - 1] in WORD:
            word -= 1
        if start < word and index - word < LONGEST_WORD:
            cut = word
    while cut - 1 > start and text[cut - 1] in NO_LINE_END:
        cut -= 1
    return cut


def _runs(text: str, tags: str) -> list[tuple[str, str]]:
    """The runs of `text` whose characters have the same tag, with their tag."""
    if not text:
        return []
    if tags.count(tags[0]) == len(tags):
        return [(tags[0], text)]
    runs, start = [], 0
    for tag, group in groupby(tags):
        end = start + len(list(group))
        runs.append((tag, text[start:end]))
        start = end
    return runs


Runs = tuple[tuple[str, str], ...]  # (font name, escaped codes) for each run of a text


def _joined(words: list[Runs], space: tuple[str, str]) -> Runs:
    """The runs of words joined by spaces, a run going on over a space in its font."""
    runs: list[list[str]] = []
    for index, word in enumerate(words):
        for name, codes in (space, *word) if index else word:
            if runs and runs[-1][0] == name:
                runs[-1][1] += codes
            else:
                runs.append([name, codes])
    return tuple((name, codes) for name, codes in runs)


@dataclass(frozen=True)
class Font:
    """The font the archive is set in: its reportlab name, and what the manifest records."""

    name: str
    manifest: str
    embedded: bool


def load_font() -> Font:
    """The archive's font, registered with reportlab once per process."""
    return _register(FONT_PATH)


@cache
def _register(path: str) -> Font:
    """Parsing the font takes ~0.15 s: once per process and path."""
    if os.path.exists(path):
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
        return Font(FONT_NAME, os.path.basename(path), True)
    LOG.warning("%s is missing: archives use %s, not embedded (install fonts-wqy-microhei)",
                path, FALLBACK_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return Font(FALLBACK_FONT, f"{FALLBACK_FONT} (not embedded)", False)


@dataclass
class Page:
    """One page's content as PDF operators: named forms, graphics, then one text object."""

    width: float
    height: float
    graphics: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)  # drawn first, by name
    font: str = ""  # the text object's current font and size, set again only on change

    def content(self) -> str:
        return "\n".join((LINE_WIDTH, *self.graphics, "BT", *self.text, "ET"))

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.graphics.append(f"{x1:.1f} {y1:.1f} m {x2:.1f} {y2:.1f} l S")


@dataclass(frozen=True)
class Slot:
    """Where a single line of text goes on pages laid out alike (see pdf_flow's layers)."""

    anchor: float
    baseline: str
    shift: float  # of the line's width, left of the anchor: 0, ½ (centred) or 1 (right)
    bold: bool
    room: float
    size: float
    at: str  # a left-aligned line's text matrix, the same whatever the text ("" otherwise)
    index: int  # of its text in the list of the shape's texts (`pdf_flow.Table.shape`)
    # text → (font it needs first or None, operators without it, with it, font left set)
    shown: dict[str, tuple[str | None, str, str, str]] = field(
        default_factory=dict, compare=False, hash=False, repr=False)


class Typesetter:
    """Writes text into pages of one document, measuring and wrapping it in the font.

    Measurements and encodings are cached per string: a year's forms repeat the same
    labels, names and scores thousands of times."""

    def __init__(self, doc: object, font: Font) -> None:
        self.doc = doc
        self.font = font
        self.face = pdfmetrics.getFont(font.name)
        self.shows: dict[tuple[str, float, bool], tuple[str | None, str, str]] = {}
        # What reportlab assigned so far, as str.translate tables: a character → a tag
        # naming its font subset, → its escaped one-byte code in that subset, and → None
        # (deleted: a text is all assigned when nothing is left of it).
        self.subset_tags: dict[int, str] = {}
        self.codes: dict[int, str] = {}
        self.assigned: dict[int, None] = {}
        self.subset_names: dict[int, str] = {}
        self.font_ops: dict[tuple[str, float], str] = {}
        self.encoded: dict[str, Runs] = {}
        self.char_widths: dict[str, float] = {}
        self.widths: dict[str, float] = {}
        self.fitted: dict[tuple[str, float, float], str] = {}
        self.wrapped: dict[tuple[str, float, float], tuple[str, ...]] = {}

    def put(self, page: Page, at: str, text: str, size: float, bold: bool = False) -> None:
        """`text` where `at` ("1 0 0 1 x y Tm ") puts its baseline; bold is drawn stroked,
        the font having a single weight. The font is set only when it changes."""
        if not text:
            return
        font, show, last = self.shows.get((text, size, bold)) or self._show(text, size, bold)
        if font is None or font == page.font:
            page.text.append(at + show)
        else:
            page.text.append(f"{at}{font} {show}")
        page.font = last

    def place(self, page: Page, slots: Sequence[Slot], texts: Sequence[str]) -> None:
        """Into each slot its text of `texts`, cut to fit. A year's 2,500 forms put ~80
        texts each, mostly ones a slot has shown before (a score, a name, a role): each
        slot keeps the operators it wrote for each text."""
        out, font_now = page.text, page.font
        for slot in slots:
            text = texts[slot.index]
            if not text:
                continue
            shown = slot.shown.get(text) or self._slot_show(slot, text)
            out.append(shown[1] if shown[0] is None or shown[0] == font_now else shown[2])
            font_now = shown[3]
        page.font = font_now

    def _slot_show(self, slot: Slot, text: str) -> tuple[str | None, str, str, str]:
        size = slot.size
        line = self.fit(text, size, slot.room)
        at = slot.at or f"1 0 0 1 {slot.anchor - self.width(line, size) * slot.shift:.1f} " \
                        f"{slot.baseline} Tm "
        font, show, last = self.shows.get((line, size, slot.bold)) or self._show(line, size,
                                                                               slot.bold)
        shown = slot.shown[text] = (font, at + show, f"{at}{font} {show}", last)
        return shown

    def text(self, page: Page, x: float, y: float, text: str, size: float,
             bold: bool = False) -> None:
        self.put(page, f"1 0 0 1 {x:.1f} {y:.1f} Tm ", text, size, bold)

    def right(self, page: Page, x: float, y: float, text: str, size: float,
              bold: bool = False) -> None:
        self.text(page, x - self.width(text, size), y, text, size, bold)

    def centre(self, page: Page, x: float, y: float, text: str, size: float,
               bold: bool = False) -> None:
        self.text(page, x - self.width(text, size) / 2, y, text, size, bold)

    def width(self, text: str, size: float) -> float:
        unit = self.widths.get(text)
        if unit is None:
            try:
                unit = sum(map(self.char_widths.__getitem__, text))
            except KeyError:
                unit = sum(map(self._char_width, text))
            self.widths[text] = unit
        return unit * size

    def fit(self, text: str, size: float, width: float) -> str:
        """`text`, or as much of it as fits in `width` followed by an ellipsis."""
        if self.width(text, size) <= width:
            return text
        key = (text, size, width)
        fitted = self.fitted.get(key)
        if fitted is None:
            fitted = self.fitted[key] = self._cut(text, size, width)
        return fitted

    def _cut(self, text: str, size: float, width: float) -> str:
        room = width - self.width(ELLIPSIS, size)
        used = 0.0
        for index, char in enumerate(text):
            used += self._char_width(char) * size
            if used > room:
                return text[:index] + ELLIPSIS
        return text

    def wrap(self, text: str, size: float, width: float) -> tuple[str, ...]:
        """`text` broken into lines of at most `width`: anywhere between Chinese
        characters, but not inside a Latin word or number (an id, a login, a score), not
        before closing punctuation nor after opening; line breaks in the text are kept.
        Cached: the same signers' names wrap in every form of the year."""
        key = (text, size, width)
        lines = self.wrapped.get(key)
        if lines is None:
            lines = self.wrapped[key] = self._wrap(text, size, width)
        return lines

    def _wrap(self, text: str, size: float, width: float) -> tuple[str, ...]:
        if "\n" not in text and self.width(text, size) <= width:
            return (text,)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines.extend(self._wrap_paragraph(paragraph, width / size))
        return tuple(lines)

    def _wrap_paragraph(self, text: str, room: float) -> list[str]:
        lines, start, used = [], 0, 0.0
        for index, char in enumerate(text):
            advance = self._char_width(char)
            if used + advance > room and index > start and char not in NO_LINE_START:
                cut = _break(text, start, index)
                lines.append(text[start:cut].rstrip())
                start = cut
                used = sum(map(self._char_width, text[start:index]))
            used += advance
        lines.append(text[start:])
        return lines

    def _char_width(self, char: str) -> float:
        width = self.char_widths.get(char)
        if width is None:
            width = self.char_widths[char] = self.face.stringWidth(char, 1)
        return width

    def _show(self, text: str, size: float, bold: bool) -> tuple[str | None, str, str]:
        """How to show `text` at `size`: the font operator it needs first (None when the
        text spans fonts, each set in `show`), the operators that show it, and the font
        they leave set."""
        runs = self.encoded.get(text) or self._encode(text)
        if len(runs) == 1:
            font, show = self._font_op(runs[0][0], size), f"({runs[0][1]}) Tj"
        else:
            font, show = None, " ".join(f"{self._font_op(name, size)} ({codes}) Tj"
                                        for name, codes in runs)
        if bold:
            show = f"2 Tr {size * 0.03:.2f} w {show} 0 Tr"
        shown = self.shows[(text, size, bold)] = (font, show, self._font_op(runs[-1][0], size))
        return shown

    def _encode(self, text: str) -> Runs:
        """(font name, escaped codes) for each run of `text` in one font subset, once per
        document whatever the size (a signature's time is also in the history, smaller),
        and word by word: words repeat more than texts (a time's date, a subtitle's zone).

        reportlab's `splitString` looks each character up in Python (~25 µs a string);
        once it has given every character of a text its code, the text is encoded again
        with `str.translate`: once to tag each character with its subset, which splits
        the text into runs (digits and Latin letters sit in the first subset, most Chinese
        in later ones), once a run for its codes."""
        face, doc = self.face, self.doc
        if not self.font.embedded:  # a CID font: one font resource, its own encoding
            name = doc.getInternalFontName(face.fontName)  # type: ignore[attr-defined]
            runs: Runs = ((name, face.formatForPdf(text)),)
        elif " " in text and text != " ":
            runs = _joined([self.encoded.get(word) or self._encode(word)
                            for word in text.split(" ")],
                           (self.encoded.get(" ") or self._encode(" "))[0])
        elif not text.translate(self.assigned):
            runs = tuple((self._subset_name(ord(tag) - FIRST_TAG), run.translate(self.codes))
                         for tag, run in _runs(text, text.translate(self.subset_tags)))
        else:
            chunks = face.splitString(text, doc)
            self._learn(text if self.codes else None)
            runs = tuple((self._subset_name(subset), chunk.decode("latin-1").translate(ESCAPES))
                         for subset, chunk in chunks)
        self.encoded[text] = runs
        return runs

    def _learn(self, text: str | None) -> None:
        """Note the codes reportlab has given the text's characters (None: every code so
        far, which includes printable ASCII, assigned up front)."""
        assignments = self.face.state[self.doc].assignments
        codes = assignments.items() if text is None else (
            (ord(char), assignments.get(ord(char))) for char in set(text))
        for char, code in codes:
            if code is not None:
                self.subset_tags[char] = chr(FIRST_TAG + (code >> 8))
                self.codes[char] = ESCAPES[code & 0xFF]
                self.assigned[char] = None

    def _subset_name(self, subset: int) -> str:
        name = self.subset_names.get(subset)
        if name is None:
            name = self.subset_names[subset] = self.face.getSubsetInternalName(subset, self.doc)
        return name

    def _font_op(self, name: str, size: float) -> str:
        """The operator setting font `name` at `size`."""
        op = self.font_ops.get((name, size))
        if op is None:
            op = self.font_ops[(name, size)] = f"{name} {size:g} Tf"
        return op
