"""FM1xx: front matter against the Pydantic schemas, and values Jekyll's YAML 1.1 reads differently."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from fmlint.diagnostics import Diagnostic
from fmlint.models.frontmatter import JEKYLL_KEYS, HandbookIndexFrontMatter, SectionFrontMatter
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.site.page import Page

MISSING_FRONT_MATTER = Rule("FM101", "missing-front-matter", ERROR, "handbook page has no front matter", """
What it does:
Reports a handbook index or section page that does not start with a `---` front-matter block.

Why:
Without front matter Jekyll copies the file as a static file: the page is never rendered.

Bad:
    # Section I: Basics
    Text...

Good:
    ---
    layout: default
    title: "Section I: Basics"
    description: "What the section teaches."
    section: 1
    ---
""")

MISSING_KEY = Rule("FM102", "missing-front-matter-key", ERROR, "required front-matter key is missing", """
What it does:
Reports a required key (`layout`, `title`, `description`, and `section` on section pages) that the
front matter does not set, at the front-matter block.

Why:
The layout, the index cards and the navigation are built from these keys.

Bad:
    ---
    layout: default
    title: "Section II: Methods"
    ---

Good:
    ---
    layout: default
    title: "Section II: Methods"
    description: "Survey the methods."
    section: 2
    ---
""")

INVALID_VALUE = Rule("FM103", "invalid-front-matter-value", ERROR, "front-matter value has the wrong type or form", """
What it does:
Reports a value that does not fit its key's schema: an empty title, a `section` that is not a
positive integer (`section: "5"` is a string), a section title not of the form
`Section <numeral>: <name>`, a permalink not starting with `/`.

Why:
Wrongly typed values silently break sorting, numbering and links on the built site.

Bad:
    section: "5"
    title: "Self-Attention"

Good:
    section: 5
    title: "Section V: Self-Attention"
""")

UNKNOWN_KEY = Rule("FM104", "unknown-front-matter-key", WARNING, "front-matter key is not known", """
What it does:
Reports a key that is neither in the page's schema nor one of Jekyll's standard page keys
(`permalink`, `published`, `date`, `excerpt`, `tags`, `categories`, `redirect_from`, `sitemap`,
`last_modified_at`). Add legitimate keys with `extra-front-matter-keys` in the configuration.

Why:
A typo such as `secton: 5` leaves the real key unset without any error from Jekyll.

Bad:
    secton: 5

Good:
    section: 5
""")

YAML11_VALUE = Rule("FM105", "yaml11-ambiguous-value", WARNING, "YAML 1.1 (Jekyll) reads this value differently", """
What it does:
Reports a plain (unquoted) value that YAML 1.1, which Jekyll uses, reads differently from YAML 1.2:
`no`/`yes`/`on`/`off` are booleans, `010` is octal 8, `1:30` is the number 90, `1,000` is 1000.
The message gives the value Jekyll will see.

Why:
`title: no` renders as `false`; `version: 010` becomes 8. Editors and YAML 1.2 tools show something
else than the site.

Bad:
    short_name: no

Good:
    short_name: "no"
