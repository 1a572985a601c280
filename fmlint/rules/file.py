"""FM0xx: problems with a file as a whole, before any content rule can look at it."""

from __future__ import annotations

from collections.abc import Iterator

from fmlint.diagnostics import Diagnostic
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.site.page import Page

UNREADABLE = Rule("FM001", "unreadable-file", ERROR, "file cannot be read", """
What it does:
Reports a file that fmlint was given (or found) but cannot open or read.

Why:
A page nobody can read is a page Jekyll cannot build either; checking the rest silently would hide it.

Bad:
    $ chmod 000 content/handbooks/x/section1/index.md

Good:
    A readable file (fix its permissions or remove it).
""")

NOT_UTF8 = Rule("FM002", "non-utf8-file", ERROR, "file is not UTF-8 text", """
What it does:
Reports a page or bibliography that is not valid UTF-8 (a UTF-8 BOM and CRLF line endings are fine),
at the line of the first bad byte, and binary files (NUL bytes).

Why:
Jekyll reads pages as UTF-8; another encoding shows readers mojibake or fails the build.

Bad:
    A page saved as Latin-1: "Caf\\xe9".

Good:
    The same page saved as UTF-8: "Café".
""")

BROKEN_FRONT_MATTER = Rule("FM003", "invalid-front-matter", ERROR, "front matter cannot be parsed", """
What it does:
Reports front matter that is not valid YAML, is not a mapping, or is opened with `---` and never
closed, at the line of the YAML error.

Why:
Jekyll stops the build (or renders the page without its front matter) when the YAML is broken.

Bad:
    ---
    title: "Section I: Basics
    ---

Good:
    ---
    title: "Section I: Basics"
    ---
""")

INTERNAL_ERROR = Rule("FM004", "internal-error", ERROR, "a rule crashed on this file", """
What it does:
Reports that one of fmlint's own checks failed on this file; the other files and checks still ran.

Why:
A crash must never hide other findings, and must never pass silently either.

Bad:
    A file that makes a check raise an exception (please report it with the file).

Good:
    Any file: fmlint handles it.
""")

TOO_LARGE = Rule("FM005", "file-too-large", WARNING, "file is larger than max-file-size", """
What it does:
Reports a file over `max-file-size` bytes (2 MB by default) and skips its other checks.

Why:
A handbook page is tens of kilobytes; a file of megabytes is almost always generated or pasted by
mistake, and checking it would make every run slow.

Bad:
    A 10 MB Markdown file under content/.

Good:
    Split the page, or raise `max-file-size` in the configuration.
""")

LIQUID_SYNTAX = Rule("FM006", "liquid-syntax-error", ERROR, "Liquid syntax error", """
What it does:
Reports Liquid that Jekyll cannot render: an unterminated `{{` or `{%`, a block tag such as
`{% raw %}`, `{% if %}` or `{% comment %}` never closed, or an end tag with no block. Liquid runs
everywhere in a page, code fences and HTML comments included.

Why:
Jekyll renders Liquid before Markdown and fails the whole build on a syntax error.

Bad:
    See {{ '/content/handbooks/x/section2/' | relative_url }.

Good:
    See {{ '/content/handbooks/x/section2/' | relative_url }}.
""")

UNUSED_SUPPRESSION = Rule("FM007", "unused-suppression", WARNING, "suppression comment suppresses nothing", """
What it does:
Reports a `<!-- fmlint: disable CODE -->` or `disable-file` comment that suppressed no finding in
this run, or that names no known code.

Why:
Stale suppressions pile up and later hide real problems.

Bad:
    <!-- fmlint: disable FM301 -->
    A paragraph with nothing for FM301 to report.

Good:
    Remove the comment once the finding it silenced is fixed.
""")

RULES = (UNREADABLE, NOT_UTF8, BROKEN_FRONT_MATTER, INTERNAL_ERROR, TOO_LARGE, LIQUID_SYNTAX, UNUSED_SUPPRESSION)
_BY_CODE = {r.code: r for r in RULES}


def check_page(page: Page, ctx: Context) -> Iterator[Diagnostic]:
    problem = page.source.problem
    if problem is not None:
        yield _BY_CODE[problem.code](page.path, problem.line, problem.column, problem.message)
        return
    fm = page.front_matter_problem
    if fm is not None:
        yield BROKEN_FRONT_MATTER(page.path, fm.line, fm.column, fm.message)
    if not ctx.site.renders(page):
        return  # Jekyll copies a page without front matter as it is: its Liquid never runs
    for err in page.liquid_errors:
        yield LIQUID_SYNTAX(page.path, err.line, err.column, err.message)


def check_site(site, ctx: Context) -> Iterator[Diagnostic]:  # noqa: ANN001
    for bib in site.bibliographies:
        problem = bib.source.problem
        if problem is not None:
            yield _BY_CODE[problem.code](bib.source.display, problem.line, problem.column, problem.message)


FAMILY = Family("file", "FM0", RULES, check_page=check_page, check_site=check_site)
