"""The one shape every rule produces and every reporter reads."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, replace


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding at a place in a file. Lines and columns are 1-based; paths are display paths."""

    path: str
    line: int
    column: int
    code: str
    message: str
    name: str = ""
    severity: Severity = Severity.ERROR
    end_line: int | None = None
    end_column: int | None = None
    fixable: bool = False

    def with_(self, **changes: object) -> Diagnostic:
        return replace(self, **changes)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["end_line"] = self.end_line or self.line
        data["end_column"] = self.end_column or self.column
        order = ["path", "line", "column", "end_line", "end_column", "code", "name", "severity",
                 "message", "fixable"]
        return {k: data[k] for k in order}
