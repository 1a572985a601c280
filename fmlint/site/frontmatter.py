"""Front matter: split off the top of a page and parsed round-trip, so every key keeps its line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass
class FrontMatter:
    data: CommentedMap
    start_line: int  # the opening '---'
    end_line: int  # the closing '---'
    raw: str  # the YAML text between the fences
    key_lines: dict[str, int] = field(default_factory=dict)
    value_columns: dict[str, int] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.start_line)


@dataclass
class FrontMatterProblem:
    message: str
    line: int
    column: int = 1


@dataclass
class Split:
    front_matter: FrontMatter | None
    problem: FrontMatterProblem | None
    body: str
    body_first_line: int  # page line of the body's first line
    has_front_matter: bool


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


def split(text: str) -> Split:
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return Split(None, None, text, 1, False)
    for i in range(1, len(lines)):
        if _END.match(lines[i]):
            end = i
            break
    else:
        return Split(None, FrontMatterProblem(
            "front matter opened with '---' on line 1 is never closed: add a '---' line after it", 1),
            "", len(lines) + 1, True)
    raw = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    fm_or_problem = parse(raw, first_line=2, start_line=1, end_line=end + 1)
    if isinstance(fm_or_problem, FrontMatterProblem):
        return Split(None, fm_or_problem, body, end + 2, True)
    return Split(fm_or_problem, None, body, end + 2, True)


def parse(raw: str, first_line: int, start_line: int, end_line: int) -> FrontMatter | FrontMatterProblem:
    try:
        data = _yaml().load(raw)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        col = (mark.column + 1) if mark else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        return FrontMatterProblem(f"front matter is not valid YAML: {problem}", line, col)
    except (YAMLError, ValueError, RecursionError) as exc:
        return FrontMatterProblem(f"front matter is not valid YAML: {exc}".splitlines()[0], start_line)
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        return FrontMatterProblem(
            f"front matter must be a mapping of keys to values, not a {type(data).__name__}", first_line)
    fm = FrontMatter(data, start_line, end_line, raw)
    for key in data:
        try:
            kline, _ = data.lc.key(key)
            _, vcol = data.lc.value(key)
        except (KeyError, TypeError):
            continue
        fm.key_lines[str(key)] = first_line + kline
        fm.value_columns[str(key)] = vcol + 1
    return fm