""")

RULES = (MISSING_FRONT_MATTER, MISSING_KEY, INVALID_VALUE, UNKNOWN_KEY, YAML11_VALUE)

_SCHEMAS = {"index": HandbookIndexFrontMatter, "section": SectionFrontMatter}


def _shallow(value: Any) -> Any:
    # Validate scalars as they are, containers by type only: an alias bomb never gets walked or printed.
    if isinstance(value, CommentedMap | dict):
        return {}
    if isinstance(value, CommentedSeq | list):
        return [str(v) if isinstance(v, str) else "" for v in list(value)[:1000]]
    return value


def _describe(err: dict) -> str:
    msg = err["msg"]
    if err["type"] == "string_pattern_mismatch" and err["loc"][:1] == ("title",):
        return "title must read 'Section <Roman numeral>: <name>', e.g. 'Section V: Self-Attention'"
    if err["type"] == "int_type":
        return f"{msg} (write the number without quotes)"
    return msg


def check_page(page: Page, ctx: Context) -> Iterator[Diagnostic]:
    if not page.source.text and page.source.problem is not None:
        return
    if page.role in _SCHEMAS and not page.has_front_matter:
        yield MISSING_FRONT_MATTER(page.path, 1, 1,
                                   f"{page.role} page has no front matter: Jekyll will not render it; "
                                   "start the file with a '---' block")
        return
    fm = page.front_matter
    if fm is None:
        return
    yield from _yaml11(page, fm)
    schema = _SCHEMAS.get(page.role)
    if schema is None:
        return
    data = {str(k): _shallow(_as_jekyll(fm, k, v)) for k, v in fm.data.items()}
    known = set(schema.model_fields) | JEKYLL_KEYS | set(ctx.config.extra_front_matter_keys)
    for key in data:
        if key not in known:
            close = [k for k in sorted(known) if _close(key, k)]
            hint = f"; did you mean '{close[0]}'?" if close else "; add it to extra-front-matter-keys if it is intended"
            yield UNKNOWN_KEY(page.path, fm.line_of(key), 1, f"unknown front-matter key '{key}'{hint}")
    try:
        schema.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            if err["type"] == "missing":
                yield MISSING_KEY(page.path, fm.start_line, 1,
                                  f"front matter has no '{key}' key (required on {page.role} pages)")
            else:
                yield INVALID_VALUE(page.path, fm.line_of(key), fm.value_columns.get(key, 1),
                                    f"'{key}': {_describe(err)}")


def _close(a: str, b: str) -> bool:
    import difflib  # noqa: PLC0415

    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


_BOOL_TRUE = re.compile(r"^(yes|true|on)$", re.I)
_BOOL_FALSE = re.compile(r"^(no|false|off)$", re.I)
_NULL = re.compile(r"^(~|null|Null|NULL|)$")
_INT = re.compile(r"^[-+]?(0b[01_,]+|0[0-7_,]+|0|[1-9][0-9_,]*|0x[0-9a-fA-F_,]+)$")
_SEXAGESIMAL = re.compile(r"^[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?$")


def psych_value(plain: str) -> Any:
    """What Ruby's Psych (YAML 1.1, used by Jekyll) makes of a plain scalar."""
    if _BOOL_TRUE.match(plain):
        return True
    if _BOOL_FALSE.match(plain):
        return False
    if _NULL.match(plain):
        return None
    if _SEXAGESIMAL.match(plain):
        sign = -1 if plain.startswith("-") else 1
        total = 0
        for part in plain.lstrip("+-").replace("_", "").split(":"):
            total = total * 60 + int(part)
        return sign * total
    if _INT.match(plain):
        s = plain.replace("_", "").replace(",", "")
        sign = -1 if s.startswith("-") else 1
        s = s.lstrip("+-")
        if s.startswith("0b"):
            return sign * int(s[2:], 2)
        if s.startswith("0x"):
            return sign * int(s[2:], 16)
        if len(s) > 1 and s.startswith("0"):
            return sign * int(s, 8)
        return sign * int(s)
    if _FLOAT.match(plain) and any(c.isdigit() for c in plain):
        return float(plain.replace("_", "").replace(",", ""))
    return plain


def _plain_source(fm_raw_lines: list[str], line0: int, col0: int, flow: bool = False) -> str | None:
    if line0 >= len(fm_raw_lines):
        return None
    text = fm_raw_lines[line0][col0:]
    if not text or text[0] in "\"'|>[{&*!":
        return None
    text = re.split(r"\s#", text, maxsplit=1)[0]
    if flow:  # inside [a, b] or {k: v} a plain scalar ends at the next indicator
        text = re.split(r"[,\]}]", text, maxsplit=1)[0]
    return text.strip()


def _as_jekyll(fm, key: Any, value: Any) -> Any:  # noqa: ANN001
    """A top-level plain scalar as Jekyll validates it: `published: yes` is true, `section: 010` is 8
    (FM105 warns about the difference; the schema checks what the site gets)."""
    if type(value) not in (str, int, float) and not type(value).__name__.startswith("Scalar"):
        return value
    try:
        ln, col = fm.data.lc.value(key)
    except (KeyError, TypeError):
        return value
    plain = _plain_source(fm.raw.split("\n"), ln, col)
    seen = psych_value(plain) if plain is not None else value
    return value if isinstance(seen, str) else seen


def _yaml11(page: Page, fm) -> Iterator[Diagnostic]:  # noqa: ANN001
    raw_lines = fm.raw.split("\n")
    first = fm.start_line + 1
    for key, value in fm.data.items():
        spots: list[tuple[Any, int, int]] = []
        flow = isinstance(value, CommentedSeq) and bool(value.fa.flow_style())
        if isinstance(value, CommentedSeq):
            for i, item in enumerate(value):
                try:
                    ln, col = value.lc.item(i)
                except (KeyError, TypeError):
                    continue
                spots.append((item, ln, col))
        elif not isinstance(value, CommentedMap):
            try:
                ln, col = fm.data.lc.value(key)
            except (KeyError, TypeError):
                continue
            spots.append((value, ln, col))
        for item, ln, col in spots:
            if type(item) not in (str, int, float) and not type(item).__name__.startswith("Scalar"):
                continue
            plain = _plain_source(raw_lines, ln, col, flow)
            if plain is None:
                continue
            seen_by_jekyll = psych_value(plain)
            if type(seen_by_jekyll) is type(item) and seen_by_jekyll == item:
                continue
            if isinstance(item, int | float) and not isinstance(item, bool) and seen_by_jekyll == item \
                    and not isinstance(seen_by_jekyll, bool):
                continue
            shown = {True: "true", False: "false", None: "nil"}.get(seen_by_jekyll, None) \
                if isinstance(seen_by_jekyll, bool) or seen_by_jekyll is None else repr(seen_by_jekyll)
            yield YAML11_VALUE(page.path, first + ln, col + 1,
                               f"'{key}': Jekyll (YAML 1.1) reads {plain} as {shown}, "
                               f"not {item!r}; quote it if you mean the text")


FAMILY = Family("front matter", "FM1", RULES, check_page=check_page)
