"""`fmlint fmt`: handbook pages through mdformat, with everything Jekyll needs kept as written.

Jekyll renders Liquid first and then kramdown, which knows syntax CommonMark does not. Plain
mdformat therefore damages a handbook page: it escapes `[text]({{ '/a/' | relative_url }})` to
`\\[text\\](…)`, escapes inline HTML whose attribute holds `{{ "…" }}`, re-indents HTML blocks
separated by lines that hold only spaces (the index's card grid), and rewrites `$$…$$` math.

So before mdformat sees a page's body:

- **inline spans** become inert placeholders (`fmlintph7z`, `~fmlintph8z~`), put back afterwards:
  every Liquid tag and output (a `{% raw %}`, `{% comment %}` or `{% highlight %}` block as one
  span), kramdown math `$$…$$`, IALs (`{: .cls}`, `{#id}`), character references (`&nbsp;`) and the
  two spaces of a hard line break;
- **regions**, runs of whole top-level blocks, are kept byte for byte: raw HTML (and everything up
  to the tag that closes an element it opens, as kramdown reads it), tables, indented code, display
  math, footnote and abbreviation definitions, a block glued to a standalone IAL line, and lists
  that kramdown reads otherwise than CommonMark (`1)` items, lists of mixed markers, loose lists
  not spaced throughout; see `kramdown_lists`), and blocks glued together without a blank line
  that kramdown would read otherwise once spaced (`glued_blocks`, `swallowed_containers`). The
  rendering check below uses markdown-it, which cannot see those differences.

The front matter is never parsed or re-dumped: its lines are copied. A page is written only when the
result renders to the same HTML (markdown-it, Liquid replaced as the site model does), keeps every
Liquid construct in order, and formats to itself again.
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from fmlint.authoring import _mdformat, io
from fmlint.authoring.bibfmt import BibFormatError, format_bibtex
from fmlint.config import Config, ConfigError
from fmlint.site import liquid
from fmlint.site.html import VOID, HtmlCollector
from fmlint.site.page import markdown_parser
from fmlint.site.site import BIB_SUFFIX, PAGE_SUFFIXES, SKIP_DIRS
from fmlint.site.source import display_path

__all__ = ["FileResult", "FormatRefused", "collect_files", "format_bibliography",
           "format_files", "format_page", "format_text"]

_FM_OPEN = re.compile(r"^---[ \t]*$")
_FM_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_IAL = re.compile(r"\{:[^}\n]*\}|\{#[A-Za-z][\w:.-]*\}")
_IAL_LINE = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$")
_CHAR_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HARD_BREAK = re.compile(r"[ \t]{2,}$")
_CONTAINER_START = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|^ {0,3}>")
# kramdown block syntax CommonMark reads as a paragraph (mdformat would escape its brackets)
_KRAMDOWN_DEFINITION = re.compile(r"^ {0,3}(?:\[\^[^\]\n]+\]:|\*\[[^\]\n]+\]:)")
# left open, these end where their parent does, so they do not keep a region open
_IMPLIED_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
                "colgroup", "caption", "rt", "rp", "html", "head", "body"}


class FormatRefused(Exception):
    """The page was left as it is: formatting it could change what it shows (the message says why)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def format_text(path: Path | str, text: str) -> str:
    """The formatted text of the file at `path` ("\\n" line endings, no BOM), by its kind."""
    if str(path).endswith(".bib"):
        return format_bibliography(text)
    return format_page(text)


def format_page(text: str) -> str:
    """A Markdown page, formatted; its front matter lines are copied exactly. Raises FormatRefused."""
    lines = text.split("\n")
    if lines and _FM_OPEN.match(lines[0]):
        end = next((i for i in range(1, len(lines)) if _FM_CLOSE.match(lines[i])), None)
        if end is None:
            raise FormatRefused("front matter opened with '---' is never closed", 1)
        head = "\n".join(lines[: end + 1]) + "\n"
        body = format_body("\n".join(lines[end + 1 :]), first_line=end + 2)
        return head + ("\n" + body if body else "")
    return format_body(text)


