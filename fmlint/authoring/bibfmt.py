"""`fmlint bib fmt`: one stable layout for BibTeX files, never losing a field, entry or comment.

The layout: blocks in their original order, one blank line between them (a comment written right
above a block stays right above it); entry types and field names in lower case; fields in a
conventional order (people, title, venue, numbers, year, identifiers, then the rest as written),
two-space indentation, `name = value,` with a trailing comma; values in braces (`"…"` and bare
numbers become `{…}`), `@string` and month macros and `#` concatenations kept; the text inside a
value is never touched. A file BibTeX cannot read is left alone.

Before anything is returned, the result is parsed again and compared with the input (entries,
fields, values, strings, preambles, comments); a difference is an error, never a silent loss.
"""

from __future__ import annotations

from dataclasses import dataclass

from bibtexparser import model as bibmodel

from fmlint.site.bibtex import (MONTH_MACROS, Located, blank_comment_bodies, field_positions, located_blocks,
                                split_value)

# The conventional order of fields; others follow in the order they were written.
FIELD_ORDER = (
    "author", "editor", "title", "subtitle", "booktitle", "journal", "series", "edition", "volume", "number",
    "chapter", "pages", "publisher", "school", "institution", "organization", "address", "howpublished",
    "type", "year", "month", "date", "note", "doi", "eprint", "archiveprefix", "primaryclass", "isbn", "issn",
    "url", "urldate", "crossref",
)
_RANK = {name: i for i, name in enumerate(FIELD_ORDER)}
INDENT = "  "


class BibFormatError(Exception):
    """The file cannot be formatted (a syntax error, or a result that would differ in content)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def _unwrap(block: bibmodel.Block, line: int = 0) -> bibmodel.Block:
    """Entries with a repeated key or field are still entries: format them, drop nothing."""
    if isinstance(block, (bibmodel.DuplicateBlockKeyBlock, bibmodel.DuplicateFieldKeyBlock)):
        inner = block.ignore_error_block
        if inner is not None:
            return inner
    if isinstance(block, bibmodel.ParsingFailedBlock):
        raise BibFormatError(line or (block.start_line or 0) + 1,
                             "BibTeX cannot read this block; fix it first (fmlint check reports why)")
    return block


def _balanced(text: str) -> bool:
    """Braces balanced whether or not `\\{` counts (BibTeX counts it; bibtexparser does not)."""
    for skip_escaped in (False, True):
        depth = 0
        for i, ch in enumerate(text):
            if skip_escaped and i > 0 and text[i - 1] == "\\":
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth < 0:
                    return False
        if depth:
            return False
    return True


def format_value(raw: str, line: int = 1) -> str:
    parts = split_value(raw)
    if parts is None:
        raise BibFormatError(line, f"the value `{' '.join(raw.split())[:40]}` is not {{…}}, \"…\", a number or "
                                   "a @string name; fix it first (fmlint check reports it)")
    out: list[str] = []
    for p in parts:
        if p.kind == "braced":
            out.append("{" + p.text + "}")
        elif p.kind in ("quoted", "number"):
            out.append("{" + p.text + "}" if _balanced(p.text) else '"' + p.text + '"')
        else:
            out.append(p.text.lower() if p.text.lower() in MONTH_MACROS else p.text)
    return " # ".join(out)


def _value_view(raw: str) -> tuple:
    parts = split_value(raw)
    if parts is None:
        return ("raw", raw.strip())
    return tuple(("macro", p.text.lower()) if p.kind == "macro" else ("text", p.text) for p in parts)


def _comment_text(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


@dataclass
class _Piece:
    text: str
    first: int  # original lines, to keep a comment attached to the block below it
    last: int
    implicit_comment: bool = False


def _blocks(text: str) -> list[tuple[Located, str]]:
    """The blocks as jekyll-scholar reads them (an `@comment{…}` is one balanced block, even with
    an entry inside it), each with its raw text as written."""
    located = located_blocks(blank_comment_bodies(text))  # same length: offsets are the file's
    out = []
    for loc in located:
        raw = loc.block.raw or ""
        out.append((loc, text[loc.offset:loc.offset + len(raw)] if loc.offset >= 0 else raw))
    return out


def _render(block: bibmodel.Block, line: int, raw: str = "") -> str:
    if isinstance(block, bibmodel.Entry):
        located = [(f, pos[0]) for f, pos in zip(block.fields, field_positions(block, line))]
        located.sort(key=lambda fl: _RANK.get(fl[0].key.strip().lower(), len(_RANK)))
        lines = [f"@{block.entry_type.lower()}{{{block.key.strip()},"]
        lines += [f"{INDENT}{f.key.strip().lower()} = {format_value(str(f.value), fline)}," for f, fline in located]
        return "\n".join(lines) + "\n}"
    if isinstance(block, bibmodel.String):
        return f"@string{{{block.key.strip()} = {format_value(str(block.value), line)}}}"
    if isinstance(block, bibmodel.Preamble):
        return f"@preamble{{{str(block.value).strip()}}}"
    if isinstance(block, bibmodel.ExplicitComment):
        return (raw or block.raw or f"@comment{{{block.comment}}}").strip()
    if isinstance(block, bibmodel.ImplicitComment):
        return _comment_text(str(block.comment))
    raise BibFormatError(line, f"unexpected block {type(block).__name__}")


def content_view(text: str) -> list[tuple]:
    """What a bibliography says, independent of layout: compared before and after formatting."""
    view: list[tuple] = []
    for loc, raw in _blocks(text):
        block = _unwrap(loc.block, loc.line)
        if isinstance(block, bibmodel.Entry):
            fields = sorted((f.key.strip().lower(), _value_view(str(f.value))) for f in block.fields)
            view.append(("entry", block.entry_type.lower(), block.key.strip(), tuple(fields)))
        elif isinstance(block, bibmodel.String):
            view.append(("string", block.key.strip(), _value_view(str(block.value))))
        elif isinstance(block, bibmodel.Preamble):
            view.append(("preamble", str(block.value).strip()))
        elif isinstance(block, bibmodel.ExplicitComment):
            view.append(("comment", " ".join(raw.split())))
        elif isinstance(block, bibmodel.ImplicitComment):
            view.append(("text", _comment_text(str(block.comment))))
    return view


def format_bibtex(text: str) -> str:
    """The formatted text of a bibliography (LF line endings, ending with one newline)."""
    pieces: list[_Piece] = []
    for loc, raw in _blocks(text):
        block = _unwrap(loc.block, loc.line)
        pieces.append(_Piece(_render(block, loc.line, raw), loc.line, loc.end_line,
                             isinstance(block, bibmodel.ImplicitComment)))
    out: list[str] = []
    for i, piece in enumerate(pieces):
        out.append(piece.text)
        if i + 1 < len(pieces):
            attached = piece.implicit_comment and pieces[i + 1].first == piece.last + 1
            out.append("\n" if attached else "\n\n")
    result = "".join(out).rstrip("\n") + "\n" if pieces else ""
    if content_view(result) != content_view(text):
        raise BibFormatError(1, "formatting would change what the bibliography says; left unchanged "
                                "(please report this file)")
    return result
