"""`<!-- fmlint: disable CODE -->` and `disable-file`, applied after the rules ran (rules know nothing of it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fmlint.diagnostics import Diagnostic
from fmlint.site.page import Page

_DIRECTIVE = re.compile(r"^\s*fmlint:\s*(disable|disable-file)\s+(.*?)\s*$", re.S)
_CODE = re.compile(r"^FM\d{1,3}$")


@dataclass
class Suppression:
    codes: tuple[str, ...]
    line: int  # the comment's line
    column: int
    first: int  # covered lines, inclusive (whole file for disable-file)
    last: int
    whole_file: bool
    used: set[str] = field(default_factory=set)

    def covers(self, diag: Diagnostic) -> str | None:
        if not (self.first <= diag.line <= self.last):
            return None
        for code in self.codes:
            if diag.code.startswith(code):
                return code
        return None


def page_suppressions(page: Page) -> tuple[list[Suppression], list[tuple[int, int, str]]]:
    """The page's suppressions, and malformed directives as (line, column, message)."""
    found: list[Suppression] = []
    bad: list[tuple[int, int, str]] = []
    lines = page.lines
    for comment in page.comments:
        m = _DIRECTIVE.match(comment.text)
        if not m:
            continue
        codes = tuple(c.upper() for c in re.split(r"[\s,]+", m.group(2)) if c)
        wrong = [c for c in codes if not _CODE.match(c)]
        if wrong or not codes:
            bad.append((comment.line, comment.column,
                        f"suppression names no valid code ({', '.join(wrong) or 'none given'}): "
                        "write e.g. 'fmlint: disable FM301'"))
            continue
        if m.group(1) == "disable-file":
            found.append(Suppression(codes, comment.line, comment.column, 1, len(lines) + 1, True))
            continue
        target = comment.end_line + 1
        while target <= len(lines) and not lines[target - 1].strip():
            target += 1
        last = target
        for block in page.blocks:
            if block.line == target and block.end_line > last:
                last = block.end_line
        # an HTML element opened on that line (a card inside the grid's HTML block) is a block too
        for el in page.elements:
            if el.line == target and el.end_line > last:
                last = el.end_line
        found.append(Suppression(codes, comment.line, comment.column, target, last, False))
    return found, bad
