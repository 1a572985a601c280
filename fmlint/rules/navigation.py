"""FM3xx: the previous/next chain every handbook page ends with.

The chain is index -> section 1 -> ... -> last section, from the pages that exist. Expected values
are their URLs (a page with `permalink:` is known only by it). Where sections are missing, a link
that points into the gap (at the page that should be there) is reported once per gap, at the first
such link, not on every page after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fmlint.diagnostics import Diagnostic
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.rules.numbering import numbers_disagree
from fmlint.site.page import NavAssignment, Page
from fmlint.site.site import Handbook, Site
from fmlint.site.urls import page_at

PREVIOUS, NEXT = "previousSection", "nextSection"

MISSING_VARIABLE = Rule("FM301", "missing-nav-variable", ERROR, "navigation variable is missing", """
What it does:
Reports a handbook page without the navigation variable its place in the chain needs: the index
needs `nextSection` (when the handbook has sections), every section `previousSection`, and every
section but the last `nextSection`. Reported at the navigation `<script>`, or at the page's last line
when it has none.

Why:
The shared script builds the "Previous" and "Next" links from these variables; without one the
reader's way through the handbook stops.

Bad:
    <script>
      window.previousSection = "/content/handbooks/foundation-models/section4/";
    </script>

Good:
    <script>
      window.previousSection = "/content/handbooks/foundation-models/section4/";
      window.nextSection = "/content/handbooks/foundation-models/section6/";
    </script>

Fix:
Adds the assignment with the adjacent page's URL (and the `<script>` block when there is none).
""", fixable=True)

UNEXPECTED_VARIABLE = Rule("FM302", "unexpected-nav-variable", ERROR, "navigation variable where the chain ends", """
What it does:
Reports `previousSection` on a handbook's index and `nextSection` on its last section: the chain
starts at the index and ends at the last section.

Why:
The link leads to a page outside the handbook or to one that does not exist.

Bad:
    <script>
      window.previousSection = "/content/handbooks/foundation-models/";
      window.nextSection = "/content/handbooks/foundation-models/section1/";
    </script>

Good:
    <script>
      // Navigation variables - no previous for index
      window.nextSection = "/content/handbooks/foundation-models/section1/";
    </script>

Fix:
Removes the assignment.
""", fixable=True)

WRONG_TARGET = Rule("FM303", "wrong-nav-target", ERROR, "navigation variable points at the wrong page", """
What it does:
Reports a `previousSection` or `nextSection` that names an existing page other than the adjacent
one in the chain (index, section 1, 2, ... N), or the adjacent page under another spelling than its
URL (no trailing `/`, `index.html`).

Why:
After sections are added, removed or renumbered, the chain skips or repeats pages.

Bad:
    # section5/index.md
    window.nextSection = "/content/handbooks/foundation-models/section7/";

Good:
    # section5/index.md
    window.nextSection = "/content/handbooks/foundation-models/section6/";

Fix:
Writes the adjacent page's URL.
""", fixable=True)

MISSING_TARGET = Rule("FM304", "nav-target-missing", ERROR, "navigation variable points at a page that does not exist", """
What it does:
Reports a `previousSection` or `nextSection` whose page does not exist on the site (a missing
section, a folder URL of a page that has a `permalink:`, a typo). When sections are missing, the
break is reported once, at the first link that points into the gap.

Why:
The reader's "Next" or "Previous" link is a 404.

Bad:
    # section10/index.md, with no section11/ or section12/
    window.nextSection = "/content/handbooks/foundation-models/section11/";

Good:
    # section10/index.md, with no section11/ or section12/
    window.nextSection = "/content/handbooks/foundation-models/section13/";

Fix:
Writes the URL of the adjacent page that exists (when the missing page is the handbook's index,
there is nothing to derive and no fix).
""", fixable=True)

INVALID_VALUE = Rule("FM305", "invalid-nav-value", ERROR, "navigation value is not a plain site path", """
What it does:
Reports a navigation value that is not a quoted site path starting with `/`: Liquid
(`{{ ... | relative_url }}`), an empty string, `null`, a relative path or a full URL. A page with no
previous or next page leaves the variable out instead.

Why:
The handbook writes navigation values as plain site paths; an empty or null value makes the script
build a broken link instead of none.

Bad:
    window.previousSection = "{{ '/content/handbooks/foundation-models/section4/' | relative_url }}";
    window.nextSection = "";

Good:
    window.previousSection = "/content/handbooks/foundation-models/section4/";

