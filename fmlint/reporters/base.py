from __future__ import annotations

from dataclasses import dataclass, field

from fmlint.diagnostics import Diagnostic


@dataclass
class Report:
    diagnostics: list[Diagnostic]
    files: int
    color: bool = False
    show_source: bool = False
    sources: dict[str, list[str]] = field(default_factory=dict)  # display path -> lines

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity.value == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity.value == "warning")
