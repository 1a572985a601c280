"""`fmlint new section`, `new handbook`, `move section`, `remove section`: the bookkeeping of a handbook's structure.

A renumbering is a map from old section numbers to new ones (None: removed). It is carried out in
two phases on an in-memory `Workspace`:

1. from the site as it is: every file of a section folder that moves goes to its new folder
   (`section3/` -> `section4/`, all at once, so folders can shift into each other), the page's
   `section:` key is set, the index cards of moved sections get their new id, numeral and title
   numeral (so each card is still matched to its own section), a removed section's card is taken
   out, and every link on the handbooks' pages to a moved page or file is rewritten (relative links
   included, and "Section V" link texts that name the old number);
2. `fmlint fix` on the result: titles from `section`, subsection numbers, links to the headings
   whose ids those numbers change, card order and fields, the new section's card, navigation.

Nothing is written until the caller commits the workspace; files outside the handbooks folder are
never changed (links to moved pages from pages outside it are reported instead).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from fmlint.authoring.edits import Edit, Lines, apply_edits, closing_tag, find_start_tag
from fmlint.authoring.fix import FixReport, card_lines, fix_workspace, read_cards, yaml_text_edit
from fmlint.authoring.links import Moves, links_to, relink, unlink
from fmlint.authoring.workspace import Workspace
from fmlint.config import Config
from fmlint.engine import run_checks
from fmlint.rules.citations import handbook_citations
from fmlint.site.numerals import to_roman
from fmlint.site.page import Page
from fmlint.site.site import Handbook, Site, load_site, page_url
from fmlint.site.source import display_path

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_TITLE_PREFIX = re.compile(r"^\s*Section\s+[A-Za-z0-9]+\s*:\s*")
_CARD_TITLE_NUMERAL = re.compile(r"Section\s+([IVXLCDM]+)(?![A-Za-z])")
DEFAULT_STYLESHEET = "<link rel=\"stylesheet\" href=\"{{ '/assets/css/section-academic.css' | relative_url }}\">"
DEFAULT_LOADER = "<script src=\"{{ '/assets/js/section-academic.js' | relative_url }}\"></script>"


class SectionError(Exception):
    """The command cannot be carried out as asked (nothing was changed)."""


@dataclass
class Outcome:
    """What a command did (or would do): the workspace to commit and lines for the user."""

    workspace: Workspace
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fix_report: FixReport | None = None


# --- finding things ------------------------------------------------------------------------------

def _no_exec(config: Config) -> Config:
    data = config.model_dump(by_alias=False)
    data["snippets"] = {**data["snippets"], "execute": False}
    return Config.model_validate(data)


def _handbooks_dir(ws: Workspace) -> Path:
    return ws.handbooks if ws.handbooks.is_dir() else ws.root


def load(ws: Workspace, config: Config, config_path: Path | None) -> Site:
    return ws.load([_handbooks_dir(ws)], config, config_path)


def find_handbook(site: Site, name: str) -> Handbook:
    """The handbook named by its slug (or its folder)."""
    wanted = Path(name).name if "/" in name or "\\" in name else name
    for hb in site.handbooks:
        if hb.slug == wanted or hb.folder == Path(name).resolve():
            return hb
    known = ", ".join(hb.slug for hb in site.handbooks) or "none"
    raise SectionError(f"no handbook '{name}' under {display_path(site.root / site.config.handbooks_dir)} "
                       f"(handbooks: {known})")


def _sections(hb: Handbook) -> list[tuple[int, Page]]:
    """The sections, which must run 1..N (a renumbering of a broken sequence would be a guess)."""
    pages = [p for p in hb.pages if p.role == "section"]
    numbers = sorted(p.folder_number for p in pages if p.folder_number is not None)
    if numbers != list(range(1, len(numbers) + 1)):
        raise SectionError(f"the sections of {hb.slug} are numbered {numbers}, not 1..{len(numbers)}: "
                           "fix the folder numbers first (fmlint check reports them as FM201/FM202)")
    for page in hb.pages:  # pages whose numbers, cards or navigation change must be readable
        problem = page.source.problem or page.front_matter_problem
        if page.role in ("index", "section") and problem is not None:
            where = f":{problem.line}" if problem.line > 1 else ""
            raise SectionError(f"{page.path}{where}: {problem.message.rstrip('.')}: fix it first "
                               "(fmlint check reports it)")
    return hb.ordered_sections


def _title_name(title: str) -> str:
    name = _TITLE_PREFIX.sub("", title).strip()
    if not name:
        raise SectionError("the title is empty: give the section's name, e.g. --title \"Scaling Laws\"")
    return name


def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


# --- phase 1: renumbering -----------------------------------------------------------------------

def renumber(ws: Workspace, site: Site, hb: Handbook, mapping: dict[int, int | None], outcome: Outcome,
             extra: dict[Path, list[Edit]] | None = None) -> Moves:
    """Move section folders by `mapping` (old number -> new, None: removed), set their `section:`,
    keep each card with its section and rewrite every link to what moved. Returns what moved.
    `extra` edits (by file, on the files as they are now) are made at the same time."""
    moves = Moves()
    edits: dict[Path, list[Edit]] = {p: list(e) for p, e in (extra or {}).items()}
    pairs: list[tuple[Path, Path]] = []
    pretty = site.jekyll_config.get("permalink") == "pretty"
    pages_by_path = {p.source.path: p for p in site.pages}
    new_url_of_page: dict[Path, str] = {}
    for n, page in hb.ordered_sections:
        m = mapping.get(n, n)
        if m == n:
            continue
        old_folder = page.source.path.parent
        if m is None:
            for f in ws.files_under(old_folder):
                ws.remove(f)
            outcome.notes.append(f"removed {display_path(old_folder)}/")
            continue
        new_folder = hb.folder / f"section{m}"
        for f in ws.files_under(old_folder):
            new = new_folder / f.relative_to(old_folder)
            pairs.append((f, new))
            rel_old = f.relative_to(site.root).as_posix()
            rel_new = new.relative_to(site.root).as_posix()
            moves.sources[rel_old] = rel_new
            moved_page = pages_by_path.get(f)
            if moved_page is not None:
                permalink = moved_page.front_matter.get("permalink") if moved_page.front_matter else None
                new_url = page_url(Path(rel_new), permalink, pretty)
                new_url_of_page[f] = new_url
                if new_url != moved_page.url:
                    moves.urls[moved_page.url] = new_url
            elif f.suffix not in (".md", ".markdown"):
                moves.urls["/" + rel_old] = "/" + rel_new
        moves.numbers[page.url] = (n, m)
        key = yaml_text_edit(page, "section", r"(\d+)", str(m), m, "FM203", f"section: {n} -> {m}")
        if key is None:
            raise SectionError(f"{page.path}: cannot set `section: {m}` (its `section:` key is not a plain number)")
        edits.setdefault(page.source.path, []).append(key)
        outcome.notes.append(f"moved {display_path(old_folder)}/ -> {display_path(new_folder)}/ "
                             f"(section {n} -> {m})")
    _cards(ws, site, hb, mapping, edits, outcome)
    linked = 0
    for page in site.pages:
        if page.source.problem is not None or not ws.writable(page.source.path):
            continue
        found = relink(site, page, moves, new_page_url=new_url_of_page.get(page.source.path))
        if found:
            linked += sum(1 for e in found if e.note)
            edits.setdefault(page.source.path, []).extend(found)
    texts: dict[Path, str] = {}
    for path, page_edits in edits.items():
        if not ws.exists(path):
            continue  # a removed page
        new_text, _, deferred = apply_edits(ws.read(path), page_edits)
        if deferred:
            raise SectionError(f"{pages_by_path[path].path}: overlapping changes; nothing was changed")
        texts[path] = new_text
    moving = {old for old, _ in pairs}
    for path, text in texts.items():
        if path not in moving and ws.exists(path):
            ws.write(path, text)
    ws.move_many(pairs, {p: t for p, t in texts.items() if p in moving})
    if linked:
        outcome.notes.append(f"updated {linked} link{'s' if linked != 1 else ''} to moved pages")
    _outside_links(site, moves, outcome)
    return moves


def _cards(ws: Workspace, site: Site, hb: Handbook, mapping: dict[int, int | None], edits: dict[Path, list[Edit]],
           outcome: Outcome) -> None:
    """Give each moved section's card its new id, numeral and title numeral; take out a removed one's."""
    found = read_cards(hb, site)
    if found is None:
        return
    text = found.index.source.text
    lines = Lines(text)
    out = edits.setdefault(found.index.source.path, [])
    for n, card in found.placed:
        m = mapping.get(n, n)
        if m == n:
            continue
        if m is None:
            span = _card_lines(lines, card)
            if span is None:
                outcome.warnings.append(f"{found.index.path}:{card.line}: the card of section {n} shares its lines "
                                        "with other content: remove it by hand")
                continue
            out.append(Edit(span[0], span[1], "", "FM702", f"removed the card of section {n}"))
            continue
        if card.numeral is not None:
            at = lines.offset(card.numeral.line, card.numeral.column)
            if text[at:at + len(card.numeral.text)] == card.numeral.text:
                out.append(Edit(at, at + len(card.numeral.text), to_roman(m), "FM706", ""))
        if card.h3 is not None:
            tag = find_start_tag(text, lines, card.h3.line, card.h3.column, "h3")
            if tag is not None and "id" in tag.attrs and tag.attrs["id"].quote:
                attr = tag.attrs["id"]
                out.append(Edit(attr.value_start, attr.value_end, f"s{m}", "FM707", ""))
        if card.title_link is not None:
            tag = find_start_tag(text, lines, card.title_link.line, card.title_link.column, "a")
            close = closing_tag(text, "a", tag.end) if tag is not None else None
            if tag is not None and close is not None:
                t = _CARD_TITLE_NUMERAL.search(text, tag.end, close)
                if t is not None:
                    out.append(Edit(t.start(1), t.end(1), to_roman(m), "FM709", ""))


def _card_lines(lines: Lines, card) -> tuple[int, int] | None:  # noqa: ANN001
    span = card_lines(lines, card)
    if span is None:
        return None
    first, last = span
    start, end = lines.line_start(first), lines.after_line(last)
    if last < lines.count and not lines.line_text(last + 1).strip():
        end = lines.after_line(last + 1)  # the blank line that separated it from the next card
    elif first > 1 and not lines.line_text(first - 1).strip():
        start = lines.line_start(first - 1)
    return start, end


def _outside_links(site: Site, moves: Moves, outcome: Outcome) -> None:
    """Links from pages outside the handbooks (never changed) to pages that moved: report them."""
    if not moves.urls:
        return
    try:
        everything = load_site([site.root], site.config)
    except Exception:  # noqa: BLE001  (a report only; the handbooks themselves were read fine)
        return
    hb_dir = (site.root / site.config.handbooks_dir).resolve()
    for url, found in links_to(everything, moves.urls).items():
        for page, link in found:
            if hb_dir not in page.source.path.parents:
                outcome.warnings.append(f"{page.path}:{link.line}: links to {url}, which moves to {moves.urls[url]}: "
                                        "update it by hand (fmlint changes only files inside the handbooks)")


# --- the commands ---------------------------------------------------------------------------------

def _finish(ws: Workspace, config: Config, config_path: Path | None, hb: Handbook, outcome: Outcome) -> Outcome:
    outcome.fix_report = fix_workspace(ws, [_handbooks_dir(ws)], config, config_path, focus=hb.folder)
    return outcome


def _template_lines(hb: Handbook) -> tuple[str, str, str]:
    """The layout, stylesheet line and script loader line the handbook's pages use."""
    sample = next((p for _, p in hb.ordered_sections), None) or hb.index
    layout = "default"
    stylesheet, loader = DEFAULT_STYLESHEET, DEFAULT_LOADER
    if sample is not None:
        value = sample.front_matter.get("layout") if sample.front_matter else None
        layout = value if isinstance(value, str) and value.strip() else layout
        for line in sample.lines:
            stripped = line.strip()
            if stripped.startswith("<link") and "stylesheet" in stripped:
                stylesheet = stripped
            elif stripped.startswith("<script") and "src=" in stripped and stripped.endswith("</script>"):
                loader = stripped
    return layout, stylesheet, loader


