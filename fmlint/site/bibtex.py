"""BibTeX bibliographies, parsed once, and the citations pages make.

bibtexparser 2 splits a file into blocks (entries, `@string`, `@preamble`, `@comment`, free text)
and keeps going after a broken block; each block's line is found from its text (see
`located_blocks`). Its middlewares are not used: values are resolved here, the way BibTeX does it
(`{…}` and `"…"` delimiters, numbers, `@string` macros, the standard month macros `jan`…`dec`,
`#` concatenation), so that every field keeps its line, its text as written and the macro names
it could not resolve.

Citations come from the page model only: jekyll-scholar tags (`cite`, `nocite`, …) among the
page's Liquid nodes whose context is prose or HTML. Code, HTML comments and `{% raw %}` are not
citations (the Liquid scanner never yields nodes inside raw/comment blocks).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import bibtexparser
from bibtexparser import model as bibmodel

from fmlint.site.source import SourceFile

if TYPE_CHECKING:
    from fmlint.site.liquid import LiquidNode
    from fmlint.site.page import Page

# bibtexparser logs every recovered block as a warning; fmlint reports them as findings instead.
_LOG = logging.getLogger("bibtexparser")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False

# The month macros every standard BibTeX style defines (case-insensitive, like all macro names).
MONTHS = {m[:3]: m for m in ("january", "february", "march", "april", "may", "june", "july", "august",
                             "september", "october", "november", "december")}
MONTH_MACROS = {abbr: full.capitalize() for abbr, full in MONTHS.items()}

_IDENT = re.compile(r"[^\d\s\"#%'(),={}][^\s\"#%'(),={}]*")
_NUMBER = re.compile(r"\d+")
_FAILED_HEAD = re.compile(r"@\s*([A-Za-z]\w*)\s*[{(]\s*([^,\s{}()=]*)")
_BAD_KEY = re.compile(r"[\s\"#%'(),={}\\]")


@dataclass
class BibField:
    name: str  # lower-case, as BibTeX compares field names
    raw: str  # the value as written, delimiters included (`{Attention}`, `jan`, `"a" # b`)
    value: str  # resolved: delimiters removed, macros substituted, parts concatenated
    line: int  # of the field's name
    column: int = 1
    undefined: tuple[str, ...] = ()  # macro names the value uses that nothing defines
    problem: str | None = None  # a value BibTeX cannot read (e.g. a bare `12-15`)


@dataclass
class BibEntry:
    entry_type: str  # lower-case
    key: str
    line: int  # the `@type{key,` line
    end_line: int
    fields: dict[str, BibField] = field(default_factory=dict)  # first occurrence of each name
    repeated_fields: list[BibField] = field(default_factory=list)  # later occurrences (BibTeX keeps the first)
    written_type: str = ""  # the type as written, for messages

    def get(self, name: str) -> str | None:
        f = self.fields.get(name)
        return f.value if f is not None else None

    @property
    def crossref(self) -> str | None:
        value = self.get("crossref")
        return value.strip() if value and value.strip() else None


@dataclass
class BibProblem:
    """A part of the file BibTeX cannot read (becomes an FM501 finding)."""

    message: str
    line: int
    column: int = 1


@dataclass
class Bibliography:
    source: SourceFile
    entries: list[BibEntry] = field(default_factory=list)  # in file order, repeated keys included
    strings: dict[str, str] = field(default_factory=dict)  # lower-case macro name -> value
    problems: list[BibProblem] = field(default_factory=list)
    broken_keys: set[str] = field(default_factory=set)  # keys of entries that failed to parse
    undefined_in_strings: list[tuple[str, str, int]] = field(default_factory=list)  # (@string, macro, line)
    preambles: int = 0
    comments: int = 0

    @property
    def path(self):  # noqa: ANN201
        return self.source.path

    @property
    def display(self) -> str:
        return self.source.display

    @cached_property
    def by_key(self) -> dict[str, BibEntry]:
        """The first entry of each key (the one jekyll-scholar resolves a citation to)."""
        found: dict[str, BibEntry] = {}
        for e in self.entries:
            found.setdefault(e.key, e)
        return found

    def fields_with_crossref(self, entry: BibEntry) -> dict[str, BibField]:
        """The entry's fields plus those it inherits through `crossref` (BibTeX's inheritance).

        A missing `booktitle` is also provided by the parent's `title`, as biblatex and
        bibtex-ruby do for a proceedings or collection parent.
        """
        merged = dict(entry.fields)
        seen = {entry.key}
        by_key = self.by_key
        parent_key = entry.crossref
        while parent_key and parent_key not in seen and parent_key in by_key:
            seen.add(parent_key)
            parent = by_key[parent_key]
            for name, f in parent.fields.items():
                if name != "crossref":
                    merged.setdefault(name, f)
            if "title" in parent.fields:
                merged.setdefault("booktitle", parent.fields["title"])
            parent_key = parent.crossref
        return merged


# --- values ------------------------------------------------------------------------------------

@dataclass
class ValuePart:
    kind: str  # "braced", "quoted", "number", "macro"
    text: str  # inner text (without delimiters) or the number / macro name


def split_value(raw: str) -> list[ValuePart] | None:
    """Split a raw BibTeX value into its `#`-concatenated parts; None when it is malformed."""
    parts: list[ValuePart] = []
    i, n = 0, len(raw)
    expect_part = True
    while i < n:
        ch = raw[i]
        if ch.isspace():
            i += 1
            continue
        if not expect_part:
            if ch != "#":
                return None
            expect_part = True
            i += 1
            continue
        if ch == "{":
            depth, j = 0, i
            while j < n:
                if raw[j] == "{":
                    depth += 1
                elif raw[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if depth != 0:
                return None
            parts.append(ValuePart("braced", raw[i + 1 : j]))
            i = j + 1
        elif ch == '"':
            depth, j = 0, i + 1
            while j < n and not (raw[j] == '"' and depth == 0):
                if raw[j] == "{":
                    depth += 1
                elif raw[j] == "}":
                    depth -= 1
                j += 1
            if j >= n:
                return None
            parts.append(ValuePart("quoted", raw[i + 1 : j]))
            i = j + 1
        else:
            m = _NUMBER.match(raw, i)
            end = m.end() if m else i
            if m and (end >= n or raw[end].isspace() or raw[end] == "#"):
                parts.append(ValuePart("number", m.group(0)))
                i = end
            else:
                m = _IDENT.match(raw, i)
                if not m:
                    return None
                parts.append(ValuePart("macro", m.group(0)))
                i = m.end()
        expect_part = False
    if expect_part:  # empty, or ends with '#'
        return None
    return parts


def resolve(raw: str, strings: dict[str, str]) -> tuple[str, tuple[str, ...], str | None]:
    """(value, undefined macro names, problem) of a raw value, given the `@string` macros so far."""
    parts = split_value(raw)
    if parts is None:
        if not raw.strip():
            return "", (), "the field has no value: write `name = {…}`"
        return raw, (), (f"cannot read the value `{_short(raw)}`: write it as {{…}}, \"…\", a number "
                         "or a @string name")
    out: list[str] = []
    undefined: list[str] = []
    for p in parts:
        if p.kind == "macro":
            name = p.text.lower()
            if name in strings:
                out.append(strings[name])
            elif name in MONTH_MACROS:
                out.append(MONTH_MACROS[name])
            else:
                undefined.append(p.text)
        else:
            out.append(p.text)
    return "".join(out), tuple(undefined), None


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- parsing -----------------------------------------------------------------------------------

def parse_blocks(text: str) -> list[bibmodel.Block]:
    """bibtexparser's blocks for `text`, in file order, without its middlewares."""
    return list(bibtexparser.parse_string(text, parse_stack=[]).blocks)


