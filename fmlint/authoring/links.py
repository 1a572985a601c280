"""Links as written in a page's text, so a command can change one part of one (its path, its
fragment, its text) and leave the rest, Liquid and quoting included, as the author wrote it.

The site model knows what each link points at; `locate` finds where its target is written: a
Markdown destination `](...)`, or an HTML `href`/`src` value. `relink` computes the edits that
follow pages whose URL (or whose heading ids) change in the same command.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import unquote

from fmlint.authoring.edits import Edit, Lines, closing_tag, find_start_tag, start_tag
from fmlint.site.numerals import from_roman, to_roman
from fmlint.site.page import Link, Page
from fmlint.site.site import Site
from fmlint.site.targets import LinkTarget, classify, resolve, site_baseurl

_LIQUID_URL = re.compile(r"""\{\{-?\s*(['"])(?P<path>[^'"]*)\1\s*\|\s*(?:relative_url|absolute_url)\s*-?\}\}""")
_LINK_TAG = re.compile(r"\{%-?\s*link\s+(?P<path>[^\s%]+)\s*-?%\}")
_BASEURL = re.compile(r"^\{\{-?\s*site\.(?:url\s*-?\}\}\{\{-?\s*site\.)?baseurl\s*-?\}\}")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(?P<angle><?)(?P<dest>\S)", re.MULTILINE)
_SECTION_TEXT = re.compile(r"^(\s*Sections?\s+)([IVXLCDM]+)(\s*)$")


@dataclass(frozen=True)
class Written:
    """Where a link's target is written in the page text (offsets into `page.source.text`)."""

    start: int  # the whole target as written
    end: int
    path_start: int  # the path, before any '?' or '#' (inside the Liquid string when written with Liquid)
    path_end: int
    frag_start: int | None  # the fragment after '#', when there is one
    frag_end: int | None
    form: str  # "plain", "liquid" (a relative_url/absolute_url output) or "link-tag" ({% link %})
    quote: str = ""  # the Liquid string's quote
    attr_quote: str | None = None  # HTML: the attribute's quote ("" unquoted); None for Markdown
    text_start: int | None = None  # the link text (Markdown label, or an <a>'s content)
    text_end: int | None = None


def parse_value(text: str, start: int, end: int, attr_quote: str | None = None) -> Written:
    """Split the target written at text[start:end] into path and fragment."""
    value = text[start:end]
    m = _LIQUID_URL.match(value)
    if m:
        lit_start, lit_end = start + m.start("path"), start + m.end("path")
        lit = m.group("path")
        cut = min([i for i in (lit.find("?"), lit.find("#")) if i >= 0], default=len(lit))
        frag = None
        if "#" in lit:
            frag = (lit_start + lit.index("#") + 1, lit_end)
        elif value[m.end():].startswith("#"):
            frag = (start + m.end() + 1, end)
        return Written(start, end, lit_start, lit_start + cut, *(frag or (None, None)), form="liquid",
                       quote=m.group(1), attr_quote=attr_quote)
    m = _LINK_TAG.match(value)
    if m:
        rest = value[m.end():]
        frag = (start + m.end() + 1, end) if rest.startswith("#") else (None, None)
        return Written(start, end, start + m.start("path"), start + m.end("path"), *frag, form="link-tag",
                       attr_quote=attr_quote)
    b = _BASEURL.match(value)
    offset = b.end() if b else 0
    rest = value[offset:]
    cut = min([i for i in (rest.find("?"), rest.find("#")) if i >= 0], default=len(rest))
    frag = (start + offset + rest.index("#") + 1, end) if "#" in rest else (None, None)
    return Written(start, end, start + offset, start + offset + cut, *frag, form="plain", attr_quote=attr_quote)


def _destination_end(text: str, j: int) -> int:
    """End of a Markdown link destination starting at j (Liquid constructs kept whole)."""
    n = len(text)
    if text.startswith("<", j):
        k = text.find(">", j)
        return k if k >= 0 else j
    depth = 0
    while j < n:
        if text.startswith(("{{", "{%"), j):
            k = text.find("}}" if text[j + 1] == "{" else "%}", j + 2)
            j = n if k < 0 else k + 2
            continue
        ch = text[j]
        if ch.isspace():
            break
        if ch == "\\":
            j += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        j += 1
    return min(j, n)


def _label_start(text: str, close: int) -> int | None:
    """The offset after the `[` that the `]` at `close` closes."""
    depth = 0
    k = close
    while k >= 0:
        ch = text[k]
        if k > 0 and text[k - 1] == "\\":
            k -= 2
            continue
        if ch == "]":
            depth += 1
        elif ch == "[":
            depth -= 1
            if depth == 0:
                return k + 1
        elif ch == "\n" and k > 0 and text[k - 1] == "\n":
            return None  # a blank line: labels do not span paragraphs
        k -= 1
    return None


def _evaluated(w: Written, text: str) -> str:
    if w.form == "liquid":
        m = _LIQUID_URL.match(text, w.start)
        lit = m.group("path") if m else ""
        after = text[m.end():w.end] if m else ""
        return lit + after
    return unquote(text[w.start:w.end])


@dataclass
class Locator:
    """Finds where each link of one page is written (each written link is handed out once)."""

    page: Page
    text: str = ""
    lines: Lines = field(init=False)
    claimed: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.text = self.text or self.page.source.text
        self.lines = Lines(self.text)

    def locate(self, link: Link) -> Written | None:
        if link.element is not None:
            return self._html(link)
        return self._markdown(link)

    def _html(self, link: Link) -> Written | None:
        el = link.element
        assert el is not None
        tag = find_start_tag(self.text, self.lines, el.line, el.column, el.tag)
        if tag is not None and tag.start in self.claimed:
            # the model's column was off: take the next tag of that name on the line not handed out yet
            tag = None
            pos = self.lines.line_start(el.line)
            while tag is None and 0 <= (pos := self.text.find("<" + el.tag, pos, self.lines.line_end(el.line))):
                found = start_tag(self.text, pos)
                if found is not None and found.name == el.tag and found.start not in self.claimed:
                    tag = found
                pos += 1
        if tag is None or link.attr not in tag.attrs:
            return None
        attr = tag.attrs[link.attr]
        if not attr.has_value:
            return None
        w = parse_value(self.text, attr.value_start, attr.value_end, attr.quote)
        if el.tag == "a":
            close = closing_tag(self.text, "a", tag.end)
            if close is not None:
                w = replace(w, text_start=tag.end, text_end=close)
        self.claimed.add(tag.start)
        return w

    def _markdown(self, link: Link) -> Written | None:
        first = self.lines.line_start(link.line)
        last = self.lines.line_end(min(link.line + 6, self.lines.count))
        candidates: list[Written] = []
        pos = first
        while True:
            i = self.text.find("](", pos, last)
            if i < 0:
                break
            pos = i + 2
            j = i + 2
            while j < len(self.text) and self.text[j] in " \t":
                j += 1
            angle = self.text.startswith("<", j)
            end = _destination_end(self.text, j)
            start = j + 1 if angle else j
            if start in self.claimed or end <= start:
                continue
            w = parse_value(self.text, start, end)
            label = _label_start(self.text, i)
            if label is not None:
                w = replace(w, text_start=label, text_end=i)
            candidates.append(w)
        matching = [w for w in candidates if self._is(w, link)]
        # the one at the model's column first: the same path may be written twice on a line
        matching.sort(key=lambda w: w.start - first + 1 not in (link.column, link.column + 1))
        chosen = matching[0] if matching else (candidates[0] if len(candidates) == 1 else None)
        if chosen is not None:
            self.claimed.add(chosen.start)
            return chosen
        return self._definition(link)

    def _definition(self, link: Link) -> Written | None:
        """A reference-style link's target, written in its `[label]: destination` line (shared by its uses)."""
        for m in _DEFINITION.finditer(self.text):
            start = m.start("dest")
            end = _destination_end(self.text, start) if not m.group("angle") else self.text.find(">", start)
            if end <= start:
                continue
            w = parse_value(self.text, start, end)
            if self._is(w, link):
                return w
        return None

    def _is(self, w: Written, link: Link) -> bool:
        """Whether `w` is where `link` is written: its evaluated target, or (for Liquid the model
        keeps as a marker, such as `{{ site.baseurl }}/x/`) its target as written."""
        if _evaluated(w, self.text) in (link.target, unquote(link.target)):
            return True
        return self.text[w.start:w.end].strip() == classify(self.page, link).written


# --- following pages that move -----------------------------------------------------------------

@dataclass
class Moves:
    """What changes in one command: page URLs, asset paths, heading ids and section numbers."""

    urls: dict[str, str] = field(default_factory=dict)  # old URL or site path -> new
    fragments: dict[str, dict[str, str]] = field(default_factory=dict)  # old page URL -> {old id: new id}
    numbers: dict[str, tuple[int, int]] = field(default_factory=dict)  # old page URL -> (old n, new n)
    sources: dict[str, str] = field(default_factory=dict)  # old source path (from the root) -> new

    def __bool__(self) -> bool:
        return bool(self.urls or self.fragments or self.numbers or self.sources)


def liquid_url(url: str, quote: str = "'") -> str:
    return f"{{{{ {quote}{url}{quote} | relative_url }}}}"


def _relative(from_url: str, to_path: str) -> str:
    base = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath(to_path, base)
    if to_path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel


def _resolved_url(site: Site, path: str) -> str:
    res = resolve(site, path)
    if res.kind == "page" and res.page is not None:
        return res.page.url
    return res.url or path


def relink(site: Site, page: Page, moves: Moves, *, text: str | None = None,
           new_page_url: str | None = None, code: str = "FM401") -> list[Edit]:
    """Edits to `page`'s links for `moves` (the page itself moving to `new_page_url` included)."""
    edits: list[Edit] = []
    baseurl = site_baseurl(site)
    loc = Locator(page, text or "")
    src = loc.text
    for link in page.links:
        target = classify(page, link, baseurl)
        if target.kind not in ("site", "fragment"):
            continue
        w = loc.locate(link)
        if w is None:
            continue
        edits += _relink_one(site, page, link, target, w, src, moves, new_page_url, code)
    return edits


def _relink_one(site: Site, page: Page, link: Link, target: LinkTarget, w: Written, src: str, moves: Moves,
                new_page_url: str | None, code: str) -> list[Edit]:
    edits: list[Edit] = []
    if target.kind == "fragment":
        frag = moves.fragments.get(page.url, {}).get(target.fragment or "")
        if frag is not None and w.frag_start is not None:
            edits.append(Edit(w.frag_start, w.frag_end or w.frag_start, frag, "FM403",
                              f"#{target.fragment} -> #{frag}"))
        return edits
    if target.source_path is not None:
        new = moves.sources.get(target.source_path.lstrip("/"))
        if new is not None and w.form == "link-tag":
            lead = "/" if target.source_path.startswith("/") else ""
            edits.append(Edit(w.path_start, w.path_end, lead + new, code, f"{target.source_path} -> {new}"))
        return edits
    old_url = _resolved_url(site, target.path)
    new_url = moves.urls.get(old_url)
    if w.form == "plain" and target.relative:
        base_now = new_page_url or page.url
        dest = new_url or old_url
        if new_url is not None or new_page_url is not None:
            here = posixpath.normpath(posixpath.join(
                base_now if base_now.endswith("/") else posixpath.dirname(base_now),
                unquote(src[w.path_start:w.path_end])))
            if here + ("/" if dest.endswith("/") and not here.endswith("/") else "") != dest:
                rel = _relative(base_now, dest)
                edits.append(Edit(w.path_start, w.path_end, rel, code, f"{src[w.path_start:w.path_end]} -> {rel}"))
    elif new_url is not None and w.form in ("plain", "liquid"):
        edits.append(Edit(w.path_start, w.path_end, new_url, code, f"{old_url} -> {new_url}"))
    frag = moves.fragments.get(old_url, {}).get(target.fragment or "") if target.fragment else None
    if frag is not None and w.frag_start is not None:
        edits.append(Edit(w.frag_start, w.frag_end or w.frag_start, frag, "FM403", f"#{target.fragment} -> #{frag}"))
    number = moves.numbers.get(old_url)
    if number is not None and w.text_start is not None and w.text_end is not None:
        m = _SECTION_TEXT.match(src[w.text_start:w.text_end])
        if m and from_roman(m.group(2)) == number[0] and number[1] < 4000:
            s = w.text_start + m.start(2)
            edits.append(Edit(s, s + len(m.group(2)), to_roman(number[1]), code,
                              f"link text Section {m.group(2)} -> Section {to_roman(number[1])}"))
    return edits


def links_to(site: Site, urls: Mapping[str, object]) -> dict[str, list[tuple[Page, Link]]]:
    """The links of the site's pages that reach each of `urls` (page URLs), by URL."""
    found: dict[str, list[tuple[Page, Link]]] = {}
    for page in site.pages:
        if not page.parsed:
            continue
        baseurl = site_baseurl(site)
        for link in page.links:
            target = classify(page, link, baseurl)
            if target.kind != "site" or target.source_path is not None:
                continue
            url = _resolved_url(site, target.path)
            if url in urls:
                found.setdefault(url, []).append((page, link))
    return found


def unlink(page: Page, links: list[Link], text: str | None = None) -> list[Edit]:
    """Edits that turn `links` into their text: `[text](url)` -> `text`, `<a href="url">text</a>` -> `text`."""
    loc = Locator(page, text or "")
    src = loc.text
    edits = []
    for link in links:
        w = loc.locate(link)
        if w is None or w.text_start is None or w.text_end is None or link.kind == "image":
            continue
        label = src[w.text_start:w.text_end]
        if link.element is not None:
            el = link.element
            tag = find_start_tag(src, loc.lines, el.line, el.column, "a")
            close = closing_tag(src, "a", tag.end) if tag is not None else None
            if tag is None or close is None:
                continue
            end = src.index(">", close) + 1
            edits.append(Edit(tag.start, end, label, "FM401", f"unlinked '{collapse_text(label)}'"))
            continue
        close = src.find(")", w.end)
        if close < 0 or w.text_start < 1 or src[w.text_start - 1] != "[":
            continue
        edits.append(Edit(w.text_start - 1, close + 1, label, "FM401", f"unlinked '{collapse_text(label)}'"))
    return edits


def collapse_text(text: str) -> str:
    return " ".join(text.split())