def section_text(hb: Handbook, number: int, name: str, goal: str, *, previous: str, next_url: str | None,
                 subsection: str = "Overview", key_concept: bool = True) -> str:
    layout, stylesheet, loader = _template_lines(hb)
    nav = f'  window.previousSection = "{previous}";\n'
    if next_url:
        nav += f'  window.nextSection = "{next_url}";\n'
    # The goal as a first key concept, unless it holds Liquid (Jekyll would evaluate it in the page body).
    concept = (f'<div class="key-concept">\n  <strong>Key concept:</strong> {html.escape(goal, quote=False)}\n'
               '</div>\n\n' if key_concept and "{{" not in goal and "{%" not in goal else "")
    return (
        "---\n"
        f"layout: {layout}\n"
        f"title: {yaml_string(f'Section {to_roman(number)}: {name}')}\n"
        f"description: {yaml_string(goal)}\n"
        f"section: {number}\n"
        "---\n\n"
        f"{stylesheet}\n\n"
        f"## {number}.1 {subsection}\n\n"
        f"{concept}"
        "## References\n\n"
        "{% bibliography --cited %}\n\n"
        f"<script>\n{nav}</script>\n\n"
        f"{loader}\n"
    )


def new_section(ws: Workspace, config: Config, config_path: Path | None, handbook: str, title: str, goal: str,
                at: int | None = None, *, subsection: str = "Overview") -> Outcome:
    outcome = Outcome(ws)
    site = load(ws, config, config_path)
    hb = find_handbook(site, handbook)
    sections = _sections(hb)
    total = len(sections)
    at = total + 1 if at is None else at
    if not 1 <= at <= total + 1:
        raise SectionError(f"--at {at}: {hb.slug} has {total} sections, so a new one goes at 1..{total + 1}")
    name = _title_name(title)
    goal = " ".join(goal.split())
    if not goal:
        raise SectionError("the goal is empty: say in one sentence what the section does (--goal)")
    if "\n" in subsection or not subsection.strip():
        raise SectionError("--subsection must be a one-line heading text")
    mapping: dict[int, int | None] = {n: (n + 1 if n >= at else n) for n, _ in sections}
    moves = renumber(ws, site, hb, mapping, outcome)
    folder = hb.folder / f"section{at}"
    previous = hb.index.url if at == 1 and hb.index is not None else (
        hb.url if at == 1 else moves.urls.get(hb.section_url(at - 1), hb.section_url(at - 1)))
    following = hb.sections.get(at)
    next_url = moves.urls.get(following.url, following.url) if following is not None else None
    path = folder / "index.md"
    ws.write(path, section_text(hb, at, name, goal, previous=previous, next_url=next_url,
                                subsection=subsection.strip()))
    outcome.notes.insert(0, f"created {display_path(path)} (Section {to_roman(at)}: {name})")
    return _finish(ws, config, config_path, hb, outcome)