@dataclass
class Located:
    block: bibmodel.Block
    line: int  # 1-based first line in the file
    end_line: int
    offset: int  # of the block's raw text in the file text (-1 when not found)


def located_blocks(text: str) -> list[Located]:
    """The blocks with their real lines.

    bibtexparser's own line counter skips a newline written right after a backslash (a LaTeX `\\`
    at the end of a line in an abstract), so every later line would be off; each block's raw text
    is found in the file instead.
    """
    out: list[Located] = []
    pos, pos_line = 0, 1  # a position in the text and its line, advanced block by block
    for block in parse_blocks(text):
        raw = block.raw if block.raw is not None else ""
        idx = text.find(raw, pos) if raw else -1
        if idx < 0:
            line = (block.start_line or 0) + 1
        else:
            line = pos_line + text.count("\n", pos, idx)
            pos, pos_line = idx + len(raw), line + raw.count("\n")
        out.append(Located(block, line, line + raw.rstrip().count("\n"), idx))
    return out


def field_positions(entry: bibmodel.Entry, first_line: int) -> list[tuple[int, int]]:
    """(line, column) of each field's name, found in the entry's raw text."""
    raw = entry.raw or ""
    found: list[tuple[int, int]] = []
    cursor = 0
    for f in entry.fields:
        m = re.compile(re.escape(f.key) + r"\s*=").search(raw, cursor)
        if m is None:
            found.append((first_line + ((f.start_line or 0) - (entry.start_line or 0)), 1))
            continue
        found.append((first_line + raw.count("\n", 0, m.start()), m.start() - raw.rfind("\n", 0, m.start())))
        value_at = raw.find(str(f.value), m.end())
        cursor = value_at + len(str(f.value)) if value_at >= 0 else m.end()
    return found


