"""Fixes as data: an `Edit` replaces a span of a file's text; edits are checked for overlap, then applied.

Offsets are into the text as the site model reads it (BOM removed, "\\n" line endings): the text of
`page.source.text`. `fmlint.authoring.io` puts each file's own BOM and line endings back on write.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] by `text` (start == end: an insertion). `code` says which finding it fixes."""

    start: int
    end: int
    text: str
    code: str = ""
    note: str = ""  # what the edit does, for the command's report


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit], list[Edit]]:
    """Apply the edits that do not overlap an earlier one; returns (new text, applied, deferred).

    Deferred edits are recomputed from the re-read site in the next round of `fmlint fix`. Two
    insertions at the same place are applied in the order given; an identical edit counts once.
    """
    ordered = sorted(dict.fromkeys(edits), key=lambda e: (e.start, e.end))
    applied: list[Edit] = []
    deferred: list[Edit] = []
    last_end = -1
    for edit in ordered:
        if applied and edit.start == edit.end == applied[-1].start == applied[-1].end:
            applied.append(edit)  # two insertions at one place
        elif edit.start < last_end:
            deferred.append(edit)
        else:
            applied.append(edit)
            last_end = max(last_end, edit.end)
    out = []
    pos = 0
    for edit in applied:
        out.append(text[pos:edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out), applied, deferred


class Lines:
    """Page line/column (1-based) to offsets of a text, and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(self, line: int, column: int = 1) -> int:
        line = min(max(line, 1), len(self.starts))
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def line_start(self, line: int) -> int:
        return self.offset(line, 1)

    def line_end(self, line: int) -> int:
        """Offset of the line's "\\n" (or the end of the text)."""
        if line >= len(self.starts):
            return len(self.text)
        return self.starts[line] - 1

    def after_line(self, line: int) -> int:
        """Offset of the start of the next line (the end of the text after the last line)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def line_text(self, line: int) -> str:
        return self.text[self.line_start(line):self.line_end(line)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    @property
    def count(self) -> int:
        return len(self.starts)


# --- HTML start tags, as written ------------------------------------------------------------------

@dataclass(frozen=True)
class Attr:
    name: str
    name_start: int
    value_start: int  # offsets of the value without its quotes (== name end when it has no value)
    value_end: int
    quote: str  # '"', "'" or "" (unquoted or no value)
    has_value: bool


@dataclass(frozen=True)
class StartTag:
    name: str
    start: int  # offset of '<'
    name_end: int  # offset after the tag name (where a new attribute goes)
    end: int  # offset after '>'
    attrs: dict[str, Attr]


_TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_ATTR_NAME = re.compile(r"[^\s/>=\"']+")


def _skip_liquid(text: str, i: int) -> int:
    """Past a Liquid construct starting at i (quotes and '>' inside it are not HTML)."""
    closer = "}}" if text.startswith("{{", i) else "%}"
    j = text.find(closer, i + 2)
    return len(text) if j < 0 else j + 2


def _quoted_end(text: str, i: int, quote: str) -> int:
    """Offset of the quote closing a value that starts at i, or -1. Liquid is rendered before the
    HTML is read, so a quote inside `{{ "/a/" | relative_url }}` does not close the value."""
    n = len(text)
    while i < n:
        if text.startswith(("{{", "{%"), i):
            j = text.find("}}" if text[i + 1] == "{" else "%}", i + 2)
            if j >= 0:  # an unclosed "{{" is text
                i = j + 2
                continue
        if text[i] == quote:
            return i
        i += 1
    return -1


def start_tag(text: str, start: int) -> StartTag | None:
    """Read the start tag whose '<' is at `start`: attribute names and value spans as written."""
    m = _TAG_NAME.match(text, start)
    if m is None:
        return None
    i = m.end()
    attrs: dict[str, Attr] = {}
    n = len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return None
        if text.startswith(">", i):
            return StartTag(m.group(1).lower(), start, m.end(), i + 1, attrs)
        if text.startswith("/>", i):
            return StartTag(m.group(1).lower(), start, m.end(), i + 2, attrs)
        if text.startswith(("{{", "{%"), i):
            i = _skip_liquid(text, i)
            continue
        am = _ATTR_NAME.match(text, i)
        if am is None:
            i += 1
            continue
        name = am.group(0).lower()
        j = am.end()
        k = j
        while k < n and text[k].isspace():
            k += 1
        if k < n and text[k] == "=":
            k += 1
            while k < n and text[k].isspace():
                k += 1
            if k < n and text[k] in "\"'":
                quote = text[k]
                end = _quoted_end(text, k + 1, quote)
                if end < 0:
                    return None
                attrs.setdefault(name, Attr(name, i, k + 1, end, quote, True))
                i = end + 1
            else:
                end = k
                while end < n and not text[end].isspace() and text[end] != ">":
                    end = _skip_liquid(text, end) if text.startswith(("{{", "{%"), end) else end + 1
                attrs.setdefault(name, Attr(name, i, k, end, "", True))
                i = end
        else:
            attrs.setdefault(name, Attr(name, i, j, j, "", False))
            i = j
    return None


def find_start_tag(text: str, lines: Lines, line: int, column: int, tag: str) -> StartTag | None:
    """The `<tag ...>` the HTML model places at (line, column), found near there in the text."""
    pos = lines.offset(line, column)
    for candidate in (pos, text.find("<" + tag, pos), text.find("<" + tag, lines.line_start(line))):
        if candidate is not None and candidate >= 0:
            found = start_tag(text, candidate)
            if found is not None and found.name == tag:
                return found
    return None


def closing_tag(text: str, tag: str, start: int) -> int | None:
    """Offset of the first `</tag>` from `start` (tag names are case-insensitive)."""
    m = re.compile(rf"</{re.escape(tag)}\s*>", re.I).search(text, start)
    return m.start() if m else None


def indentation(line_text: str) -> str:
    return line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
