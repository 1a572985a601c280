"""`fmlint fix`: every fix that can be derived from the site without guessing, computed as edits.

Each fixer reads the site model and returns `Edit`s (fixes are data, as in ruff): navigation
variables from the section order (FM30x), cards created, reordered and synced from the sections'
front matter (FM70x), a title's numeral from `section` (FM204/FM205), numbered subsection headings
renumbered (FM206/FM207/FM209), links that follow renumbered headings (their ids change), `.md`
links, missing slashes and plain paths under a baseurl (FM404/FM405/FM408), Liquid in code
fences wrapped in `{% raw %}` (FM607), and external URLs that moved permanently (FM412, from the
cached results of `fmlint check --online`; see `fmlint.online.fixes`). A section's own front
matter is the source of truth.

`fix_workspace` applies the edits that do not overlap, re-reads the site and repeats until nothing
changes (at most `RUNAWAY_LIMIT` rounds), in memory; the caller shows a diff or writes the result
through `fmlint.authoring.workspace`. Only files inside the handbooks folder are changed, and a
finding that is suppressed or not selected is not fixed.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fmlint.authoring.edits import (
    Edit,
    Lines,
    apply_edits,
    closing_tag,
    find_start_tag,
    indentation,
)
from fmlint.authoring.links import Locator, Moves, liquid_url, relink
from fmlint.authoring.workspace import Workspace
from fmlint.config import Config
from fmlint.diagnostics import Diagnostic
from fmlint.engine import selector
from fmlint.online.fixes import redirect_edits
from fmlint.rules.cards import (  # the card rules' own matching, so fix agrees with check
    CardMatcher,
    identify,
)
from fmlint.rules.navigation import NEXT, PREVIOUS, expected_navigation
from fmlint.rules.numbering import declared_section, numbered_title, numbers_disagree
from fmlint.site import liquid
from fmlint.site.cards import IndexCard, collapse, extract_cards, has_class
from fmlint.site.frontmatter import split
from fmlint.site.numerals import to_roman
from fmlint.site.page import Page, build_page
from fmlint.site.site import Handbook, Site, matches_glob
from fmlint.site.source import SourceFile
from fmlint.site.targets import (
    PAGE_SOURCE_SUFFIXES,
    classify,
    page_for_source,
    resolve,
    site_baseurl,
)
from fmlint.site.urls import page_at
from fmlint.suppressions import page_suppressions

RUNAWAY_LIMIT = 10
_TITLE = re.compile(r"^Section ([A-Za-z]+): \S")
_NUMBER = re.compile(r"^(\d+(?:\.\d+)+)([.:])?(?=\s|$)")
_ATX_NUMBER = re.compile(r"^((?:[ \t]*>)*[ \t]{0,3}#{1,6}[ \t]+)(\d+(?:\.\d+)+)([.:])?(?=\s|$)")
_SETEXT_NUMBER = re.compile(r"^((?:[ \t]*>)*[ \t]{0,3})(\d+(?:\.\d+)+)([.:])?(?=\s|$)")
_ASSIGN = re.compile(r"window\.(previousSection|nextSection)\s*=\s*")
DEFAULT_LINK_TEXT = "Read section →"


class RunawayError(Exception):
    """Fixing did not settle: each round changed something again."""


def _editable(page: Page) -> bool:
    # A page with broken front matter still has a body to fix (its front-matter fixes need the YAML
    # and are skipped); a file that could not be read as text has nothing to fix.
    return page.source.problem is None


@dataclass
class Fixes:
    """The edits of one round, by file."""

    edits: dict[Path, list[Edit]] = field(default_factory=lambda: defaultdict(list))

    def add(self, page: Page, *edits: Edit | None) -> None:
        self.edits[page.source.path].extend(e for e in edits if e is not None)


# --- navigation (FM301-FM305) ------------------------------------------------------------------

def navigation_fixes(hb: Handbook, site: Site, fixes: Fixes) -> None:
    expected = expected_navigation(hb)
    pages = ([hb.index] if hb.index is not None else []) + [p for n, p in hb.ordered_sections if n >= 1]
    for page in pages:
        if _editable(page) and id(page) in expected:
            fixes.add(page, *_page_navigation(site, page, {k: v.url for k, v in expected[id(page)].items()}))


def _page_navigation(site: Site, page: Page, want: dict[str, str | None]) -> list[Edit]:
    text = page.source.text
    lines = Lines(text)
    edits: list[Edit] = []
    if not page.nav_blocks:
        required = [(name, want[name]) for name in (PREVIOUS, NEXT) if want[name]]
        if required:
            edits.append(_insert_script(page, lines, required))
        return edits
    present: set[str] = set()
    for block in page.nav_blocks:
        for a in block.assignments:
            present.add(a.name)
            line = lines.line_text(a.line)
            m = _ASSIGN.match(line, a.column - 1)
            if m is None:
                continue
            semi = line.find(";", m.end())
            rhs_end = semi if semi >= 0 else len(line)
            rhs = line[m.end():rhs_end].rstrip()
            base = lines.line_start(a.line)
            exp = want[a.name]
            if exp is None:
                stmt_end = semi + 1 if semi >= 0 else rhs_end
                rest = line[stmt_end:].strip()
                if not line[:a.column - 1].strip() and (not rest or rest.startswith("//")):
                    edits.append(Edit(base, lines.after_line(a.line), "", "FM302", f"removed {a.name}"))
                else:
                    while stmt_end < len(line) and line[stmt_end] in " \t":
                        stmt_end += 1
                    edits.append(Edit(base + a.column - 1, base + stmt_end, "", "FM302", f"removed {a.name}"))
                continue
            is_liquid = "{{" in rhs or "{%" in rhs
            if a.value == exp and not is_liquid:
                continue
            quote = rhs[0] if rhs[:1] in ("'", '"') and not is_liquid else '"'
            if is_liquid or a.value is None or not a.value.startswith("/") or a.value.startswith("//"):
                code = "FM305"
            elif page_at(site, a.value) is None:
                code = "FM304"
            else:
                code = "FM303"
            edits.append(Edit(base + m.end(), base + m.end() + len(rhs), f"{quote}{exp}{quote}", code,
                              f"{a.name} = {exp}"))
    block = page.nav_blocks[0]
    indent = next((indentation(lines.line_text(a.line)) for a in block.assignments), "  ")
    for name in (PREVIOUS, NEXT):
        exp = want[name]
        if exp is None or name in present:
            continue
        statement = f'window.{name} = "{exp}";'
        after = [a for a in block.assignments if a.name == NEXT] if name == PREVIOUS else []
        end_text = lines.line_text(block.end_line)
        if after and not lines.line_text(after[0].line)[:after[0].column - 1].strip():
            at = lines.line_start(after[0].line)
            edits.append(Edit(at, at, f"{indent}{statement}\n", "FM301", f"added {name} = {exp}"))
        elif block.end_line > block.line and end_text.lstrip().lower().startswith("</script"):
            at = lines.line_start(block.end_line)
            edits.append(Edit(at, at, f"{indent}{statement}\n", "FM301", f"added {name} = {exp}"))
        else:
            close = text.lower().find("</script", lines.line_start(block.end_line))
            if close >= 0:
                edits.append(Edit(close, close, f" {statement} ", "FM301", f"added {name} = {exp}"))
    return edits


def _insert_script(page: Page, lines: Lines, required: list[tuple[str, str | None]]) -> Edit:
    body = "".join(f'  window.{name} = "{url}";\n' for name, url in required)
    if page.role == "index":
        body = "  // Navigation variables - no previous for index\n" + body
    script = f"<script>\n{body}</script>\n"
    note = "added the navigation script"
    text = lines.text
    for el in page.elements:  # a navigation script that sets nothing yet (a new handbook's index)
        tag = find_start_tag(text, lines, el.line, el.column, "script") if el.tag == "script" else None
        if tag is None or "src" in tag.attrs:
            continue
        close = closing_tag(text, "script", tag.end)
        if close is None or re.sub(r"//[^\n]*|/\*.*?\*/", "", text[tag.end:close], flags=re.S).strip():
            continue
        close_line = lines.line_of(close)
        assignments = "".join(f'  window.{name} = "{url}";\n' for name, url in required)
        if close_line > lines.line_of(tag.start) and not text[lines.line_start(close_line):close].strip():
            at = lines.line_start(close_line)
            return Edit(at, at, assignments, "FM301", "set the navigation variables")
        return Edit(close, close, "\n" + assignments, "FM301", "set the navigation variables")
    loaders = [el for el in page.elements if el.tag == "script" and "src" in el.attrs]
    if loaders:
        el = loaders[-1]
        if not lines.line_text(el.line)[:max(el.column - 1, 0)].strip():
            at = lines.line_start(el.line)
            return Edit(at, at, script + "\n", "FM301", note)
    lead = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return Edit(len(text), len(text), lead + script, "FM301", note)


# --- titles (FM204, FM205) ---------------------------------------------------------------------

def title_fix(page: Page) -> Edit | None:
    fm = page.front_matter
    title = fm.get("title") if fm else None
    want = numbered_title(page) if page.role == "section" else None
    if fm is None or not isinstance(title, str) or want is None or want == title:
        return None
    old = _TITLE.match(title.strip())
    new = _TITLE.match(want.strip())
    if old is None or new is None:
        return None
    code = "FM205" if re.fullmatch("[IVXLCDM]+", old.group(1)) else "FM204"
    return yaml_text_edit(page, "title", rf"Section\s+({re.escape(old.group(1))})(?![A-Za-z])", new.group(1),
                          want, code, f"title numeral {old.group(1)} -> {new.group(1)}")


def yaml_text_edit(page: Page, key: str, pattern: str, replacement: str, expected: object, code: str,
                   note: str, *, text: str | None = None) -> Edit | None:
    """Replace group 1 of the first match of `pattern` in `key`'s value, as written in the front matter.

    The YAML around it (quoting, comments, key order) is untouched; the edit is kept only when
    ruamel.yaml reads `expected` as the new value.
    """
    fm = page.front_matter
    if fm is None or key not in fm.key_lines:
        return None
    text = text if text is not None else page.source.text
    lines = Lines(text)
    start = lines.offset(fm.key_lines[key], fm.value_columns.get(key, 1))
    keys_after = [line for line in fm.key_lines.values() if line > fm.key_lines[key]]
    stop = lines.line_start(min(keys_after)) if keys_after else lines.line_start(fm.end_line)
    m = re.compile(pattern).search(text, start, stop)
    if m is None:
        return None
    edit = Edit(m.start(1), m.end(1), replacement, code, note)
    new_text, _, _ = apply_edits(text, [edit])
    parsed = split(new_text).front_matter
    if parsed is None or parsed.get(key) != expected:
        return None
    return edit


# --- numbered subsection headings (FM206, FM207, FM209) -----------------------------------------

@dataclass
class _Node:
    parts: tuple[int, ...] | None  # None: an unnumbered heading
    depth_ok: bool = True


def subsection_fixes(page: Page) -> list[Edit]:
    if page.role != "section" or page.folder_number is None:
        return []
    declared = declared_section(page)
    accepted = {page.folder_number} | ({declared} if declared is not None else set())
    section = declared if declared is not None else page.folder_number
    lines = Lines(page.source.text)
    outline: dict[int, _Node] = {}
    last_k: dict[int, int] = {}
    edits: list[Edit] = []
    for h in page.headings:
        for level in [lv for lv in outline if lv >= h.level]:
            del outline[level]
        for level in [lv for lv in last_k if lv > max(h.level, 2)]:
            del last_k[level]
        m = _NUMBER.match(h.text)
        if not m:
            outline[h.level] = _Node(None)
            continue
        parts = tuple(int(p) for p in m.group(1).split("."))
        if len(parts) != h.level:
            outline[h.level] = _Node(parts, depth_ok=False)  # FM208: only the author knows which is wrong
            continue
        new: tuple[int, ...] | None = None
        k = last_k.get(h.level, 0) + 1
        if h.level == 2:
            new = (parts[0] if parts[0] in accepted else section, k)
        else:
            parents = [lv for lv in outline if lv < h.level]
            plevel = max(parents) if parents else 0
            parent = outline.get(plevel)
            if parent is not None and plevel == h.level - 1 and parent.parts is not None and parent.depth_ok:
                new = (*parent.parts, k)
        new = new or parts
        outline[h.level] = _Node(new)
        last_k[h.level] = new[-1]
        if new != parts or m.group(2):
            edit = _renumber(lines, h.line, m.group(1), ".".join(map(str, new)), parts, new)
            if edit is not None:
                edits.append(edit)
    return edits


def _renumber(lines: Lines, line: int, old: str, new: str, parts: tuple[int, ...],
              new_parts: tuple[int, ...]) -> Edit | None:
    text = lines.line_text(line)
    m = _ATX_NUMBER.match(text) or _SETEXT_NUMBER.match(text)
    if m is None or m.group(2) != old:
        return None
    start = lines.line_start(line) + m.start(2)
    end = lines.line_start(line) + (m.end(3) if m.group(3) else m.end(2))
    if new == old:
        code = "FM209"
    elif len(parts) == 2 and parts[0] != new_parts[0]:
        code = "FM206"
    else:
        code = "FM207"
    return Edit(start, end, new, code, f"heading {old}{m.group(3) or ''} -> {new}")


def heading_id_changes(page: Page, new_text: str) -> dict[str, str]:
    """Which heading ids of `page` change when its text becomes `new_text` (headings matched in order)."""
    after = build_page(SourceFile(page.source.path, page.source.display, new_text), page.url)
    if len(after.headings) != len(page.headings):
        return {}
    return {old.id: new.id for old, new in zip(page.headings, after.headings, strict=True)
            if old.id and new.id and old.id != new.id and not old.explicit_id}


# --- cards (FM701, FM704, FM706-FM710) -----------------------------------------------------------

def _fm_text(page: Page, key: str) -> str | None:
    value = page.front_matter.get(key) if page.front_matter else None
    return value if isinstance(value, str) and value.strip() else None


def _same_text(a: str, b: str) -> bool:
    return collapse(html.unescape(a)) == collapse(html.unescape(b))


def card_text(number: int, url: str, title: str, goal: str, indent: str = "  ", *, comment: bool = True,
              link_text: str = DEFAULT_LINK_TEXT) -> str:
    """A section card in the form of the reference index (ends with a newline)."""
    roman = to_roman(number) if 0 < number < 4000 else str(number)
    href = liquid_url(url)
    rows = ([f"<!-- Section {roman} -->"] if comment else []) + [
        '<div class="section-card">',
        f'  <h3 id="s{number}">',
        f'    <a href="{href}">{html.escape(title, quote=False)}</a>',
        "  </h3>",
        f"  <p><strong>Goal:</strong> {html.escape(goal, quote=False)}</p>",
        f'  <a href="{href}" class="section-link">{link_text}</a>',
        "</div>",
    ]
    return "".join(f"{indent}{row}\n" for row in rows)


@dataclass
class _Cards:
    """The cards of an index and which section each stands for."""

    index: Page
    cards: list[IndexCard]
    placed: list[tuple[int, IndexCard]]  # the first card of each existing section, in document order
    grids: list
    matcher: CardMatcher


def read_cards(hb: Handbook, site: Site) -> _Cards | None:
    index = hb.index
    if index is None or not _editable(index):
        return None
    found = extract_cards(index)
    matcher = CardMatcher(hb, site, index)
    placed: list[tuple[int, IndexCard]] = []
    seen: set[int] = set()
    for card, n in zip(found.cards, identify(found.cards, matcher), strict=True):
        if n is not None and n in matcher.sections and n not in seen:
            seen.add(n)
            placed.append((n, card))
    return _Cards(index, found.cards, placed, found.grids, matcher)


def card_lines(lines: Lines, card: IndexCard) -> tuple[int, int] | None:
    """The card's lines (its comment included) when nothing else shares them."""
    if not card.element.end_line:
        return None
    first, last = card.start_line, card.end_line
    start_col = card.comment.column if card.comment else card.element.column
    if lines.line_text(first)[:start_col - 1].strip():
        return None
    close = closing_tag(lines.text, "div", lines.line_start(last))
    if close is None or close >= lines.after_line(last) or lines.text[close:lines.line_end(last)].strip() != "</div>":
        return None
    return first, last