_FIELD_START = re.compile(r"[ \t]*[A-Za-z][\w:.-]*[ \t]*=")


def _unclosed_brace_line(raw: str, first_line: int) -> int | None:
    """The line of the `{` a failed block never closes (where the author must look), if one is found.

    A field value's `{` still open when a line starting with `name =` comes is the culprit; else
    the innermost `{` still open at the end of the block.
    """
    stack: list[int] = []
    line = first_line
    for i, ch in enumerate(raw):
        escaped = i > 0 and raw[i - 1] == "\\"
        if ch == "{" and not escaped:
            stack.append(line)
        elif ch == "}" and not escaped and stack:
            stack.pop()
        elif ch == "\n":
            line += 1
            if len(stack) >= 2 and _FIELD_START.match(raw, i + 1):
                return stack[-1]
    if len(stack) >= 2:  # the block's own `{` is the outermost
        return stack[-1]
    return None


def _failed_message(block: bibmodel.ParsingFailedBlock) -> str:
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    reason = " ".join(reason.replace("`", "'").split())
    return reason.rstrip(".")


_COMMENT_OPEN = re.compile(r"^[ \t]*@[ \t]*comment[ \t]*\{", re.IGNORECASE | re.MULTILINE)


def blank_comment_bodies(text: str) -> str:
    """`text` with the inside of every brace-balanced `@comment{…}` blanked (newlines kept).

    jekyll-scholar's parser (bibtex-ruby) reads `@comment{…}` as one balanced block, so an entry
    commented out inside it is not an entry; bibtexparser would stop at its `@` and read it.
    """
    out, pos = [], 0
    for m in _COMMENT_OPEN.finditer(text):
        if m.start() < pos:
            continue  # inside a comment already blanked
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth:
            break  # never closed: left for bibtexparser to report
        body = text[m.end(): i - 1]
        out += [text[pos: m.end()], re.sub(r"[^\n]", " ", body), "}"]
        pos = i
    return "".join(out) + text[pos:]


def parse_bibliography(source: SourceFile) -> Bibliography:
    bib = Bibliography(source)
    if source.problem is not None:
        return bib
    located = located_blocks(blank_comment_bodies(source.text))
    # Macros first: jekyll-scholar (bibtex-ruby) substitutes @string values wherever the @string
    # is written in the file, so an entry may use one defined below it.
    for loc in located:
        inner = loc.block.ignore_error_block if isinstance(loc.block, bibmodel.DuplicateBlockKeyBlock) else loc.block
        if isinstance(inner, bibmodel.String):
            _add_string(bib, inner, loc.line)
    for loc in located:
        block, line = loc.block, loc.line
        if isinstance(block, bibmodel.DuplicateBlockKeyBlock):
            if isinstance(block.ignore_error_block, bibmodel.Entry):
                _add_entry(bib, block.ignore_error_block, line)
            continue
        if isinstance(block, bibmodel.DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block,
                                                                              bibmodel.Entry):
            _add_entry(bib, block.ignore_error_block, line)
            continue
        if isinstance(block, bibmodel.ParsingFailedBlock):
            raw = block.raw or ""
            head = _FAILED_HEAD.match(raw)
            if head and head.group(1).lower() in ("string", "preamble", "comment"):
                what = f"this @{head.group(1).lower()}"
            elif head and head.group(2):
                what = f"entry '{head.group(2)}'"
                bib.broken_keys.add(head.group(2))
            else:
                what = "this block"
            reason = _failed_message(block)
            where = _unclosed_brace_line(raw, line)
            if where is not None and where != line:
                bib.problems.append(BibProblem(
                    f"BibTeX cannot read {what}: a '{{' opened on this line is never closed; add its '}}'",
                    where))
            elif reason.startswith("Unexpectedly reached end of file"):
                bib.problems.append(BibProblem(
                    f"BibTeX cannot read {what}: the file ends before its closing '}}'; close it", line))
            else:
                bib.problems.append(BibProblem(f"BibTeX cannot read {what}: {reason}; fix its syntax", line))
            continue
        if isinstance(block, bibmodel.Entry):
            _add_entry(bib, block, line)
        elif isinstance(block, bibmodel.Preamble):
            bib.preambles += 1
        elif isinstance(block, bibmodel.ExplicitComment):
            bib.comments += 1
    return bib


