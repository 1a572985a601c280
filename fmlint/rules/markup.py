"""FM8xx: page markup that renders wrongly: unbalanced divs, duplicate ids, skipped heading levels."""

from __future__ import annotations

from collections.abc import Iterator

from fmlint.diagnostics import Diagnostic
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.site.page import Page

UNBALANCED_DIV = Rule("FM801", "unbalanced-div", ERROR, "a <div> is never closed, or a </div> closes nothing", """
What it does:
Reports a `<div>` that is still open at the end of the page (at the line that opens it) and a
`</div>` with no open `<div>` (at its line). HTML inside code fences and comments does not count.

Why:
An unclosed div swallows the rest of the page into a card or box; a stray `</div>` closes the
layout's own container early. Both break the page's layout without any build error.

Bad:
    <div class="key-concept">
      <strong>Key concept:</strong> attention is a weighted average.

    ## 5.2 Next subsection

Good:
    <div class="key-concept">
      <strong>Key concept:</strong> attention is a weighted average.
    </div>
""")

DUPLICATE_ID = Rule("FM802", "duplicate-id", ERROR, "the same id is used twice on the page", """
What it does:
Reports an id that an earlier element on the same page already has, counting HTML `id`
attributes, explicit kramdown ids (`{#id}`) and the ids Jekyll generates for headings.

Why:
Links with `#id` jump to the first element only, and a page with duplicate ids is invalid HTML.

Bad:
    <h2 id="overview">Overview</h2>
    ## Overview

Good:
    <h2 id="overview">Overview</h2>
    ## Overview in detail
""")

HEADING_SKIP = Rule("FM803", "heading-level-skip", WARNING, "heading level skips a level", """
What it does:
Reports a Markdown heading more than one level deeper than the heading before it (for example a
`####` right after a `##`). The layout prints the page title as the `h1`, so a page's first
heading may be `#` or `##`.

Why:
Skipped levels break the outline that screen readers and tables of contents rely on.

Bad:
    ## 5.1 Attention
    #### Masking

Good:
    ## 5.1 Attention
    ### 5.1.1 Masking
""")

RULES = (UNBALANCED_DIV, DUPLICATE_ID, HEADING_SKIP)


def check_page(page: Page, ctx: Context) -> Iterator[Diagnostic]:
    if page.source.problem is not None:
        return
    unclosed = [(el.line, el.column) for el in page.unclosed_elements if el.tag == "div"]
    stray = [(end.line, end.column) for end in page.stray_end_tags if end.tag == "div"]
    if unclosed or stray:
        unclosed, stray = _by_indentation(page)
    for line, column in unclosed:
        yield UNBALANCED_DIV(page.path, line, column, "<div> opened here is never closed: add a matching </div>")
    for line, column in stray:
        yield UNBALANCED_DIV(page.path, line, column, "</div> closes no open <div>: remove it")
    seen: dict[str, int] = {}
    for d in page.ids:
        if d.id in seen:
            yield DUPLICATE_ID(page.path, d.line, d.column,
                               f"id '{d.id}' is already used on line {seen[d.id]}: ids must be unique")
        else:
            seen[d.id] = d.line
    previous = 1
    for h in page.headings:
        if h.level > previous + 1:
            yield HEADING_SKIP(page.path, h.line, h.column,
                               f"h{h.level} follows h{previous}: use h{previous + 1} (one level deeper at most)")
        previous = h.level


def _indent(page: Page, line: int, column: int) -> int | None:
    """The tag's indentation when it is the first thing on its line, else None."""
    text = page.line_text(line)
    indent = len(text) - len(text.lstrip())
    return indent if column == indent + 1 else None


def _by_indentation(page: Page) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Which <div> is unclosed and which </div> is stray, once the page is known to be unbalanced.

    A browser pairs a </div> with the innermost open div, so a card missing its </div> leaves the
    grid around it open, far from the mistake. Authors indent a </div> like its <div>: a </div>
    first on its line closes the innermost open div of the same indentation (the ones inside it
    are the unclosed ones), and one indented deeper than every open div closes nothing.
    """
    events = [(el.line, el.column, 0, _indent(page, el.line, el.column)) for el in page.elements if el.tag == "div"]
    events += [(e.line, e.column, 1, _indent(page, e.line, e.column)) for e in page.end_tags if e.tag == "div"]
    stack: list[tuple[int, int, int | None]] = []
    unclosed: list[tuple[int, int]] = []
    stray: list[tuple[int, int]] = []
    for line, column, is_end, indent in sorted(events):
        if not is_end:
            stack.append((line, column, indent))
            continue
        if not stack:
            stray.append((line, column))
            continue
        same = [i for i, (_, _, ind) in enumerate(stack) if indent is not None and ind == indent]
        if same:
            unclosed.extend((ln, col) for ln, col, _ in stack[same[-1] + 1:])
            del stack[same[-1]:]
        elif indent is not None and all(ind is not None and ind < indent for _, _, ind in stack):
            stray.append((line, column))
        else:
            stack.pop()
    unclosed.extend((ln, col) for ln, col, _ in stack)
    return sorted(unclosed), stray


FAMILY = Family("markup", "FM8", RULES, check_page=check_page)