def move_section(ws: Workspace, config: Config, config_path: Path | None, handbook: str, number: int,
                 to: int) -> Outcome:
    outcome = Outcome(ws)
    site = load(ws, config, config_path)
    hb = find_handbook(site, handbook)
    total = len(_sections(hb))
    for value, what in ((number, "N"), (to, "--to")):
        if not 1 <= value <= total:
            raise SectionError(f"{what} {value}: {hb.slug} has sections 1..{total}")
    if number == to:
        outcome.notes.append(f"section {number} is already section {to}: nothing to do")
        return outcome
    order = [n for n in range(1, total + 1) if n != number]
    order.insert(to - 1, number)
    mapping: dict[int, int | None] = {old: new for new, old in enumerate(order, start=1)}
    renumber(ws, site, hb, mapping, outcome)
    return _finish(ws, config, config_path, hb, outcome)


def remove_section(ws: Workspace, config: Config, config_path: Path | None, handbook: str, number: int, *,
                   force: bool = False, keep_references: bool = False) -> Outcome:
    outcome = Outcome(ws)
    site = load(ws, config, config_path)
    hb = find_handbook(site, handbook)
    total = len(_sections(hb))
    if not 1 <= number <= total:
        raise SectionError(f"section {number}: {hb.slug} has sections 1..{total}")
    page = hb.sections[number]
    incoming = [(p, link) for p, link in links_to(site, {page.url: None}).get(page.url, [])
                if p is not page and not (p is hb.index and _in_card(link))]
    try:
        everything = load_site([site.root], site.config)
        incoming += [(p, link) for p, link in links_to(everything, {page.url: None}).get(page.url, [])
                     if ws.handbooks not in p.source.path.parents]
    except Exception:  # noqa: BLE001,S110  (pages outside the handbooks are only reported)
        pass
    if incoming:
        listing = "; ".join(f"{path}:{line}" for path, line in sorted({(p.path, link.line) for p, link in incoming}))
        if not force:
            raise SectionError(f"section {number} ({page.url}) is linked from other pages: {listing}. "
                               "Remove or change those links first, or use --force to remove it anyway "
                               "(links on the handbooks' pages then become plain text; others are left broken)")
    extra: dict[Path, list[Edit]] = {}
    kept: list[str] = []
    for p in {id(p): p for p, _ in incoming}.values():
        mine = [link for q, link in incoming if q is p]
        if ws.writable(p.source.path) and p.parsed:
            extra[p.source.path] = unlink(p, mine)
        if len(extra.get(p.source.path, ())) < len(mine):
            kept += [f"{p.path}:{link.line}" for link in mine]
    if incoming:
        outcome.notes.append(f"unlinked {sum(len(e) for e in extra.values())} link(s) to the removed section "
                             "(their text is kept)")
    if kept:
        outcome.warnings.append(f"these links still point at {page.url}, which another section now takes: "
                                f"{'; '.join(kept)}")
    cited_before = set(handbook_citations(hb.pages))
    mapping: dict[int, int | None] = {n: (None if n == number else n - 1 if n > number else n)
                                      for n in range(1, total + 1)}
    renumber(ws, site, hb, mapping, outcome, extra)
    _finish(ws, config, config_path, hb, outcome)
    if not keep_references:
        _drop_uncited(ws, config, config_path, hb, cited_before, outcome)
    return outcome