def _add_string(bib: Bibliography, block: bibmodel.String, line: int) -> None:
    value, undefined, problem = resolve(str(block.value), bib.strings)
    if problem:
        bib.problems.append(BibProblem(f"@string{{{block.key}}}: {problem}", line))
    for name in undefined:
        bib.undefined_in_strings.append((block.key, name, line))
    bib.strings[block.key.lower()] = value


def _add_entry(bib: Bibliography, block: bibmodel.Entry, line: int) -> None:
    raw = block.raw or ""
    entry = BibEntry(entry_type=block.entry_type.lower(), key=block.key.strip(), line=line,
                     end_line=line + raw.rstrip().count("\n"), written_type=block.entry_type)
    if not entry.key:
        bib.problems.append(BibProblem(
            f"@{entry.written_type} entry has no key: write `@{entry.written_type}{{key,`", line))
        return
    if _BAD_KEY.search(entry.key):
        bib.problems.append(BibProblem(
            f"key '{_short(entry.key)}' contains a space or a character BibTeX keys cannot hold; "
            "use letters, digits and - _ : . only", line))
        bib.broken_keys.add(entry.key)
        return
    for f, (fline, fcol) in zip(block.fields, field_positions(block, line)):
        name = f.key.strip().lower()
        if not name or _BAD_KEY.search(name):
            bib.problems.append(BibProblem(
                f"field name '{_short(f.key)}' in '{entry.key}' is not valid: check for a missing comma",
                fline, fcol))
            continue
        value, undefined, problem = resolve(str(f.value), bib.strings)
        bf = BibField(name, str(f.value), value, fline, fcol, undefined, problem)
        if name in entry.fields:
            entry.repeated_fields.append(bf)
        else:
            entry.fields[name] = bf
    bib.entries.append(entry)


# --- citations in pages ------------------------------------------------------------------------

# jekyll-scholar tags that name entries, and whether their output links into the page's
# `{% bibliography %}` list (a `cite` renders `<a href="#key">`; `nocite` only adds to --cited).
CITING_TAGS = {"cite": True, "nocite": True, "quote": True, "reference": False, "cite_details": False}
# Tags whose keys are every token up to the first option (jekyll-scholar's split_arguments);
# the others take exactly one key, then options.
_MULTI_KEY_TAGS = {"cite", "nocite"}
# Options taking a file: the keys then resolve in that file, not the handbook's bibliography.
_FILE_OPTIONS = {"-f", "--file"}


@dataclass(frozen=True)
class Citation:
    key: str
    tag: str  # cite, nocite, quote, reference, cite_details
    line: int
    column: int
    other_file: bool = False  # written with --file: resolved against another bibliography


def _position(node: LiquidNode, offset: int) -> tuple[int, int]:
    """Page (line, column) of `offset` into the node's source text."""
    before = node.source[:offset]
    breaks = before.count("\n")
    if breaks:
        return node.line + breaks, offset - before.rfind("\n")
    return node.line, node.column + offset


def page_citations(page: Page) -> list[Citation]:
    """Every key the page cites, at the key's own line and column, from prose and HTML only."""
    found: list[Citation] = []
    for node in page.liquid_in("content", "html"):
        if node.kind != "tag" or node.name not in CITING_TAGS:
            continue
        source = node.source or node.markup
        start = source.find(node.name) + len(node.name)
        end = source.rfind("%}")
        end = len(source) if end < start else end - (1 if source[end - 1] == "-" else 0)
        tokens = [(m.group(0), m.start() + start) for m in re.finditer(r"\S+", source[start:end])]
        keys: list[tuple[str, int]] = []
        for tok, off in tokens:
            if tok.startswith("-"):
                break
            keys.append((tok, off))
            if node.name not in _MULTI_KEY_TAGS:
                break
        other_file = any(tok in _FILE_OPTIONS or tok.startswith("--file=") for tok, _ in tokens)
        for key, off in keys:
            if "{{" in key or "}}" in key or "%}" in key:
                continue  # a Liquid variable: only known when Jekyll renders the page
            line, column = _position(node, off)
            found.append(Citation(key, node.name, line, column, other_file))
    return found


def bibliography_tags(page: Page) -> list[LiquidNode]:
    """The page's `{% bibliography … %}` tags in prose or HTML (where jekyll-scholar prints the list)."""
    return [n for n in page.liquid_in("content", "html") if n.kind == "tag" and n.name == "bibliography"]
