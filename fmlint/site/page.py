"""One page, parsed once: front matter, Liquid, Markdown tokens, HTML elements, and what rules need.

Everything a rule reads about a page is here, with page line numbers (1-based, as in the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from fmlint.site import liquid
from fmlint.site.frontmatter import FrontMatter, FrontMatterProblem, split
from fmlint.site.html import Comment, Element, HtmlCollector
from fmlint.site.slug import SlugCounter, heading_raw_text, split_explicit_id
from fmlint.site.source import SourceFile

_MARKER_LINE = re.compile(r"^\s*fmlint:\s*(skip|output)\s*$")
_NAV_ASSIGN = re.compile(r"window\.(previousSection|nextSection)\s*=\s*([^;\n]*)")
_JS_STRING = re.compile(r"""^(["'])(.*)\1$""")
# A kramdown block IAL on its own line (`{: #id .cls}`, `{:#id}`), not an ALD (`{:name: …}`);
# its last `#id` (kramdown's ALD_ID_NAME, ASCII word characters) names the block next to it.
_KRAMDOWN_COMMENT = re.compile(r"\{::comment\}.*?\{:/comment\}", re.S)
_BLOCK_IAL = re.compile(r"^\{:(?![A-Za-z0-9_][\w-]*:)([^}]*)\}\s*$")
# An HTML block opened by a tag alone on its line with kramdown's `markdown="1"` (or "block"): kramdown
# parses what follows, up to the closing tag, as Markdown, where markdown-it sees one HTML block.
_MARKDOWN_OPENER = re.compile(r"""^\s*<[A-Za-z][\w-]*\s[^>]*?\bmarkdown\s*=\s*(["']?)(?:1|block)\1[\s/]*[^>]*>\s*$""")
_IAL_ID = re.compile(r"(?:^|\s)#([A-Za-z0-9_][A-Za-z0-9_-]*)(?=\s|$)")


def block_ial_id(line: str) -> str | None:
    """The id a block IAL line sets (`{: #my-id}` -> "my-id"), or None."""
    m = _BLOCK_IAL.match(line.strip())
    if not m or liquid.MARK_OPEN in m.group(1):
        return None
    ids = _IAL_ID.findall(m.group(1).strip())
    return ids[-1] if ids else None


@lru_cache(maxsize=2)
def markdown_parser(footnotes: bool = True) -> MarkdownIt:
    # GFM as Jekyll's kramdown reads it: CommonMark plus tables and strikethrough. Footnotes are
    # kramdown syntax: without the plugin `[^1]: Short.` reads as a link definition and a
    # footnote's indented second paragraph as an indented code block. (`fmt` protects footnote
    # definitions as whole blocks itself, so it reads them without the plugin.)
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return md.use(footnote_plugin) if footnotes else md


@dataclass
class Heading:
    level: int
    raw: str  # the heading's Markdown source text, explicit id removed
    text: str  # plain text (what a reader sees)
    id: str
    explicit_id: bool
    line: int
    column: int


@dataclass
class Link:
    kind: str  # "markdown", "image", "html"
    target: str  # after Liquid URL filters are applied, fragment included
    line: int
    column: int
    text: str = ""  # link text, or an image's alt text
    liquid: bool = False  # written with a relative_url/absolute_url output
    element: Element | None = None  # for HTML links
    attr: str = "href"


@dataclass
class CodeBlock:
    lang: str  # first word of the info string, lower-cased ("" when none)
    info: str
    code: str  # as the reader sees it (LF line endings)
    line: int  # opening fence line (first code line for indented blocks)
    content_line: int  # page line of the first line of `code`
    end_line: int
    fenced: bool
    marker: str | None = None  # "skip" or "output" from `<!-- fmlint: … -->` just before
    liquid: list[liquid.LiquidNode] = field(default_factory=list)  # Liquid Jekyll would evaluate


@dataclass
class IdDef:
    id: str
    line: int
    column: int
    origin: str  # "heading", "html", "ial" (a kramdown block IAL on another block)


@dataclass
class NavAssignment:
    name: str  # previousSection / nextSection
    value: str | None  # the string value, or None when it is not a plain string
    raw: str
    line: int
    column: int


@dataclass
class NavBlock:
    line: int  # the <script> line
    end_line: int
    assignments: list[NavAssignment]


@dataclass
class Block:
    kind: str
    line: int
    end_line: int


@dataclass
class Page:
    source: SourceFile
    url: str
    front_matter: FrontMatter | None = None
    front_matter_problem: FrontMatterProblem | None = None
    has_front_matter: bool = False
    body_first_line: int = 1
    liquid_nodes: list[liquid.LiquidNode] = field(default_factory=list)
    liquid_errors: list[liquid.LiquidError] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    ids: list[IdDef] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    html_root: Element | None = None
    unclosed_elements: list[Element] = field(default_factory=list)
    stray_end_tags: list = field(default_factory=list)
    end_tags: list = field(default_factory=list)  # every HTML end tag, in document order
    nav_blocks: list[NavBlock] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    # set by the site loader
    handbook: object | None = None
    role: str = "page"  # "index", "section" or "page"
    folder_number: int | None = None

    @property
    def path(self) -> str:
        return self.source.display

    @property
    def lines(self) -> list[str]:
        return self.source.lines

    @property
    def parsed(self) -> bool:
        return self.source.problem is None and self.front_matter_problem is None

    @property
    def id_set(self) -> set[str]:
        return {d.id for d in self.ids}

    def liquid_in(self, *contexts: str) -> list[liquid.LiquidNode]:
        return [n for n in self.liquid_nodes if n.context in contexts]

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def find_column(self, line: int, needle: str, default: int = 1) -> int:
        i = self.line_text(line).find(needle) if needle else -1
        return i + 1 if i >= 0 else default


def build_page(source: SourceFile, url: str) -> Page:
    page = Page(source=source, url=url)
    if source.problem:
        return page
    parts = split(source.text)
    page.has_front_matter = parts.has_front_matter
    page.front_matter = parts.front_matter
    page.front_matter_problem = parts.problem
    page.body_first_line = parts.body_first_line
    if parts.problem and not parts.body:
        return page
    _Builder(page, parts.body).build()
    return page


class _Builder:
    def __init__(self, page: Page, body: str) -> None:
        self.page = page
        self.first = page.body_first_line
        scan = liquid.scan(body, self.first)
        page.liquid_nodes = scan.nodes
        page.liquid_errors = scan.errors
        self.sub = liquid.substitute(body, scan, self.first)
        self._drop_kramdown_comments()
        self.sub_lines = self.sub.text.split("\n")
        self.env: dict = {}  # markdown-it's environment: reference definitions, shared by nested parses
        self.offset = 0  # line of the Markdown being walked, from the body's first (inside markdown="1")
        self.html = HtmlCollector()
        self.slugs = SlugCounter()
        self.ial_lines: set[int] = set()  # IAL lines already taken by a heading

    def _drop_kramdown_comments(self) -> None:
        """kramdown outputs nothing for `{::comment}…{:/comment}`: blank it (lines kept) for Markdown."""
        text = self.sub.text
        if "{::comment}" not in text:
            return
        def blank(m: re.Match[str]) -> str:
            self.mark(m.group(0), "comment")
            return re.sub(r"[^\n]", " ", m.group(0))
        self.sub.text = _KRAMDOWN_COMMENT.sub(blank, text)

    # --- helpers -----------------------------------------------------------------------------
    def line(self, token_line0: int) -> int:
        return self.first + self.offset + token_line0

    def mark(self, text: str, context: str) -> None:
        for m in liquid.MARKER_RE.finditer(text):
            node = self.sub.nodes[int(m.group(1))]
            if node.context == "content" or context in ("code", "comment"):
                node.context = context

    def markers_in(self, text: str) -> list[liquid.LiquidNode]:
        return [self.sub.nodes[int(m.group(1))] for m in liquid.MARKER_RE.finditer(text)]

    def restore_code(self, text: str) -> str:
        # Jekyll removes the raw/endraw tags themselves and prints what is between them.
        def put_back(m: re.Match[str]) -> str:
            node = self.sub.nodes[int(m.group(1))]
            return "" if node.name in ("raw", "endraw") else node.source

        return liquid.MARKER_RE.sub(put_back, text)

    # --- walk ---------------------------------------------------------------------------------
    def build(self) -> None:
        page = self.page
        tokens = markdown_parser().parse(self.sub.text, self.env)
        page.tokens = tokens
        self.walk(tokens)
        page.comments = self.html.comments
        page.elements = self.html.elements
        page.html_root = self.html.root
        page.unclosed_elements = self.html.unclosed
        page.stray_end_tags = self.html.stray_ends
        page.end_tags = self.html.end_tags
        for el in self.html.elements:
            if "id" in el.attrs and liquid.MARK_OPEN not in el.attrs["id"]:
                page.ids.append(IdDef(el.attrs["id"], el.line, el.column, "html"))
            for attr in ("href", "src"):
                if attr in el.attrs:
                    value = el.attrs[attr]
                    self.mark(value, "html")
                    markers = self.markers_in(value)
                    page.links.append(Link(
                        "html", self.sub.restore(value) if markers else value, el.line, el.column,
                        el.text, liquid=self.liquid_url_at(el.line, value), element=el, attr=attr))
        self.nav()
        for cb in page.code_blocks:
            cb.marker = self.snippet_marker(cb.line)
        page.ids.sort(key=lambda d: (d.line, d.column))

    def walk(self, tokens: list[Token]) -> None:
        page = self.page
        for i, tok in enumerate(tokens):
            if tok.map and tok.nesting >= 0 and tok.type != "inline":
                page.blocks.append(Block(tok.type, self.line(tok.map[0]), self.line(tok.map[1] - 1)))
            if tok.type == "fence":
                self.code_block(tok, fenced=True)
            elif tok.type == "code_block":
                if self.html.unclosed and tok.content.lstrip().startswith("<"):
                    # kramdown keeps an indented line inside an open HTML element as HTML
                    # (fed as written, indentation included, so that columns are the file's)
                    start, end = self.line(tok.map[0]) - self.first, self.line(tok.map[1]) - self.first
                    self.html_chunk("\n".join(self.sub_lines[start:end]) + "\n", self.line(tok.map[0]))
                else:
                    self.code_block(tok, fenced=False)
            elif tok.type == "html_block":
                self.html_block(tok)
            elif tok.type == "heading_open":
                self.heading(tok, tokens[i + 1])
            elif tok.type == "inline":
                self.inline(tok)
                if i == 0 or tokens[i - 1].type != "heading_open":
                    self.block_ials(tok)

    def html_block(self, tok: Token) -> None:
        """An HTML block; one that opens with `<div markdown="1">` has Markdown inside, for kramdown."""
        assert tok.map is not None
        first, _, rest = tok.content.partition("\n")
        if not _MARKDOWN_OPENER.match(first) or not rest.strip():
            self.html_chunk(tok.content, self.line(tok.map[0]))
            return
        self.html_chunk(first + "\n", self.line(tok.map[0]))
        offset = self.offset
        self.offset += tok.map[0] + 1
        try:
            self.walk(markdown_parser().parse(rest, self.env))
        finally:
            self.offset = offset

    def liquid_url_at(self, line: int, value: str) -> bool:
        # `{{ '/x/' | relative_url }}#frag`: the fragment follows the Liquid output
        bare = value.split("#", 1)[0]
        return any(n.url is not None and n.url in (value, bare) and n.line == line for n in self.sub.nodes)

    def code_block(self, tok: Token, fenced: bool) -> None:
        assert tok.map is not None
        start = self.line(tok.map[0])
        content = tok.content
        self.mark(content, "code")
        nodes = [n for n in self.markers_in(content) if n.name not in ("raw", "endraw")]
        nodes += [n for n in self.sub.nodes if n.url is not None and start <= n.line < self.line(tok.map[1])
                  and n.context == "content"]
        for n in nodes:
            n.context = "code"
        info = tok.info.strip() if fenced else ""
        lang = info.split()[0].lower() if info else ""
        lang = lang.strip("{}.") if lang.startswith("{") else lang
        self.page.code_blocks.append(CodeBlock(
            lang=lang, info=info, code=self.restore_code(content), line=start,
            content_line=start + 1 if fenced else start, end_line=self.line(tok.map[1] - 1),
            fenced=fenced, liquid=nodes))

    def html_chunk(self, content: str, first_line: int) -> None:
        before = len(self.html.comments)
        self.html.feed_chunk(content, first_line, self.sub.orig_column)
        for c in self.html.comments[before:]:
            self.mark(c.text, "comment")
        self.mark(content, "html")

    def heading(self, tok: Token, inline: Token) -> None:
        assert tok.map is not None
        level = int(tok.tag[1])
        line = self.line(tok.map[0])
        raw, explicit = split_explicit_id(inline.content)
        # A block IAL on the line after the heading (after a setext underline) sets its id too.
        ial_line = self.line(tok.map[1])
        ial = block_ial_id(self.page.line_text(ial_line))
        if ial is not None:
            explicit = ial
            self.ial_lines.add(ial_line)
        rendered = liquid.MARKER_RE.sub("", raw)
        text = "".join(c.content for c in (inline.children or []) if c.type in ("text", "code_inline"))
        text = liquid.MARKER_RE.sub("", split_explicit_id(text)[0]).strip()
        hid = explicit if explicit else self.slugs(heading_raw_text(rendered.strip()))
        col = self.page.find_column(line, raw.strip()[:20] or "#")
        self.page.headings.append(Heading(level, raw.strip(), text, hid, explicit is not None, line, col))
        if hid:  # kramdown writes no id attribute when the generated id is empty
            self.page.ids.append(IdDef(hid, line, col, "heading"))

    def block_ials(self, tok: Token) -> None:
        """Ids that block IAL lines inside a paragraph's text give the paragraph (or list, quote…)."""
        assert tok.map is not None
        first = self.line(tok.map[0])
        for k, text in enumerate(tok.content.split("\n")):
            if "{:" not in text or first + k in self.ial_lines:
                continue
            ial = block_ial_id(text)
            if ial is not None:
                col = self.page.find_column(first + k, "{:")
                self.page.ids.append(IdDef(ial, first + k, col, "ial"))

    def inline(self, tok: Token) -> None:
        assert tok.map is not None
        line = self.line(tok.map[0])
        children = tok.children or []
        after: dict[int, int] = {}  # per line: where the last link was found (the next one is after it)
        for j, child in enumerate(children):
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "text":
                self.mark(child.content, "content")
                line += child.content.count("\n")
            elif child.type == "code_inline":
                self.mark(child.content, "code")
            elif child.type == "html_inline":
                col = self.page.find_column(line, child.content[:30])
                self.html.feed_chunk(child.content, line, lambda _l, c, base=col: base + c - 1)
                for c in self.html.comments:
                    if c.line == line:
                        self.mark(c.text, "comment")
                self.mark(child.content, "html")
            elif child.type in ("link_open", "image"):
                href = child.attrGet("href" if child.type == "link_open" else "src") or ""
                target = unquote(str(href))
                if child.type == "image":
                    label = child.content
                else:
                    label = ""
                    for grand in children[j + 1 :]:
                        if grand.type == "link_close":
                            break
                        label += grand.content
                col = self.link_column(line, label, target, child.type == "image", after.get(line, 0))
                after[line] = col
                uses_liquid = self.written_with_liquid(line, col, target)
                self.page.links.append(Link(
                    "image" if child.type == "image" else "markdown", target, line, col,
                    liquid.MARKER_RE.sub("", label), liquid=uses_liquid))

    def link_column(self, line: int, label: str, target: str, image: bool, after: int = 0) -> int:
        """Column of the link's destination: after `[label](`, else where the target is written.
        `after` is the column of the previous link found on the line: this one is further right."""
        text = self.page.line_text(line)
        for begin in ((after, 0) if after else (0,)):
            start = text.find(("![" if image else "[") + label[:20], begin) if label else -1
            if start >= 0:
                dest = text.find("](", start)
                if dest >= 0:
                    return dest + 3
            for needle in ("](" + target, target):
                i = text.find(needle, begin) if target else -1
                if i >= 0:
                    return i + 1 + (2 if needle.startswith("](") else 0)
        return 1

    def written_with_liquid(self, line: int, col: int, target: str) -> bool:
        """Whether the destination at `col` is a `'/x/' | relative_url` output, as written."""
        urls = [n for n in self.sub.nodes if n.url is not None and n.line == line]
        if any(n.column in (col, col + 1) for n in urls):  # `](` or `](<` before it
            return True
        text = self.page.line_text(line)
        if text[:col - 1].endswith(("](", "](<")) and not text[col - 1:].lstrip("<").startswith("{{"):
            return False  # written plainly, though the same path may be a Liquid link elsewhere on the line
        # the href is percent-decoded, so the Liquid path is compared decoded too ('%20')
        return any(unquote(n.url or "") in (target, target.split("#")[0]) for n in urls)

    def snippet_marker(self, fence_line: int) -> str | None:
        lines = self.page.lines
        k = fence_line - 1  # 1-based line just before
        while k >= 1 and not lines[k - 1].strip():
            k -= 1
        for c in self.page.comments:
            if c.end_line == k:
                m = _MARKER_LINE.match(c.text)
                if m:
                    return m.group(1)
        return None

    def nav(self) -> None:
        for script in self.html.scripts:
            body = _strip_js_comments(script.body)
            if "previousSection" not in body and "nextSection" not in body:
                continue
            el = script.element
            block = NavBlock(el.line, el.end_line or el.line, [])
            for m in _NAV_ASSIGN.finditer(body):
                line = script.body_line + body.count("\n", 0, m.start())
                raw = m.group(2).strip()
                sm = _JS_STRING.match(raw)
                value = sm.group(2) if sm and liquid.MARK_OPEN not in sm.group(2) else None
                col = self.page.find_column(line, "window." + m.group(1))
                block.assignments.append(NavAssignment(
                    m.group(1), value, self.sub.restore(raw), line, col))
            self.page.nav_blocks.append(block)


def _strip_js_comments(js: str) -> str:
    """Blank out // and /* */ comments (keeping newlines and offsets), leaving strings alone."""
    out = list(js)
    i, n = 0, len(js)
    quote = ""
    while i < n:
        ch = js[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif js.startswith("//", i):
            j = js.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        elif js.startswith("/*", i):
            j = js.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        i += 1
    return "".join(out)