Fix:
Writes the adjacent page's URL (or removes the assignment where the chain ends).
""", fixable=True)

DUPLICATE_NAVIGATION = Rule("FM306", "duplicate-nav-script", WARNING, "navigation is set more than once", """
What it does:
Reports a second navigation `<script>` on a page, and a variable assigned twice in one script.

Why:
Only the last assignment takes effect; the others are dead code that the next editor updates in
vain.

Bad:
    <script>
      window.nextSection = "/content/handbooks/foundation-models/section6/";
    </script>
    <script>
      window.nextSection = "/content/handbooks/foundation-models/section6/";
    </script>

Good:
    <script>
      window.nextSection = "/content/handbooks/foundation-models/section6/";
    </script>
""")

RULES = (MISSING_VARIABLE, UNEXPECTED_VARIABLE, WRONG_TARGET, MISSING_TARGET, INVALID_VALUE,
         DUPLICATE_NAVIGATION)


@dataclass
class Expected:
    """What one variable of one page should be: the adjacent page's URL, or absent (None)."""

    url: str | None
    # where sections are missing between this page and the adjacent one: their (folder) URLs, and
    # the two pages around the gap, so that the break is reported once
    gap_urls: frozenset[str] = frozenset()
    gap: tuple[str, str] | None = None
    missing: tuple[int, ...] = ()


@dataclass
class _Chain:
    hb: Handbook
    index_url: str
    pages: list[tuple[Page, str]]  # (page, label) in chain order

    def label(self, site: Site, url: str) -> str:
        page = page_at(site, url)
        for p, label in self.pages:
            if p is page:
                return label
        return url


def chain_of(hb: Handbook) -> _Chain:
    index_url = hb.index.url if hb.index is not None else hb.url
    pages: list[tuple[Page, str]] = [(hb.index, "the index")] if hb.index is not None else []
    pages += [(page, f"section {n}") for n, page in hb.ordered_sections if n >= 1]
    return _Chain(hb, index_url, pages)


def expected_navigation(hb: Handbook) -> dict[int, dict[str, Expected]]:
    """Per page (by `id(page)`): what `previousSection` and `nextSection` should be."""
    sections = [(n, page) for n, page in hb.ordered_sections if n >= 1]
    index_url = hb.index.url if hb.index is not None else hb.url
    # the chain, as (number, url); the index is number 0
    chain = ([(0, index_url)] if hb.index is not None or sections else []) + [(n, p.url) for n, p in sections]

    def link(a: tuple[int, str], b: tuple[int, str]) -> Expected:
        low, high = sorted((a[0], b[0]))
        if high == low + 1:
            return Expected(b[1])
        urls = frozenset(u for k in range(low + 1, high) for u in (hb.section_url(k), hb.section_url(k).rstrip("/")))
        return Expected(b[1], urls, (a[1], b[1]) if a[0] < b[0] else (b[1], a[1]), tuple(range(low + 1, high)))

    out: dict[int, dict[str, Expected]] = {}
    pages = ([hb.index] if hb.index is not None else [None]) + [p for _, p in sections]
    for i, page in enumerate(pages):
        if page is None:
            continue
        prev = link(chain[i], chain[i - 1]) if i else Expected(None)
        nxt = link(chain[i], chain[i + 1]) if i + 1 < len(chain) else Expected(None)
        out[id(page)] = {PREVIOUS: prev, NEXT: nxt}
    return out


def _check_handbook(hb: Handbook, ctx: Context) -> Iterator[Diagnostic]:
    site = ctx.site
    chain = chain_of(hb)
    expected = expected_navigation(hb)
    reported_gaps: set[tuple[str, str]] = set()
    for page, _label in chain.pages:
        if page.source.problem is not None:
            continue
        yield from _check_page(site, chain, page, expected[id(page)], reported_gaps)


def _missing(numbers: tuple[int, ...]) -> str:
    if len(numbers) == 1:
        return f"section {numbers[0]} is"
    return f"sections {numbers[0]}-{numbers[-1]} are"


def _last_line(page: Page) -> int:
    lines = page.lines
    for i in range(len(lines), 0, -1):
        if lines[i - 1].strip():
            return i
    return 1