def _in_card(link) -> bool:  # noqa: ANN001
    el = link.element.parent if link.element is not None else None
    while el is not None:
        if el.tag == "div" and "section-card" in el.attrs.get("class", "").split():
            return True
        el = el.parent
    return False


def _drop_uncited(ws: Workspace, config: Config, config_path: Path | None, hb: Handbook, cited_before: set[str],
                  outcome: Outcome) -> None:
    """Remove the bibliography entries that only the removed section cited (its references go with it)."""
    bib_path = hb.folder / "references.bib"
    if config.bibliography or hb.bib_path != bib_path or not ws.exists(bib_path):
        return
    site = load(ws, config, config_path)
    after = next((h for h in site.handbooks if h.slug == hb.slug), None)
    bib = getattr(after, "bibliography", None)
    if after is None or bib is None or getattr(bib, "problems", None):
        return
    cited = set(handbook_citations(after.pages))
    by_key = bib.by_key
    used = set(cited)
    for key in cited:
        entry, hops = by_key.get(key), 0
        while entry is not None and entry.crossref and hops < 10:
            used.add(entry.crossref)
            entry, hops = by_key.get(entry.crossref), hops + 1
    text = ws.read(bib_path)
    lines = Lines(text)
    edits = []
    dropped = []
    for entry in bib.entries:
        if entry.key in cited_before and entry.key not in used and lines.line_text(entry.line).lstrip().startswith("@"):
            start, end = lines.line_start(entry.line), lines.after_line(entry.end_line)
            if entry.end_line < lines.count and not lines.line_text(entry.end_line + 1).strip():
                end = lines.after_line(entry.end_line + 1)
            edits.append(Edit(start, end, "", "FM513", entry.key))
            dropped.append(entry.key)
    if edits:
        new_text, applied, _ = apply_edits(text, edits)
        ws.write(bib_path, new_text)
        outcome.notes.append(f"removed {len(applied)} bibliography entr{'y' if len(applied) == 1 else 'ies'} "
                             f"only the removed section cited: {', '.join(dropped)} (keep them with --keep-references)")