def card_fixes(hb: Handbook, site: Site, fixes: Fixes) -> None:
    found = read_cards(hb, site)
    if found is None:
        return
    index = found.index
    lines = Lines(index.source.text)
    order = [n for n, _ in found.placed]
    if order != sorted(order):
        fixes.add(index, *_reorder(lines, found))
        return  # the other card fixes are computed from the reordered page, in the next round
    inserted = _insert_missing(hb, lines, found)
    if inserted:
        fixes.add(index, *inserted)
        return
    for n, card in found.placed:
        fixes.add(index, *_sync(lines, found.matcher, card, n, found.matcher.sections[n]))


def _reorder(lines: Lines, found: _Cards) -> list[Edit]:
    slots = [card_lines(lines, card) for _, card in found.placed]
    if any(s is None for s in slots):
        return []
    texts = [lines.text[lines.line_start(s[0]):lines.line_end(s[1])] for s in slots]  # type: ignore[index]
    by_number = sorted(range(len(found.placed)), key=lambda i: found.placed[i][0])
    edits = []
    for slot_i, card_i in enumerate(by_number):
        if slot_i != card_i:
            first, last = slots[slot_i]  # type: ignore[misc]
            edits.append(Edit(lines.line_start(first), lines.line_end(last), texts[card_i], "FM704",
                              f"moved the card for section {found.placed[card_i][0]}"))
    return edits


