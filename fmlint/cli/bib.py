"""`fmlint bib …`: authoring helpers for a handbook's BibTeX bibliography."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import click

from fmlint import api
from fmlint.authoring.io import write_atomic
from fmlint.authoring.bibfmt import BibFormatError, format_bibtex
from fmlint.cli.check import common_options
from fmlint.config import ConfigError
from fmlint.rules.citations import bibliography_of, handbook_citations
from fmlint.site.bibtex import Bibliography
from fmlint.site.site import SKIP_DIRS, Handbook, find_site_root, load_site
from fmlint.site.source import display_path, read_source

MAX_BIB_BYTES = 50_000_000


@click.group()
def bib() -> None:
    """Work with a handbook's BibTeX bibliography."""


# --- list --------------------------------------------------------------------------------------

def _find_handbook(name: str, config_path: Path | None) -> tuple[Handbook, object]:
    config, found = api.resolve_config(config_path)
    given = Path(name)
    if given.exists():
        folder = given.resolve()
        if folder.is_file():
            folder = folder.parent
    else:
        root = find_site_root([Path.cwd()], found)
        folder = (root / config.handbooks_dir / name).resolve()
        if not folder.is_dir():
            raise ConfigError(f"no handbook '{name}': {display_path(folder)} does not exist "
                              "(give a handbook's folder or its slug)")
    hb_dir = (find_site_root([folder], found) / config.handbooks_dir).resolve()
    if hb_dir in folder.parents:  # a file or folder inside a handbook: the whole handbook
        folder = hb_dir / folder.relative_to(hb_dir).parts[0]
    site = load_site([folder], config, found)
    for hb in site.handbooks:
        if hb.folder.resolve() == folder or hb.folder.resolve() in folder.parents:
            return hb, site
    raise ConfigError(f"{display_path(folder)} is not inside one handbook folder under '{config.handbooks_dir}'")


@bib.command("list")
@click.argument("handbook")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@common_options
def list_keys(handbook: str, fmt: str, config_path: Path | None, debug: bool) -> int:
    """List HANDBOOK's bibliography keys and where each is cited.

    HANDBOOK is a handbook's folder (content/handbooks/foundation-models) or its slug.
    """
    hb, site = _find_handbook(handbook, config_path)
    bibliography = hb.bibliography if isinstance(hb.bibliography, Bibliography) else None
    if bibliography is None and hb.index is not None:
        bibliography = bibliography_of(hb.index, site)  # type: ignore[arg-type]
    cited = handbook_citations(hb.pages)
    entries = bibliography.entries if bibliography else []
    keys = {e.key for e in entries}
    parents = {e.crossref for e in entries if e.crossref and e.key in cited}
    data = {
        "handbook": hb.slug,
        "bibliography": bibliography.display if bibliography else None,
        "entries": [{
            "key": e.key, "type": e.entry_type, "line": e.line,
            "cited_at": [{"path": p.path, "line": c.line, "column": c.column} for p, c in cited.get(e.key, [])],
            "crossref_parent": e.key in parents,
        } for e in entries],
        "unknown": [{
            "key": key,
            "cited_at": [{"path": p.path, "line": c.line, "column": c.column} for p, c in where],
        } for key, where in sorted(cited.items()) if key not in keys],
    }
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return 0
    if bibliography is None:
        click.echo(f"{hb.slug}: no bibliography ({display_path(hb.folder / 'references.bib')} does not exist)")
    else:
        n_cited = sum(1 for e in data["entries"] if e["cited_at"])
        click.echo(f"{bibliography.display}: {len(entries)} entries, {n_cited} cited")
    width = max((len(e.key) for e in entries), default=0)
    width = max([width] + [len(u["key"]) for u in data["unknown"]])
    for e in data["entries"]:
        if e["cited_at"]:
            where = ", ".join(f"{c['path']}:{c['line']}" for c in e["cited_at"])
        elif e["crossref_parent"]:
            where = "(used through crossref)"
        else:
            where = "(not cited)"
        click.echo(f"  {e['key']:<{width}}  {e['type']:<14} {where}")
    if data["unknown"]:
        click.echo("cited but not in the bibliography:")
        for u in data["unknown"]:
            where = ", ".join(f"{c['path']}:{c['line']}" for c in u["cited_at"])
            click.echo(f"  {u['key']:<{width}}  {'':<14} {where}")
    return 0


# --- fmt ---------------------------------------------------------------------------------------

def _bib_files(paths: tuple[Path, ...]) -> list[Path]:
    found: dict[Path, None] = {}
    for path in paths or (Path("."),):
        if not path.exists():
            raise ConfigError(f"{path}: no such file or directory")
        if path.is_file():
            found[path] = None
            continue
        for f in sorted(path.rglob("*.bib")):
            rel = f.relative_to(path).parts[:-1]
            if f.is_file() and not any(p in SKIP_DIRS or p.startswith(".") for p in rel):
                found[f] = None
    return list(found)


@bib.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file would be reformatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print the changes as a unified diff.")
def fmt(paths: tuple[Path, ...], check: bool, show_diff: bool) -> int:
    """Format .bib files (PATHS: files or folders, default the current folder) in one stable layout.

    Entries keep their order and every field; types and field names are lower-cased, fields put in
    a conventional order and values written in braces. Exit codes: 0 done (or nothing to change),
    1 a file would change (--check) or cannot be formatted, 2 usage error.
    """
    changed = unchanged = failed = 0
    for path in _bib_files(paths):
        shown = display_path(path.resolve())
        source = read_source(path.resolve(), MAX_BIB_BYTES)
        if source.problem is not None:
            click.echo(f"error: cannot format {shown}:{source.problem.line}: {source.problem.message}", err=True)
            failed += 1
            continue
        try:
            formatted = format_bibtex(source.text)
        except BibFormatError as exc:
            click.echo(f"error: cannot format {shown}:{exc.line}: {exc.message}", err=True)
            failed += 1
            continue
        if formatted == source.text:
            unchanged += 1
            continue
        changed += 1
        if show_diff:
            click.echo("".join(difflib.unified_diff(
                source.text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                fromfile=f"a/{shown}", tofile=f"b/{shown}")), nl=False)
        if check or show_diff:
            click.echo(f"would reformat {shown}", err=True)
            continue
        text = formatted.replace("\n", "\r\n") if source.crlf else formatted
        write_atomic(path, (b"\xef\xbb\xbf" if source.had_bom else b"") + text.encode("utf-8"))
        click.echo(f"reformatted {shown}", err=True)
    verb = "would be reformatted" if (check or show_diff) else "reformatted"
    click.echo(f"{changed} file(s) {verb}, {unchanged} left unchanged"
               + (f", {failed} could not be formatted" if failed else ""), err=True)
    return 1 if failed or (check and changed) else 0
