"""FM5xx: citations. Each bibliography is complete and readable; every citation resolves in it.

Each handbook's `references.bib` is its bibliography (configuration `bibliography` names one
shared file instead); a key cited in one handbook does not resolve in another's. Bibliography
files are checked once each (`check_site`); citations are checked per page against the page's
handbook bibliography (`check_page`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from fmlint.diagnostics import Diagnostic
from fmlint.models.bibliography import KNOWN_TYPES, model_for, normalise_doi
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.site.bibtex import (
    CITING_TAGS,
    BibEntry,
    Bibliography,
    Citation,
    bibliography_tags,
    page_citations,
)
from fmlint.site.page import Page
from fmlint.site.site import Handbook, Site

BIB_SYNTAX = Rule("FM501", "bib-syntax-error", ERROR, "BibTeX cannot read part of the bibliography", """
What it does:
Reports a block of a `.bib` file that BibTeX cannot read: a `{` never closed (at the line that
opens it), an entry without a key or with a space in its key, a value that is not `{…}`, `"…"`,
a number or a `@string` name. The rest of the file is still read and checked.

Why:
BibTeX and jekyll-scholar skip or mangle what they cannot parse: the entry silently disappears
from the site, and every citation of it renders as a missing reference.

Bad:
    @article{vaswani2017attention,
      title = {Attention Is All You Need,
      year = 2017
    }

Good:
    @article{vaswani2017attention,
      title = {Attention Is All You Need},
      year = 2017
    }
""")

DUPLICATE_KEY = Rule("FM502", "duplicate-bib-key", ERROR, "two entries have the same key", """
What it does:
Reports an entry whose key an earlier entry of the same bibliography already uses, at the later
entry.

Why:
A citation can only mean one entry: jekyll-scholar takes the first and ignores the other, so one
of the two works can never be cited.

Bad:
    @article{smith2020, title = {Deep Nets}, ...}
    @inproceedings{smith2020, title = {Deeper Nets}, ...}

Good:
    @article{smith2020deep, title = {Deep Nets}, ...}
    @inproceedings{smith2020deeper, title = {Deeper Nets}, ...}
""")

KEY_CASE_CLASH = Rule("FM503", "bib-key-case-clash", ERROR, "two keys differ only in case", """
What it does:
Reports an entry whose key differs from an earlier entry's key only in upper/lower case, at the
later entry.

Why:
Keys match exactly in jekyll-scholar but BibTeX treats such keys as the same one ("case mismatch"),
and authors mix them up: `{% cite Vaswani2017 %}` silently picks the other work.

Bad:
    @article{vaswani2017, ...}
    @misc{Vaswani2017, ...}

Good:
    @article{vaswani2017attention, ...}
    @misc{vaswani2017blog, ...}
""")

DUPLICATE_FIELD = Rule("FM504", "duplicate-bib-field", ERROR, "an entry gives the same field twice", """
What it does:
Reports a field that its entry already has (field names are case-insensitive), at the repeated
field.

Why:
BibTeX keeps the first value and drops the second with only a warning, so an edit to the second
one never shows.

Bad:
    @article{lee2021,
      title = {A Draft Title},
      title = {The Final Title},
      ...

Good:
    @article{lee2021,
      title = {The Final Title},
      ...
""")

UNKNOWN_TYPE = Rule("FM505", "unknown-bib-entry-type", ERROR, "entry type is not a BibTeX type", """
What it does:
Reports an entry whose type is neither one of BibTeX's standard types (`article`, `book`,
`inproceedings`, `incollection`, `misc`, `techreport`, `phdthesis`, `mastersthesis`, `booklet`,
`inbook`, `manual`, `proceedings`, `unpublished`, `conference`) nor a biblatex type such as
`online` or `software`, with the closest known type.

Why:
A misspelt type is rendered by no style rule: the reference comes out incomplete or not at all.

Bad:
    @artcle{he2016deep, ...}

Good:
    @article{he2016deep, ...}
""")

MISSING_FIELD = Rule("FM506", "missing-bib-field", ERROR, "entry lacks a field its type requires, or it is empty", """
What it does:
Reports an entry without a field its type requires (at the entry), or with that field empty (at
the field). Required fields follow BibTeX's standard styles: article: author, title, journal,
year; book: author or editor, title, publisher, year; inproceedings: author, title, booktitle,
year; incollection: author, title, booktitle, publisher, year; techreport: author, title,
institution, year; phdthesis/mastersthesis: author, title, school, year; misc: title, year, and
author or howpublished or url; any other type: title. Fields inherited through `crossref` count.

Why:
A reference without its venue, authors or year cannot be found by a reader: the claim it supports
becomes unverifiable.

Bad:
    @article{devlin2019bert,
      author = {Devlin, Jacob and others},
      title = {BERT},
      year = 2019
    }

Good:
    @inproceedings{devlin2019bert,
      author = {Devlin, Jacob and others},
      title = {BERT},
      booktitle = {Proceedings of NAACL-HLT},
      year = 2019
    }
""")

UNDEFINED_STRING = Rule("FM507", "undefined-bib-string", ERROR, "a value uses a @string that is not defined", """
What it does:
Reports a bare name in a field value (or in a `@string`) that no `@string` defines and that is
not one of the standard month macros `jan` … `dec`, at the field.

Why:
BibTeX replaces an undefined macro with nothing: `journal = jmlr` prints an empty journal. A
value meant as text must be written in braces.

Bad:
    journal = jmlr,

Good:
    @string{jmlr = {Journal of Machine Learning Research}}
    ...
    journal = jmlr,
""")

UNKNOWN_CROSSREF = Rule("FM508", "unknown-bib-crossref", ERROR, "crossref names no entry", """
What it does:
Reports a `crossref` field whose key is not an entry of the same bibliography.

Why:
The entry was meant to inherit fields (usually its booktitle, publisher and year) from the
entry it names; without it those fields are missing from the reference.

Bad:
    @inproceedings{a2020, crossref = {neurips202}, ...}
    @proceedings{neurips2020, ...}

Good:
    @inproceedings{a2020, crossref = {neurips2020}, ...}
    @proceedings{neurips2020, ...}
""")

IMPLAUSIBLE_YEAR = Rule("FM509", "implausible-bib-year", ERROR, "year is not a plausible four-digit year", """
What it does:
Reports a `year` that is not four digits from 1000 to next year (`20`, `2020a`, `in press`,
`3020`).

Why:
Styles sort and label references by year; a garbled year misorders the list and points readers
to a publication that does not exist.

Bad:
    year = {20},

Good:
    year = {2020},
""")

MALFORMED_DOI = Rule("FM510", "malformed-bib-doi", ERROR, "doi is not a DOI", """
What it does:
Reports a `doi` field that is not a bare DOI (`10.<registrant>/<suffix>`, no spaces), including a
DOI written as a link (`https://doi.org/10.…`), which styles would turn into a doubled link.

Why:
Styles print the DOI as `https://doi.org/<doi>`: a malformed value is a dead link in every
reference list that shows it.

Bad:
    doi = {https://doi.org/10.48550/arXiv.1706.03762},

Good:
    doi = {10.48550/arXiv.1706.03762},
""")

MALFORMED_URL = Rule("FM511", "malformed-bib-url", ERROR, "url is not an absolute http(s) URL", """
What it does:
Reports a `url` field that is not an absolute `http`, `https` or `ftp` URL with a host, or that
holds spaces or LaTeX commands (simple escapes such as `\\_` and `\\%` are accepted).

Why:
The URL becomes a link in the reference list; a relative or garbled one is a dead link.

Bad:
    url = {www.example.org/paper},

Good:
    url = {https://www.example.org/paper},
""")

UNKNOWN_CITATION = Rule("FM512", "unknown-citation-key", ERROR, "cited key is not in the handbook's bibliography", """
What it does:
Reports a key cited with `{% cite %}`, `{% nocite %}`, `{% quote %}`, `{% reference %}` or
`{% cite_details %}` that the handbook's bibliography (its `references.bib`, or the configured
shared one) does not hold, at the key, with the closest existing key. Keys match exactly; a key
of another handbook's bibliography does not resolve. Citations inside code, HTML comments and
`{% raw %}` are not citations; a citation with `--file` names another bibliography and is not
checked.

Why:
jekyll-scholar renders an unknown key as "(missing reference)" and the build succeeds: the claim
is left without its source.

Bad:
    Transformers {% cite vaswani2017atention %} replaced recurrence.

Good:
    Transformers {% cite vaswani2017attention %} replaced recurrence.
""")

UNCITED_ENTRY = Rule("FM513", "uncited-bib-entry", WARNING, "entry is never cited in its handbook", """
What it does:
Reports an entry of a handbook's bibliography that no page of the handbook cites (an entry a
cited entry names in `crossref` counts as used).

Why:
An uncited entry is usually a citation that was deleted or misspelt; with
`{% bibliography --cited %}` it is never shown, so it only rots.

Bad:
    @article{unused2019, ...}    (no page has {% cite unused2019 %})

Good:
    Cite it where it supports a claim, or remove it (or list it with {% nocite unused2019 %}).
""")

DUPLICATE_WORK = Rule("FM514", "duplicate-bib-work", WARNING, "the same work appears under two keys", """
What it does:
Reports an entry with the same DOI as an earlier entry, or the same title and year (compared
without case, braces, accents and punctuation), at the later entry.

Why:
Pages citing the two keys show the same work twice in the reference list, and corrections made
to one entry never reach the other.

Bad:
    @article{vaswani2017, title = {Attention Is All You Need}, year = 2017, ...}
    @misc{vaswani2017attention, title = {Attention is all you need}, year = 2017, ...}

Good:
    Keep one entry and cite its key everywhere.
""")

MISSING_BIBLIOGRAPHY_TAG = Rule("FM515", "missing-bibliography-tag", WARNING,
                                "page cites but has no {% bibliography %} tag", """
What it does:
Reports a page that cites with `{% cite %}`, `{% nocite %}` or `{% quote %}` but prints no
reference list with `{% bibliography %}`, at the navigation `<script>` (where the list belongs:
the end of the content), or at the last line.

Why:
A citation renders as a link to its entry in the page's reference list; without the list the
links lead nowhere and readers cannot see the sources.

Bad:
    Transformers {% cite vaswani2017attention %} replaced recurrence.

    <script>
      window.previousSection = "/content/handbooks/x/section3/";

Good:
    Transformers {% cite vaswani2017attention %} replaced recurrence.

    ## References

    {% bibliography --cited %}

    <script>
      window.previousSection = "/content/handbooks/x/section3/";
""")

RULES = (BIB_SYNTAX, DUPLICATE_KEY, KEY_CASE_CLASH, DUPLICATE_FIELD, UNKNOWN_TYPE, MISSING_FIELD,
         UNDEFINED_STRING, UNKNOWN_CROSSREF, IMPLAUSIBLE_YEAR, MALFORMED_DOI, MALFORMED_URL,
         UNKNOWN_CITATION, UNCITED_ENTRY, DUPLICATE_WORK, MISSING_BIBLIOGRAPHY_TAG)

_ISSUE_RULES = {"implausible_year": IMPLAUSIBLE_YEAR, "malformed_doi": MALFORMED_DOI,
                "malformed_url": MALFORMED_URL}


# --- helpers -----------------------------------------------------------------------------------

def _closest(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> str | None:
    pool = list(candidates)
    folded = [c for c in pool if c.lower() == word.lower()]
    if folded:
        return folded[0]
    match = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return match[0] if match else None


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    best = _closest(word, candidates)
    return f" (did you mean '{best}'?)" if best else ""


def normalise_title(title: str) -> str:
    text = re.sub(r"\\[A-Za-z]+\*?", "", title)  # LaTeX commands (\emph, \textit), keep their argument
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text.lower())


def _or(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def shared_bibliography(site: Site) -> Bibliography | None:
    if not site.config.bibliography:
        return None
    target = (site.root / site.config.bibliography).resolve()
    for bib in site.bibliographies:
        if isinstance(bib, Bibliography) and Path(bib.path).resolve() == target:
            return bib
    return None


def bibliography_of(page: Page, site: Site) -> Bibliography | None:
    handbook = page.handbook
    if isinstance(handbook, Handbook) and isinstance(handbook.bibliography, Bibliography):
        return handbook.bibliography
    return shared_bibliography(site)


def expected_bibliography(page: Page, site: Site) -> str:
    """Where the page's bibliography should be (for messages when it does not exist)."""
    if site.config.bibliography:
        return site.config.bibliography
    handbook = page.handbook
    if isinstance(handbook, Handbook):
        try:
            return (handbook.folder / "references.bib").relative_to(site.root).as_posix()
        except ValueError:
            return (handbook.folder / "references.bib").as_posix()
    return "a bibliography"


# --- one bibliography file ---------------------------------------------------------------------

def check_bibliography(bib: Bibliography) -> Iterator[Diagnostic]:
    path = bib.display
    for problem in bib.problems:
        yield BIB_SYNTAX(path, problem.line, problem.column, problem.message)
    for string_name, macro, line in bib.undefined_in_strings:
        yield UNDEFINED_STRING(path, line, 1, f"@string{{{string_name}}} uses '{macro}', which no @string "
                                              "defines before it: define it first or write the text in braces")
    first_by_key: dict[str, BibEntry] = {}
    first_by_folded: dict[str, BibEntry] = {}
    keys = {e.key for e in bib.entries} | bib.broken_keys
    for entry in bib.entries:
        if entry.key in first_by_key:
            first = first_by_key[entry.key]
            yield DUPLICATE_KEY(path, entry.line, 1, f"key '{entry.key}' is already used by the entry on line "
                                                     f"{first.line}: rename this entry or remove it")
        else:
            first_by_key[entry.key] = entry
            other = first_by_folded.get(entry.key.lower())
            if other is not None:
                yield KEY_CASE_CLASH(path, entry.line, 1, f"key '{entry.key}' differs from '{other.key}' (line "
                                                          f"{other.line}) only in case: BibTeX treats them as one "
                                                          "key; rename one of them")
            else:
                first_by_folded[entry.key.lower()] = entry
        yield from _check_entry(bib, entry, keys)
    yield from _duplicate_works(bib)


def _check_entry(bib: Bibliography, entry: BibEntry, keys: set[str]) -> Iterator[Diagnostic]:
    path = bib.display
    label = f"@{entry.entry_type} '{entry.key}'"
    for f in entry.repeated_fields:
        first = entry.fields[f.name]
        yield DUPLICATE_FIELD(path, f.line, f.column, f"field '{f.name}' of '{entry.key}' is already given on line "
                                               f"{first.line}: BibTeX keeps the first; remove one")
    if entry.entry_type not in KNOWN_TYPES:
        yield UNKNOWN_TYPE(path, entry.line, 1, f"'@{entry.written_type}' is not a BibTeX entry type"
                                                f"{_did_you_mean(entry.entry_type, sorted(KNOWN_TYPES))}: "
                                                "use a standard type such as @article or @misc")
    for f in entry.fields.values():
        if f.problem:
            yield BIB_SYNTAX(path, f.line, f.column, f"field '{f.name}' of '{entry.key}': {f.problem}")
        for macro in f.undefined:
            yield UNDEFINED_STRING(path, f.line, f.column, f"'{macro}' in field '{f.name}' of '{entry.key}' is not a "
                                                    "defined @string: write the text in braces "
                                                    f"({{…}}) or define @string{{{macro} = {{…}}}}")
    crossref = entry.fields.get("crossref")
    dangling = bool(entry.crossref) and entry.crossref not in keys
    if dangling:
        yield UNKNOWN_CROSSREF(path, crossref.line if crossref else entry.line,
                               crossref.column if crossref else 1,
                               f"crossref '{entry.crossref}' of '{entry.key}' names no entry of this bibliography"
                               f"{_did_you_mean(entry.crossref, keys)}: fix the key or add the entry")
    merged = bib.fields_with_crossref(entry)
    unreadable = {n for n, f in merged.items() if f.undefined or f.problem}
    for issue in model_for(entry.entry_type).issues({n: f.value for n, f in merged.items()}):
        name = issue.fields[0]
        own = entry.fields.get(name)
        if issue.kind == "missing":
            if dangling or any(n in unreadable for n in issue.fields):
                continue  # the fields may come with the crossref once its key is fixed
            what = _or(issue.fields)
            yield MISSING_FIELD(path, entry.line, 1, f"{label} has no {what}, which its type requires: "
                                                     f"add `{issue.fields[0]} = {{…}}`")
        elif own is None or name in unreadable:
            continue  # inherited through crossref: reported at the entry that holds it, if anywhere
        elif issue.kind == "empty_field":
            yield MISSING_FIELD(path, own.line, own.column, f"{name} of {label} is empty: fill it in")
        elif issue.kind in _ISSUE_RULES:
            yield _ISSUE_RULES[issue.kind](path, own.line, own.column, f"{name} of '{entry.key}': {issue.message}")


def _duplicate_works(bib: Bibliography) -> Iterator[Diagnostic]:
    by_doi: dict[str, BibEntry] = {}
    by_title: dict[tuple[str, str], BibEntry] = {}
    seen_keys: set[str] = set()
    for entry in bib.entries:
        if entry.key in seen_keys:
            continue  # a repeated key is FM502
        seen_keys.add(entry.key)
        earlier: BibEntry | None = None
        reason = ""
        doi = normalise_doi(entry.get("doi") or "")
        if doi:
            if doi in by_doi:
                earlier, reason = by_doi[doi], f"the same DOI ({doi})"
            else:
                by_doi[doi] = entry
        title = normalise_title(entry.get("title") or "")
        year = re.sub(r"\D", "", entry.get("year") or "")
        if title and year:
            if earlier is None and (title, year) in by_title:
                earlier, reason = by_title[(title, year)], "the same title and year"
            by_title.setdefault((title, year), entry)
        if earlier is not None:
            yield DUPLICATE_WORK(bib.display, entry.line, 1,
                                 f"'{entry.key}' has {reason} as '{earlier.key}' (line {earlier.line}): keep one "
                                 "entry and cite its key everywhere")


# --- citations ---------------------------------------------------------------------------------

def check_page(page: Page, ctx: Context) -> Iterator[Diagnostic]:
    if page.source.problem is not None:
        return
    cites = page_citations(page)
    if not cites:
        return
    if ctx.wants(UNKNOWN_CITATION.code):
        yield from _unknown_keys(page, cites, ctx.site)
    if ctx.wants(MISSING_BIBLIOGRAPHY_TAG.code) and not bibliography_tags(page):
        listed = [c for c in cites if CITING_TAGS[c.tag]]
        if listed:
            line = page.nav_blocks[0].line if page.nav_blocks else max(len(page.lines) - 1, 1)
            while line > 1 and not page.line_text(line).strip():
                line -= 1
            first = listed[0]
            yield MISSING_BIBLIOGRAPHY_TAG(
                page.path, line, 1,
                f"the page cites {len({c.key for c in listed})} key(s) (first '{first.key}' on line {first.line}) "
                "but prints no reference list: add `{% bibliography --cited %}` at the end of the content")


def _unknown_keys(page: Page, cites: list[Citation], site: Site) -> Iterator[Diagnostic]:
    bib = bibliography_of(page, site)
    if bib is None:
        if page.handbook is None and not site.config.bibliography:
            return  # a page outside any handbook, and no site-wide bibliography: nothing to resolve against
        where = expected_bibliography(page, site)
        for c in cites:
            if not c.other_file:
                yield UNKNOWN_CITATION(page.path, c.line, c.column,
                                       f"'{c.key}' cannot resolve: the bibliography {where} does not exist; "
                                       "create it with this entry")
        return
    if bib.source.problem is not None:
        return  # FM0xx already reports the unreadable file
    keys = {e.key for e in bib.entries}
    for c in cites:
        if c.other_file or c.key in keys or c.key in bib.broken_keys:
            continue
        yield UNKNOWN_CITATION(page.path, c.line, c.column,
                               f"'{c.key}' is not a key of {bib.display}{_did_you_mean(c.key, keys)}: "
                               "fix the key or add the entry")


def handbook_citations(pages: Iterable[Page]) -> dict[str, list[tuple[Page, Citation]]]:
    """Key -> where it is cited, over these pages (in page order)."""
    found: dict[str, list[tuple[Page, Citation]]] = {}
    for page in pages:
        if page.source.problem is None:
            for c in page_citations(page):
                if not c.other_file:
                    found.setdefault(c.key, []).append((page, c))
    return found


def _uncited(site: Site) -> Iterator[Diagnostic]:
    users: dict[int, tuple[Bibliography, list[Handbook]]] = {}
    for hb in site.handbooks:
        if isinstance(hb.bibliography, Bibliography):
            users.setdefault(id(hb.bibliography), (hb.bibliography, []))[1].append(hb)
    shared = shared_bibliography(site)
    for bib, handbooks in users.values():
        if bib.source.problem is not None:
            continue
        pages = [p for hb in handbooks for p in hb.pages]
        if bib is shared:
            if not _all_handbooks_loaded(site):
                continue  # other handbooks may cite what this run cannot see
            pages += [p for p in site.pages if p.handbook is None]
        if any(p.source.problem is not None for p in pages):
            continue  # an unreadable page may cite anything
        cited = set(handbook_citations(pages))
        by_key = bib.by_key
        used = set(cited)
        for key in cited:  # a cited entry's crossref parents are used too
            entry = by_key.get(key)
            hops = 0
            while entry is not None and entry.crossref and hops < 10:
                used.add(entry.crossref)
                entry = by_key.get(entry.crossref)
                hops += 1
        reported: set[str] = set()
        for entry in bib.entries:
            if entry.key in used or entry.key in reported:
                continue
            reported.add(entry.key)
            where = ", ".join(sorted(hb.slug for hb in handbooks))
            yield UNCITED_ENTRY(bib.display, entry.line, 1,
                                f"'{entry.key}' is never cited in {'handbook ' if len(handbooks) == 1 else 'handbooks '}"
                                f"{where}: cite it, list it with {{% nocite {entry.key} %}}, or remove it")


def _all_handbooks_loaded(site: Site) -> bool:
    folder = (site.root / site.config.handbooks_dir).resolve()
    on_disk = {p.parent.name for p in folder.glob("*/index.md")} if folder.is_dir() else set()
    return on_disk <= {hb.slug for hb in site.handbooks}


def check_site(site: Site, ctx: Context) -> Iterator[Diagnostic]:
    for bib in site.bibliographies:
        if isinstance(bib, Bibliography) and bib.source.problem is None:
            yield from check_bibliography(bib)
    if ctx.wants(UNCITED_ENTRY.code):
        yield from _uncited(site)


FAMILY = Family("citations", "FM5", RULES, check_page=check_page, check_site=check_site)