# --- new handbook ----------------------------------------------------------------------------------

def index_text(title: str, description: str, stylesheet: str = DEFAULT_STYLESHEET,
               loader: str = DEFAULT_LOADER, layout: str = "default") -> str:
    return (
        "---\n"
        f"layout: {layout}\n"
        f"title: {yaml_string(title)}\n"
        f"description: {yaml_string(description)}\n"
        "---\n\n"
        f"{stylesheet}\n\n"
        '<h2 id="handbook-sections">Handbook Sections</h2>\n\n'
        '<div class="sections-grid">\n'
        "</div>\n\n"
        "<script>\n"
        "  // Navigation variables - no previous for index\n"
        "</script>\n\n"
        f"{loader}\n"
    )


def new_handbook(ws: Workspace, config: Config, config_path: Path | None, slug: str, title: str,
                 description: str | None = None) -> Outcome:
    outcome = Outcome(ws)
    if not _SLUG.match(slug):
        raise SectionError(f"'{slug}' is not a handbook slug: use lower-case letters, digits and '-' "
                           "(e.g. reinforcement-learning)")
    folder = ws.handbooks / slug
    if folder.exists() or ws.files_under(folder):
        raise SectionError(f"{display_path(folder)} already exists")
    title = " ".join(title.split())
    if not title:
        raise SectionError("the title is empty: --title \"Reinforcement Learning Handbook\"")
    description = " ".join((description or f"The {title}.").split())
    layout, stylesheet, loader = "default", DEFAULT_STYLESHEET, DEFAULT_LOADER
    if ws.handbooks.is_dir():
        site = load(ws, config, config_path)
        if site.handbooks:
            layout, stylesheet, loader = _template_lines(site.handbooks[0])
    index = folder / "index.md"
    ws.write(index, index_text(title, description, stylesheet, loader, layout))
    ws.write(folder / "references.bib", "")
    outcome.notes += [f"created {display_path(index)} ({title})", f"created {display_path(folder / 'references.bib')}"]
    return outcome


# --- checking the result ---------------------------------------------------------------------------

def new_findings(before: Workspace, after: Workspace, config: Config, config_path: Path | None) -> list[str]:
    """Codes `fmlint check --no-exec` reports more often on the handbooks after the command than before."""
    cfg = _no_exec(config)

    def counts(ws: Workspace) -> Counter[str]:
        site = load(ws, cfg, config_path)
        return Counter(d.code for d in run_checks(site, cfg).diagnostics)

    old, new = counts(before), counts(after)
    return sorted(f"{code} x{new[code] - old[code]}" for code in new if new[code] > old[code])