def format_body(body: str, first_line: int = 1) -> str:
    """Markdown without front matter (page line `first_line` first), formatted safely."""
    new = _format_once(body, first_line)
    if new == body.lstrip("\n"):  # only blank lines at the top dropped: nothing to check
        return new
    before, after = liquid.scan(body, first_line), liquid.scan(new, first_line)
    if [body[n.start : n.end] for n in before.nodes] != [new[n.start : n.end] for n in after.nodes]:
        raise FormatRefused("formatting would change a Liquid tag or output; left as it is")
    if _html(body, before) != _html(new, after):
        raise FormatRefused("formatting would change how the page renders; left as it is "
                            "(please report this page to the fmlint maintainers)")
    if _format_once(new, first_line) != new:
        raise FormatRefused("formatting is not stable for this page (a second run would change it again); "
                            "left as it is")
    return new


# --- files ---------------------------------------------------------------------------------------

@dataclass
class FileResult:
    """One file's outcome: its text before and after (None when it was left alone), or why not."""

    path: Path
    display: str
    old: str = ""
    new: str | None = None
    error: str | None = None
    line: int | None = None

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old


def format_files(files: Iterable[Path]) -> list[FileResult]:
    """Format each file's text in memory (nothing is written; see fmlint.authoring.io for that)."""
    results = []
    for path in files:
        result = FileResult(path, display_path(path))
        try:
            result.old = io.read_text(path).text
        except UnicodeDecodeError:
            result.error = "not valid UTF-8; left as it is"
        except OSError as exc:
            result.error = f"cannot read: {exc.strerror or exc}"
        else:
            try:
                result.new = format_text(path, result.old)
            except FormatRefused as exc:
                result.error, result.line = str(exc), exc.line
        results.append(result)
    return results


def collect_files(paths: Iterable[Path], root: Path, config: Config) -> tuple[list[Path], list[Path]]:
    """The handbook pages and bibliographies under `paths`, and the named files left out (not in a handbook).

    Only files inside the handbooks folder (and the configured shared bibliography) are formatted:
    fmt never touches the rest of a site (README, layouts, drafts elsewhere).
    """
    handbooks = (root / config.handbooks_dir).resolve()
    shared_bib = (root / config.bibliography).resolve() if config.bibliography else None
    found: dict[Path, None] = {}
    outside: list[Path] = []

    def wanted(path: Path) -> bool:
        return path.suffix in (*PAGE_SUFFIXES, BIB_SUFFIX) and (handbooks in path.parents or path == shared_bib)

    for given in paths:
        if not given.exists():
            raise ConfigError(f"{given}: no such file or directory")
        resolved = given.resolve()
        if resolved.is_file():
            if wanted(resolved):
                found[resolved] = None
            else:
                outside.append(given)
            continue
        for path in sorted(resolved.rglob("*")):
            rel = path.relative_to(resolved).parts[:-1]
            if any(part in SKIP_DIRS or part.startswith(".") for part in rel):
                continue
            if path.is_file() and wanted(path.resolve()):
                found[path.resolve()] = None
    return sorted(found), outside


# --- bibliographies -----------------------------------------------------------------------------

def format_bibliography(text: str) -> str:
    """A .bib file's text as `fmlint bib fmt` writes it (the one formatter for both commands)."""
    try:
        return format_bibtex(text)
    except BibFormatError as exc:
        raise FormatRefused(exc.message, exc.line) from exc


# --- one pass -----------------------------------------------------------------------------------

def _format_once(body: str, first_line: int) -> str:
    if "\r" in body:
        raise FormatRefused("the file has a carriage return that is not part of a CRLF line ending; "
                            "fmt leaves such files alone", first_line + body.count("\n", 0, body.index("\r")))
    if not body.strip():
        return ""
    scan = liquid.scan(body, first_line)
    if scan.errors:
        err = scan.errors[0]
        raise FormatRefused(f"Liquid syntax error ({err.message}); fix it before formatting", err.line)
    plan = _Protection(body, scan)
    text, regions, spans = plan.build()
    out = _mdformat.render(text, regions)
    used = [0] * len(spans)

    def put_back(m: re.Match[str]) -> str:
        span = spans[int(m.group(2))]
        left, right = m.group(1) or "", m.group(3) or ""
        if not left.endswith(span.left) or not right.startswith(span.right):
            return m.group(0)  # a wrapper went missing: reported below
        used[int(m.group(2))] += 1
        return left[: len(left) - len(span.left)] + span.text + right[len(span.right) :]

    out = re.sub(r"([~ ]?)" + re.escape(plan.prefix) + r"(\d+)z(~?)", put_back, out)
    if any(n != 1 for n in used):
        raise FormatRefused("could not keep a protected construct in place; left as it is")
    for region in plan.region_texts:
        if region not in out:
            raise FormatRefused("could not keep a block of HTML or math as written; left as it is")
    return out


