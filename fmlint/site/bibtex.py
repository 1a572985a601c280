"""BibTeX bibliographies, parsed once (filled in by the citations family)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fmlint.site.source import SourceFile


@dataclass
class Bibliography:
    source: SourceFile
    entries: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def path(self):  # noqa: ANN201
        return self.source.path


def parse_bibliography(source: SourceFile) -> Bibliography:
    return Bibliography(source)
