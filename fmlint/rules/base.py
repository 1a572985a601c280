"""What a rule is: a code, a name, a default severity and its documentation, in one place."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fmlint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from fmlint.config import Config
    from fmlint.site.page import Page
    from fmlint.site.site import Handbook, Site

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
DOC_HEADINGS = ("What it does", "Why", "Bad", "Good")
DOC_OPTIONAL = ("Fix", "Options")


@dataclass(frozen=True)
class Rule:
    """A rule. `doc` has the sections What it does / Why / Bad / Good (and Fix when fixable)."""

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    fixable: bool = False

    def __call__(self, path: str, line: int, column: int = 1, message: str | None = None, *,
                 end_line: int | None = None, end_column: int | None = None,
                 fixable: bool | None = None) -> Diagnostic:
        return Diagnostic(
            path=path, line=max(line, 1), column=max(column, 1), code=self.code,
            message=message or self.summary, name=self.name, severity=self.severity,
            end_line=end_line, end_column=end_column,
            fixable=self.fixable if fixable is None else fixable)

    def doc_section(self, heading: str) -> str:
        names = "|".join(re.escape(h) for h in (*DOC_HEADINGS, *DOC_OPTIONAL))
        m = re.search(rf"^{re.escape(heading)}:[ \t]*\n(.*?)(?=^(?:{names}):[ \t]*$|\Z)", self.doc, re.S | re.M)
        return m.group(1).strip("\n") if m else ""


@dataclass
class Context:
    """What every check gets besides the model: the configuration and the run's options."""

    site: Site
    config: Config
    selected: Callable[[str], bool] = lambda code: True
    not_run: set[str] = field(default_factory=set)  # codes whose checks were skipped this run

    def wants(self, *codes: str) -> bool:
        return any(self.selected(c) for c in codes)


PageCheck = Callable[["Page", Context], Iterable[Diagnostic]]
HandbookCheck = Callable[["Handbook", Context], Iterable[Diagnostic]]
SiteCheck = Callable[["Site", Context], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Family:
    """A rule family: its rules and the checks that produce them (per page, handbook or site)."""

    name: str
    prefix: str
    rules: tuple[Rule, ...]
    check_page: PageCheck | None = None
    check_handbook: HandbookCheck | None = None
    check_site: SiteCheck | None = None