def _insert_missing(hb: Handbook, lines: Lines, found: _Cards) -> list[Edit]:
    placed = dict(found.placed)
    missing = [(n, p) for n, p in hb.ordered_sections if n >= 1 and n not in placed]
    if not missing:
        return []
    text = lines.text
    cards = found.cards
    sample = cards[0] if cards else None
    indent = indentation(lines.line_text(sample.start_line)) if sample else None
    comment = any(c.comment is not None for c in cards) or not cards
    link_text = collapse(sample.section_link.raw_text) if sample and sample.section_link is not None else None
    between = "\n"
    if len(cards) >= 2 and cards[0].end_line and cards[1].start_line > cards[0].end_line:
        gap = text[lines.after_line(cards[0].end_line):lines.line_start(cards[1].start_line)]
        between = gap if not gap.strip() else "\n"
    edits: list[Edit] = []
    for n, page in missing:
        title = numbered_title(page) if _fm_text(page, "title") else None
        goal = _fm_text(page, "description")
        if not title or not goal:
            continue  # nothing to derive the card from (FM102 reports the missing key)
        note = f"added the card for section {n}"
        block = card_text(n, page.url, title, goal, indent if indent is not None else "  ", comment=comment,
                          link_text=link_text or DEFAULT_LINK_TEXT)
        later = [c for m, c in found.placed if m > n]
        if later:
            if card_lines(lines, later[0]):
                at = lines.line_start(later[0].start_line)
                edits.append(Edit(at, at, block + between, "FM701", note))
            continue  # (a card that shares its lines: no safe place to insert)
        if cards:
            last = max(cards, key=lambda c: c.end_line or c.line)
            if card_lines(lines, last):
                at = lines.after_line(last.end_line)
                edits.append(Edit(at, at, between + block, "FM701", note))
            continue
        if found.grids:
            grid = found.grids[0]
            tag = find_start_tag(text, lines, grid.line, grid.column, "div")
            close = closing_tag(text, "div", tag.end) if tag is not None else None
            if tag is None or close is None:
                continue
            block = card_text(n, page.url, title, goal, indentation(lines.line_text(grid.line)) + "  ",
                              comment=comment, link_text=link_text or DEFAULT_LINK_TEXT)
            close_line = lines.line_of(close)
            sep = indentation(lines.line_text(grid.line)) + "  \n" if any(e.code == "FM701" for e in edits) else ""
            if close_line > grid.line and not text[lines.line_start(close_line):close].strip():
                at = lines.line_start(close_line)
                edits.append(Edit(at, at, sep + block, "FM701", note))
            else:
                edits.append(Edit(close, close, "\n" + sep + block, "FM701", note))
            continue
        # no grid at all: add one with every missing card, before the navigation script
        at, lead = _grid_position(found.index, lines)
        blocks = [card_text(m, p.url, numbered_title(p) or "", _fm_text(p, "description") or "")
                  for m, p in missing if _fm_text(p, "title") and _fm_text(p, "description")]
        grid_text = lead + '<div class="sections-grid">\n' + "  \n".join(blocks) + "</div>\n\n"
        return [Edit(at, at, grid_text, "FM701", "added the grid of section cards")]
    return edits