def _check_page(site: Site, chain: _Chain, page: Page, want: dict[str, Expected],
                reported_gaps: set[tuple[str, str]]) -> Iterator[Diagnostic]:
    blocks = page.nav_blocks
    required = [name for name in (PREVIOUS, NEXT) if want[name].url is not None]
    if not blocks:
        if required:
            values = "; ".join(f'window.{name} = "{want[name].url}"' for name in required)
            yield MISSING_VARIABLE(page.path, _last_line(page), 1,
                                   f"page has no navigation script: end it with <script> {values}; </script>")
        return
    for extra in blocks[1:]:
        yield DUPLICATE_NAVIGATION(page.path, extra.line, 1,
                                   f"second navigation <script> (the first is on line {blocks[0].line}): "
                                   "keep one and remove the other")
    for block in blocks:
        seen: dict[str, NavAssignment] = {}
        for a in block.assignments:
            if a.name in seen:
                yield DUPLICATE_NAVIGATION(page.path, a.line, a.column,
                                           f"{a.name} is already set on line {seen[a.name].line}: "
                                           "remove one of the assignments")
            seen.setdefault(a.name, a)
    assignments = [a for block in blocks for a in block.assignments]
    for name in (PREVIOUS, NEXT):
        expect = want[name]
        mine = [a for a in assignments if a.name == name]
        if not mine:
            if expect.url is not None:
                yield MISSING_VARIABLE(page.path, blocks[0].line, 1,
                                       f'navigation script does not set {name}: add window.{name} = "{expect.url}";')
            continue
        for a in mine:
            yield from _check_value(site, chain, page, a, expect, reported_gaps)


def _check_value(site: Site, chain: _Chain, page: Page, a: NavAssignment, expect: Expected,
                 reported_gaps: set[tuple[str, str]]) -> Iterator[Diagnostic]:
    if expect.url is None:
        if a.name == PREVIOUS:
            where = "the index starts the chain"
        elif page.role == "index":
            where = "the handbook has no section yet"
        else:
            where = "this is the last section"
        yield UNEXPECTED_VARIABLE(page.path, a.line, a.column,
                                  f"{a.name} is set to {a.raw}, but {where}: remove it (a comment may say so)")
        return
    do = f'write window.{a.name} = "{expect.url}";'
    value = a.value
    # `'/x/' | relative_url` outputs reach the model already evaluated: look at the line as written
    written = page.line_text(a.line)[a.column - 1:].split(";", 1)[0]
    liquid = any(s in a.raw or s in written for s in ("{{", "{%"))
    if liquid or value is None or not value.startswith("/") or value.startswith("//"):
        if liquid:
            what = "Liquid"
        elif value == "":
            what = "an empty string"
        elif value is None and a.raw.strip() in ("null", "undefined"):
            what = a.raw.strip()
        elif value is None:
            what = "not a quoted string"
        else:
            what = "not a site path starting with /"
        yield INVALID_VALUE(page.path, a.line, a.column,
                            f"{a.name} is {written.split('=', 1)[-1].strip() if liquid else a.raw}: {what}; navigation values are plain site paths: {do}")
        return
    if value == expect.url:
        if page_at(site, value) is None:
            yield MISSING_TARGET(page.path, a.line, a.column,
                                 f"{a.name} points at {value}, the handbook's index, which does not exist: "
                                 "add the handbook's index.md", fixable=False)
        return
    target = page_at(site, value)
    if target is None and expect.gap is not None and value in expect.gap_urls:
        if expect.gap in reported_gaps:
            return  # the same break, already reported on the other side of the gap
        reported_gaps.add(expect.gap)
        yield MISSING_TARGET(page.path, a.line, a.column,
                             f"{a.name} points at {value}, which does not exist: the chain breaks here "
                             f"because {_missing(expect.missing)} missing; add "
                             f"{'it' if len(expect.missing) == 1 else 'them'}, or {do}")
        return
    if target is None:
        hint = ""
        permalinked = next((p for p, _ in chain.pages if p.url == expect.url and
                            p.front_matter is not None and p.front_matter.get("permalink")), None)
        if permalinked is not None:
            hint = f" ({chain.label(site, expect.url)} is served only at its permalink)"
        yield MISSING_TARGET(page.path, a.line, a.column,
                             f"{a.name} points at {value}, which does not exist{hint}: {do}")
        return
    if page_at(site, expect.url) is target:
        yield WRONG_TARGET(page.path, a.line, a.column,
                           f"{a.name} is {value}: write the page's URL exactly: {do}")
        return
    yield WRONG_TARGET(page.path, a.line, a.column,
                       f"{a.name} points at {chain.label(site, value)} ({value}); the "
                       f"{'previous' if a.name == PREVIOUS else 'next'} page is "
                       f"{chain.label(site, expect.url)}: {do}")


def check_handbook(hb: Handbook, ctx: Context) -> Iterator[Diagnostic]:
    settled = not numbers_disagree(hb)
    for diag in _check_handbook(hb, ctx):
        yield diag if settled or not diag.fixable else diag.with_(fixable=False)


FAMILY = Family("navigation", "FM3", RULES, check_handbook=check_handbook)