def _html(body: str, scan: liquid.LiquidScan) -> str:
    """The page's HTML as markdown-it renders it, Liquid substituted as the site model does, whitespace-normalised."""
    html = markdown_parser(footnotes=False).render(liquid.substitute(body, scan).text)
    html = re.sub(r"\s+", " ", html)
    html = html.replace("<p> ", "<p>").replace(" </p>", "</p>")
    html = re.sub(r"(</[a-zA-Z][-a-zA-Z0-9]*>) ", r"\1", html)
    html = re.sub(r" (<[a-zA-Z][-a-zA-Z0-9]*>)", r"\1", html)
    return html.replace("<p></p>", "").strip()


@dataclass(frozen=True)
class _Span:
    """A protected inline span: its text, and the placeholder's wrappers ("~" or " ") that give
    the placeholder the same kind of first and last character (punctuation, space, letter) as the
    span has for the Markdown parser, so emphasis next to it parses the same."""

    text: str
    left: str
    right: str


@dataclass
class _Block:
    start: int  # 0-based body lines, end exclusive
    end: int
    token: Token


class _Protection:
    """Finds what mdformat must not touch in one body and builds the text mdformat sees."""

    def __init__(self, body: str, scan: liquid.LiquidScan) -> None:
        self.body = body
        self.nodes = scan.nodes
        self.starts = [0] + [m.end() for m in re.finditer("\n", body)]
        # the Markdown structure as the site model sees it (same lines as the body)
        self.sub_text = liquid.substitute(body, scan).text
        self.tokens = markdown_parser(footnotes=False).parse(self.sub_text)
        self.blocks = [_Block(t.map[0], t.map[1], t) for t in self.tokens
                       if t.level == 0 and t.nesting >= 0 and t.map]
        self.code_lines: set[int] = set()
        self.html_lines: set[int] = set()
        for t in self.tokens:
            if t.map and t.type in ("fence", "code_block"):
                self.code_lines.update(range(*t.map))
            elif t.map and t.type == "html_block":
                self.html_lines.update(range(*t.map))
        prefix = "fmlintph"
        while prefix in body:  # "f" occurs once in the prefix, so no match can straddle a placeholder
            prefix += "q"
        self.prefix = prefix
        self.region_texts: list[str] = []

    # --- positions --------------------------------------------------------------------------------
    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def line_end(self, line: int) -> int:
        return self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.body)

    def line_text(self, line: int) -> str:
        return self.body[self.starts[line] : self.line_end(line)] if 0 <= line < len(self.starts) else ""

    def blank(self, line: int) -> bool:
        return not self.line_text(line).strip()

    # --- what to protect ----------------------------------------------------------------------------
    def liquid_spans(self) -> list[tuple[int, int]]:
        """Every Liquid construct; a raw, comment or highlight block (its body is not Markdown) as a whole."""
        spans = [(node.start, node.end) for node in self.nodes]
        for i, node in enumerate(self.nodes):
            if node.kind == "tag" and node.name in ("raw", "comment", "highlight"):
                end = next((n for n in self.nodes[i + 1 :] if n.name == "end" + node.name), None)
                if end is not None:
                    spans.append((node.start, end.end))
        return spans

    def text_spans(self) -> list[tuple[int, int]]:
        """Math, IALs, character references and hard-break spaces in paragraphs and headings."""
        spans = []
        for i, tok in enumerate(self.tokens):
            if tok.type != "inline" or not tok.map:
                continue
            first, last = tok.map[0], tok.map[1] - 1
            base = self.starts[first]
            seg = self.body[base : self.line_end(last)]
            code = _code_spans(seg)
            spans += [(base + s, base + e) for s, e in _math_spans(seg, code)]
            for rx in (_IAL, _CHAR_REF):
                spans += [(base + m.start(), base + m.end()) for m in rx.finditer(seg) if not _inside(m.start(), code)]
            if self.tokens[i - 1].type != "paragraph_open":
                continue  # mdformat writes a break in a heading as <br />, which kramdown keeps too
            for line in range(first, last):  # a hard break needs a following line of the same block
                m = _HARD_BREAK.search(self.line_text(line))
                if m:
                    spans.append((self.starts[line] + m.start(), self.starts[line] + m.end()))
        return spans

    def seeds(self) -> list[tuple[int, int]]:
        """Line ranges that must stay as written (before widening to whole top-level blocks)."""
        seeds = [tuple(t.map) for t in self.tokens
                 if t.map and t.type in ("html_block", "code_block", "table_open")]
        seeds += self.open_html()
        seeds += self.kramdown_lists()
        seeds += self.glued_blocks()
        seeds += self.swallowed_containers()
        for block in self.blocks:
            text = self.line_text(block.start)
            if block.token.type in ("paragraph_open", "heading_open") and text.lstrip(" ").startswith("$$"):
                seeds += self.display_math(block.start)
            if _KRAMDOWN_DEFINITION.match(text):
                seeds.append((block.start, block.end))
        n = len(self.starts)
        for line in range(n):
            if line in self.code_lines or line in self.html_lines or not _IAL_LINE.match(self.line_text(line)):
                continue
            para = next((b for b in self.blocks if b.start <= line < b.end and b.token.type == "paragraph_open"), None)
            glued_above = line > 0 and not self.blank(line - 1) and not (para and para.start < line)
            glued_below = line + 1 < n and not self.blank(line + 1) and not (para and para.end > line + 1)
            if para is None or glued_above or glued_below:
                seeds.append((line - 1 if glued_above else line, line + 2 if glued_below else line + 1))
        return seeds

    def kramdown_lists(self) -> list[tuple[int, int]]:
        """Lists that mdformat would write so that kramdown reads them differently (CommonMark reads
        both versions alike, so the rendering check cannot see it):

        - `1)` items: kramdown knows only `1.`, so they are a paragraph there, and mdformat would
          make them a list (and write a list right after them with `1)`, a paragraph for kramdown);
        - a list right after a list of the same kind (another bullet or delimiter): one list for
          kramdown, which mdformat would split with blank lines (a loose list for kramdown);
        - a loose list whose items are not all separated by blank lines: kramdown wraps in `<p>` only
          the items a blank line follows or fills, and mdformat would put a blank line after every one.
        """
        seeds: list[tuple[int, int]] = []
        tokens = self.tokens
        kinds = ("bullet_list_open", "ordered_list_open")
        for i, tok in enumerate(tokens):
            if tok.type not in kinds or not tok.map:
                continue
            close = next(j for j in range(i + 1, len(tokens))
                         if tokens[j].level == tok.level and tokens[j].type == tok.type.replace("_open", "_close"))
            following = tokens[close + 1] if close + 1 < len(tokens) else None
            items = [t for t in tokens[i + 1:close] if t.type == "list_item_open" and t.level == tok.level + 1 and t.map]
            loose = any(t.type == "paragraph_open" and t.level == tok.level + 2 and not t.hidden
                        for t in tokens[i + 1:close])
            if tok.markup == ")":
                seeds.append((tok.map[0], tok.map[1]))
            if following is not None and following.type == tok.type and following.map:
                seeds.append((tok.map[0], following.map[1]))
            if loose and any(not self.blank(b.map[0] - 1) for b in items[1:]):
                seeds.append((tok.map[0], tok.map[1]))
        return seeds

    def glued_blocks(self) -> list[tuple[int, int]]:
        """Two top-level blocks with no blank line between them, kept as written when kramdown reads
        them otherwise than CommonMark once mdformat puts a blank line between them: kramdown needs a
        blank line before a table, a `$$` block and a setext heading, continues a list, a quote, a
        table or a `$$` block with the lines glued under it, and reads an HTML block or a `***` rule
        glued under a paragraph as more of the paragraph."""
        # a setext heading over several lines is a paragraph and a line of `=` for kramdown
        seeds = [(b.start, b.end) for b in self.blocks
                 if b.token.type == "heading_open" and b.token.markup in ("=", "-") and b.end - b.start > 2]
        run: tuple[int, int] | None = None  # the glued run kept so far: what is glued to it stays too
        for a, b in zip(self.blocks, self.blocks[1:]):
            if self.blank(b.start - 1):
                run = None
                continue
            if run is not None:
                run = (run[0], b.end)
                seeds.append(run)
                continue
            needs_blank_before = (b.token.type == "table_open" or self.is_math(b)
                                  or (b.token.type == "heading_open" and b.token.markup in ("=", "-")))
            swallows_next = (a.token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open", "table_open")
                             or self.is_math(a))
            continues_paragraph = a.token.type == "paragraph_open" and b.token.type in ("html_block", "hr")
            if needs_blank_before or swallows_next or continues_paragraph:
                run = (a.start, b.end)
                seeds.append(run)
        return seeds

    def swallowed_containers(self) -> list[tuple[int, int]]:
        """An HTML block that ends with a list item or quote glued under its closing tag: CommonMark
        reads that line as more HTML, kramdown as a list or quote that the indented blocks below
        continue, so mdformat must not move those blocks left."""
        seeds = []
        for i, block in enumerate(self.blocks):
            if block.token.type != "html_block":
                continue
            last = block.end - 1
            while last > block.start and self.blank(last):
                last -= 1
            if last == block.start or not _CONTAINER_START.match(self.line_text(last)):
                continue
            end = block.end
            for below in self.blocks[i + 1:]:
                if self.line_text(below.start)[:1] not in (" ", "\t"):
                    break
                end = below.end
            if end > block.end:
                seeds.append((block.start, end))
        return seeds

    def is_math(self, block: _Block) -> bool:
        return (block.token.type in ("paragraph_open", "heading_open")
                and self.line_text(block.start).lstrip(" ").startswith("$$"))

    def display_math(self, line: int) -> list[tuple[int, int]]:
        # kramdown: a block starting with `$$` is a math block up to the next `$$`, when only
        # whitespace follows that on its line (otherwise it is a paragraph with inline math).
        opening = self.starts[line] + self.line_text(line).index("$$")
        close = self.body.find("$$", opening + 2)
        if close < 0:
            return []
        last = self.line_of(close)
        if self.body[close + 2 : self.line_end(last)].strip():
            return []
        if any(x in self.code_lines for x in range(line, last + 1)):
            return []
        return [(line, last + 1)]

    def open_html(self) -> list[tuple[int, int]]:
        """Top-level blocks inside an HTML element left open by an earlier HTML block (kramdown keeps them raw)."""
        seeds = []
        html = HtmlCollector()
        sub_lines = self.sub_text.split("\n")
        for block in self.blocks:
            if any(el.tag not in _IMPLIED_END and el.tag not in VOID for el in html.unclosed):
                seeds.append((block.start, block.end))
            if block.token.type == "html_block":
                html.feed_chunk("\n".join(sub_lines[block.start : block.end]) + "\n", block.start + 1, None)
        return seeds

    # --- regions and the text for mdformat ----------------------------------------------------------
    def widen(self, start: int, end: int) -> tuple[int, int]:
        for block in self.blocks:
            if block.start < end and start < block.end:
                start, end = min(start, block.start), max(end, block.end)
        return start, end

    def merge(self, ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        ranges = list(ranges)
        while True:
            merged: list[tuple[int, int]] = []
            for start, end in sorted(self.widen(s, e) for s, e in ranges):
                if merged and (start <= merged[-1][1] or all(self.blank(x) for x in range(merged[-1][1], start))):
                    merged[-1] = self.widen(merged[-1][0], max(end, merged[-1][1]))
                else:
                    merged.append((start, end))
            lists = self.neighbour_lists(merged)
            if not lists:
                break
            ranges = merged + lists
        trimmed = []
        for start, end in merged:  # a list's last line may be a blank one; blank lines are mdformat's
            while end > start + 1 and self.blank(end - 1):
                end -= 1
            trimmed.append((start, end))
        return trimmed

    def neighbour_lists(self, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Lists next to a list kept as written: mdformat alternates the markers of consecutive lists
        (`-`, `*`) so that they stay apart, which it cannot do against a list it does not write."""
        extra = []
        kinds = ("bullet_list_open", "ordered_list_open")
        for a, b in regions:
            inside = [i for i, blk in enumerate(self.blocks) if a <= blk.start < b]
            if not inside:
                continue
            for edge, near in ((inside[0], inside[0] - 1), (inside[-1], inside[-1] + 1)):
                if not 0 <= near < len(self.blocks):
                    continue
                kind, other = self.blocks[edge].token.type, self.blocks[near]
                if kind in kinds and other.token.type == kind and not a <= other.start < b:
                    extra.append((other.start, other.end))
        return extra

    def wrappers(self, start: int, end: int) -> tuple[str, str]:
        """What the Markdown parser sees at the span's ends: a Liquid output of a URL is its path,
        other Liquid an inert marker (as in the site model), anything else its own characters."""
        first = self.body[start]
        last = self.body[end - 1]
        for node in self.nodes:
            if node.start == start:
                first = (node.url or "x")[:1] or "x"
            if node.end == end:
                last = (node.url or "x")[-1:] or "x"
        return _wrapper(first, left=True), _wrapper(last, left=False)

    def build(self) -> tuple[str, dict[int, int], list[_Span]]:
        spans = _union(self.liquid_spans() + self.text_spans())
        seeds = self.seeds()
        headings = [t.map for t in self.tokens if t.type == "heading_open" and t.map]
        for s, e in spans:
            first, last = self.line_of(s), self.line_of(e - 1)
            if first == last:
                continue
            # a span over several top-level blocks keeps them all as written; so does a (setext)
            # heading, which mdformat writes on one line
            if (not any(b.start <= first and last < b.end for b in self.blocks)
                    or any(a <= last and first < b for a, b in headings)):
                seeds.append((first, last + 1))
        regions = self.merge(seeds)
        while True:  # a span that starts or ends inside a region joins it
            crossing = [(self.line_of(s), self.line_of(e - 1) + 1) for s, e in spans
                        if any(_partly_inside(self.line_of(s), self.line_of(e - 1), r) for r in regions)]
            if not crossing:
                break
            regions = self.merge(regions + crossing)
        events = [(self.starts[a], self.line_end(b - 1), "region") for a, b in regions]
        events += [(s, e, "span") for s, e in spans
                   if not any(r[0] <= self.line_of(s) < r[1] for r in regions)]
        parts: list[str] = []
        region_map: dict[int, int] = {}
        span_texts: list[_Span] = []
        pos, out_line = 0, 0
        for start, end, kind in sorted(events):
            gap = self.body[pos:start]
            parts.append(gap)
            out_line += gap.count("\n")
            original = self.body[start:end]
            if kind == "region":
                region_map[out_line] = out_line + original.count("\n") + 1
                self.region_texts.append(original)
                parts.append(original)
                out_line += original.count("\n")
            else:
                left, right = self.wrappers(start, end)
                parts.append(f"{left}{self.prefix}{len(span_texts)}z{right}")
                span_texts.append(_Span(original, left, right))
            pos = end
        parts.append(self.body[pos:])
        return "".join(parts), region_map, span_texts


# --- small scanners -------------------------------------------------------------------------------

def _code_spans(text: str) -> list[tuple[int, int]]:
    """Backtick code spans in a paragraph's source (CommonMark: a run closes at the next run as long)."""
    spans, i = [], 0
    runs = [(m.start(), m.end()) for m in re.finditer(r"(?<!\\)`+", text)]
    while i < len(runs):
        s, e = runs[i]
        for j in range(i + 1, len(runs)):
            if runs[j][1] - runs[j][0] == e - s:
                spans.append((s, runs[j][1]))
                i = j
                break
        i += 1
    return spans


def _wrapper(char: str, *, left: bool) -> str:
    # "~" is punctuation for the parser, never escaped by mdformat, and kept as is in a link's URL.
    if char.isspace():  # only a hard break's spaces, which end their line
        return " " if left else ""
    return "~" if char in string.punctuation or unicodedata.category(char).startswith(("P", "S")) else ""


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= offset < e for s, e in spans)


def _math_spans(text: str, code: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """kramdown's `$$…$$` spans (the next `$$` closes; `\\$` is a dollar sign), outside code spans."""
    spans, pos = [], 0
    while (i := text.find("$$", pos)) >= 0:
        k = i
        while k > 0 and text[k - 1] == "\\":
            k -= 1
        if _inside(i, code) or (i - k) % 2:
            pos = i + 1
            continue
        j = text.find("$$", i + 2)
        if j < 0:
            break
        spans.append((i, j + 2))
        pos = j + 2
    return spans


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _partly_inside(first: int, last: int, region: tuple[int, int]) -> bool:
    a, b = region
    overlaps = first < b and a <= last
    return overlaps and not (a <= first and last < b)