def _grid_position(index: Page, lines: Lines) -> tuple[int, str]:
    if index.nav_blocks:
        block = index.nav_blocks[0]
        if not lines.line_text(block.line).split("<script", 1)[0].strip():
            return lines.line_start(block.line), ""
    text = lines.text
    return len(text), ("" if text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n")


def _roman(n: int) -> str:
    return to_roman(n) if 0 < n < 4000 else str(n)


def _sync(lines: Lines, matcher: CardMatcher, card: IndexCard, n: int, page: Page) -> list[Edit]:
    text = lines.text
    declared = declared_section(page)
    numbers = {n} | ({declared} if declared else set())
    number = declared or n
    edits: list[Edit | None] = []
    if card.numeral is not None and card.numeral.text not in {_roman(x) for x in numbers}:
        at = lines.offset(card.numeral.line, card.numeral.column)
        if text[at:at + len(card.numeral.text)] == card.numeral.text:
            edits.append(Edit(at, at + len(card.numeral.text), _roman(number), "FM706",
                              f"card comment Section {card.numeral.text} -> Section {_roman(number)}"))
    if card.h3 is not None and (card.id is None or card.id.text not in {f"s{x}" for x in numbers}):
        tag = find_start_tag(text, lines, card.h3.line, card.h3.column, "h3")
        if tag is not None:
            attr = tag.attrs.get("id")
            if attr is None:
                edits.append(Edit(tag.name_end, tag.name_end, f' id="s{number}"', "FM707", f"card id s{number}"))
            else:
                edits.append(_set_attr(attr, f"s{number}", "FM707", f"card id -> s{number}"))
    for element, value in ((card.title_link, card.title_href), (card.section_link, card.link_href)):
        if element is None:
            continue
        if value is not None and matcher.links_to(value, page):
            continue
        tag = find_start_tag(text, lines, element.line, element.column, "a")
        if tag is None:
            continue
        attr = tag.attrs.get("href")
        if attr is None:
            edits.append(Edit(tag.name_end, tag.name_end, f' href="{liquid_url(page.url)}"', "FM708",
                              f"card link -> {page.url}"))
        else:
            inner = '"' if attr.quote == "'" else "'"
            if attr.quote == '"' and re.match(r'\{\{-?\s*"', text[attr.value_start:attr.value_end]):
                inner = '"'  # the author's {{ "/a/" | relative_url }} inside "…" (Liquid is rendered first)
            edits.append(_set_attr(attr, liquid_url(page.url, inner), "FM708", f"card link -> {page.url}"))
    title = numbered_title(page) if _fm_text(page, "title") else None
    if title and card.title is not None and card.title_link is not None and \
            liquid.MARK_OPEN not in card.title_link.raw_text and not _same_text(card.title.text, title):
        tag = find_start_tag(text, lines, card.title_link.line, card.title_link.column, "a")
        close = closing_tag(text, "a", tag.end) if tag is not None else None
        if tag is not None and close is not None:
            edits.append(_set_content(text, tag.end, close, html.escape(title, quote=False), "FM709",
                                      "card title from the section's title"))
    goal = _fm_text(page, "description")
    if goal and card.goal is not None and card.goal_paragraph is not None and \
            liquid.MARK_OPEN not in card.goal_paragraph.raw_text and not _same_text(card.goal.text, goal):
        p = card.goal_paragraph
        tag = find_start_tag(text, lines, p.line, p.column, "p")
        strong = re.compile(r"</strong\s*>", re.I).search(text, tag.end) if tag is not None else None
        close = closing_tag(text, "p", strong.end()) if strong is not None else None
        end = lines.after_line(card.end_line) if card.end_line else len(text)
        if strong is not None and close is not None and close < end:
            edits.append(_set_content(text, strong.end(), close, " " + html.escape(goal, quote=False), "FM710",
                                      "card goal from the section's description", keep_lead=False))
    return [e for e in edits if e is not None]


def _set_attr(attr, value: str, code: str, note: str) -> Edit:  # noqa: ANN001
    if attr.has_value and attr.quote:
        return Edit(attr.value_start, attr.value_end, value, code, note)
    if attr.has_value:
        return Edit(attr.value_start, attr.value_end, f'"{value}"', code, note)
    return Edit(attr.value_end, attr.value_end, f'="{value}"', code, note)


def _set_content(text: str, start: int, end: int, new: str, code: str, note: str, *, keep_lead: bool = True) -> Edit:
    """Replace an element's content, keeping the whitespace around it as written."""
    inner = text[start:end]
    if not inner.strip():
        lead, trail = (inner if keep_lead else ""), ""
    else:
        lead = inner[: len(inner) - len(inner.lstrip())] if keep_lead else ""
        trail = inner[len(inner.rstrip()):]
    return Edit(start, end, lead + new + trail, code, note)


# --- links (FM404, FM405, FM408) -----------------------------------------------------------------

def _in_card(page: Page, link) -> bool:  # noqa: ANN001
    if page.role != "index" or link.element is None:
        return False
    el = link.element.parent
    while el is not None:
        if el.tag == "div" and has_class(el, "section-card"):
            return True
        el = el.parent
    return False


def link_fixes(site: Site, page: Page) -> list[Edit]:
    edits: list[Edit] = []
    baseurl = site_baseurl(site)
    loc = Locator(page)
    for link in page.links:
        if _in_card(page, link):
            continue
        target = classify(page, link, baseurl)
        if target.kind != "site" or target.source_path is not None:
            continue
        if target.relative and target.written.lower().startswith(("www.", "http//", "https//")):
            continue
        if target.path.endswith(PAGE_SOURCE_SUFFIXES):
            source = target.written if target.relative else target.path
            _, found = page_for_source(site, page, source)
            w = loc.locate(link)
            if found is None or w is None:
                continue
            frag = f"#{target.fragment}" if target.fragment is not None else ""
            quote = '"' if w.attr_quote == "'" else "'"
            value = liquid_url(found.url + frag, quote)
            if w.attr_quote == "":
                value = f'"{value}"'
            edits.append(Edit(w.start, w.end, value, "FM404", f"{target.written} -> {found.url}"))
            continue
        res = resolve(site, target.path)
        if res.kind == "missing":
            continue
        wrap = bool(baseurl and not target.with_baseurl and not target.relative)
        if not wrap and not res.needs_slash:
            continue
        w = loc.locate(link)
        if w is None or w.form not in ("plain", "liquid"):
            continue
        if wrap and w.form == "plain":
            written = loc.text[w.start:w.end]
            if res.needs_slash:
                cut = w.path_end - w.start
                written = written[:cut] + "/" + written[cut:]
            quote = '"' if w.attr_quote == "'" else "'"
            value = liquid_url(written, quote)
            if w.attr_quote == "":
                value = f'"{value}"'
            edits.append(Edit(w.start, w.end, value, "FM408", f"{target.written} wrapped in relative_url"))
        elif res.needs_slash:
            edits.append(Edit(w.path_end, w.path_end, "/", "FM405", f"{target.path} -> {res.url}"))
    return edits


# --- Liquid in code fences (FM607) ---------------------------------------------------------------

def raw_fixes(page: Page) -> list[Edit]:
    lines = Lines(page.source.text)
    edits = []
    for cb in page.code_blocks:
        if not cb.liquid or not cb.fenced or "endraw" in cb.code:
            continue
        opening = lines.line_text(cb.line)
        m = re.match(r"^([ \t>]*)(`{3,}|~{3,})", opening)
        closing = lines.line_text(cb.end_line).strip(" \t>")
        if m is None or cb.end_line == cb.line or not closing.startswith(m.group(2)) or closing.strip(m.group(2)[0]):
            continue
        prefix = m.group(1)
        at, end = lines.line_start(cb.line), lines.after_line(cb.end_line)
        tail = "" if lines.text[:end].endswith("\n") else "\n"
        edits.append(Edit(at, at, f"{prefix}{{% raw %}}\n", "FM607", "wrapped a code block in {% raw %}"))
        edits.append(Edit(end, end, f"{tail}{prefix}{{% endraw %}}\n", "FM607", ""))
    return edits


# --- one round --------------------------------------------------------------------------------

def compute_fixes(site: Site, config: Config, writable: Callable[[Path], bool],
                  follow: Callable[[Path], bool] | None = None) -> dict[Path, list[Edit]]:
    """Every fix of the site as it is now, by file (suppressed and unselected findings left alone).

    Fixes go to the files `writable` accepts; links that follow renumbered headings are also
    updated in the files `follow` accepts (default: the same).
    """
    follow = follow or writable
    fixes = Fixes()
    for hb in site.handbooks:
        if numbers_disagree(hb):
            continue  # FM203: whether the folder or the key is right is the author's call
        navigation_fixes(hb, site, fixes)
        card_fixes(hb, site, fixes)
    headings: dict[Path, list[Edit]] = {}
    for page in site.pages:
        if not _editable(page) or not writable(page.source.path):
            continue
        if page.role == "section":
            fixes.add(page, title_fix(page))
            headings[page.source.path] = subsection_fixes(page)
            fixes.add(page, *headings[page.source.path])
        fixes.add(page, *link_fixes(site, page))
        fixes.add(page, *raw_fixes(page))
    allowed = _allowed(site, config)
    by_path = {p.source.path: p for p in site.pages}
    # Allow first, so that links follow only the headings that are really renumbered.
    out = {path: [e for e in edits if allowed(by_path[path], e)] for path, edits in fixes.edits.items()
           if writable(path) and path in by_path}
    moves = Moves()
    for path, edits in headings.items():
        kept = [e for e in edits if e in out.get(path, ())]
        if kept:
            page = by_path[path]
            new_text, _, _ = apply_edits(page.source.text, kept)
            changes = heading_id_changes(page, new_text)
            if changes:
                moves.fragments[page.url] = changes
    # FM412: external URLs that moved permanently, from the cached results of `fmlint check --online`
    selected = selector(config)
    for path, edits in redirect_edits(site, config).items():
        page = by_path.get(path)
        kept = [e for e in edits if (allowed(page, e) if page is not None else selected(e.code))]
        if kept and writable(path) and (page is None or _editable(page)):
            out.setdefault(path, []).extend(kept)
    if moves:
        for page in site.pages:
            if _editable(page) and follow(page.source.path):
                extra = [e for e in relink(site, page, moves, code="FM403") if allowed(page, e)]
                if extra:
                    out.setdefault(page.source.path, []).extend(extra)
    return {p: e for p, e in out.items() if e}


def _allowed(site: Site, config: Config) -> Callable[[Page, Edit], bool]:
    selected = selector(config)
    sups: dict[Path, list] = {}

    def allowed(page: Page, edit: Edit) -> bool:
        if edit.code and not selected(edit.code):
            return False
        for glob, codes in config.per_file_ignores.items():
            if matches_glob(page.path, glob) and any(edit.code.startswith(c.upper()) for c in codes):
                return False
        if page.source.path not in sups:
            sups[page.source.path] = page_suppressions(page)[0]
        lines = Lines(page.source.text)
        first, last = lines.line_of(edit.start), lines.line_of(max(edit.start, edit.end - 1))
        for line in {first, last}:
            probe = Diagnostic(page.path, line, 1, edit.code, "")
            if any(s.covers(probe) for s in sups[page.source.path]):
                return False
        return True

    return allowed


# --- the loop -----------------------------------------------------------------------------------

@dataclass
class FixReport:
    rounds: int = 0
    applied: dict[Path, list[Edit]] = field(default_factory=lambda: defaultdict(list))

    def summary(self, path: Path) -> str:
        counts = Counter(e.code for e in self.applied.get(path, ()) if e.code and e.note)
        return ", ".join(f"{code} x{n}" if n > 1 else code for code, n in sorted(counts.items()))


def fix_workspace(workspace: Workspace, paths: list[Path], config: Config, config_path: Path | None = None,
                  *, limit: int = RUNAWAY_LIMIT, report: FixReport | None = None,
                  focus: Path | None = None) -> FixReport:
    """Fix, re-read, fix again until nothing changes; the result stays in `workspace` (nothing is written).

    With `focus` (a folder), only files under it are fixed, but links to its renumbered headings are
    followed everywhere `paths` reaches.
    """
    writable = workspace.writable
    if focus is not None:
        def writable(path: Path) -> bool:  # noqa: F811
            return workspace.writable(path) and focus in path.parents
    report = report or FixReport()
    seen: set[tuple] = set()
    for _ in range(limit):
        site = workspace.load(paths, config, config_path)
        fixes = compute_fixes(site, config, writable, workspace.writable)
        changed = False
        for path, edits in fixes.items():
            text = workspace.read(path)
            new, applied, _ = apply_edits(text, edits)
            if new != text:
                workspace.write(path, new)
                report.applied[path].extend(applied)
                changed = True
        if not changed:
            return report
        report.rounds += 1
        state = tuple(sorted((str(p), hash(t)) for p, t in workspace.texts.items()))
        if state in seen:
            break
        seen.add(state)
    raise RunawayError(f"fixes did not settle after {report.rounds} rounds (each round changed the files again); "
                       "nothing was written: please report this with the files involved")

