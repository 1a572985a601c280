"""Runs the rule families over the site model, then selection, severities and suppressions."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fmlint.config import Config
from fmlint.diagnostics import Diagnostic, Severity
from fmlint.rules import FAMILIES, all_rules
from fmlint.rules.base import Context
from fmlint.rules import file as file_family
from fmlint.rules.file import INTERNAL_ERROR, UNUSED_SUPPRESSION
from fmlint.site.site import Site, matches_glob
from fmlint.suppressions import page_suppressions


@dataclass
class Result:
    diagnostics: list[Diagnostic]
    files: int


def selector(config: Config) -> Callable[[str], bool]:
    select = tuple(config.select) + tuple(config.extend_select)
    ignore = tuple(config.ignore)

    def selected(code: str) -> bool:
        # The longest matching prefix decides, as in ruff: select FM4 + ignore FM40 + select FM401.
        best_sel = max((len(p) for p in select if code.startswith(p)), default=-1)
        best_ign = max((len(p) for p in ignore if code.startswith(p)), default=-1)
        return best_sel >= 0 and best_sel > best_ign

    return selected


def _guarded(run: Callable[[], Iterable[Diagnostic]], path: str, where: str, debug: bool) -> list[Diagnostic]:
    try:
        return list(run())
    except Exception as exc:  # noqa: BLE001  (a crash in one check must not hide the others)
        if debug:
            traceback.print_exc()
        return [INTERNAL_ERROR(path, 1, 1, f"fmlint's {where} checks crashed on this file "
                               f"({type(exc).__name__}: {exc}); please report it")]


def run_checks(site: Site, config: Config, *, debug: bool = False, not_run: set[str] | None = None) -> Result:
    selected = selector(config)
    ctx = Context(site=site, config=config, selected=selected, not_run=set(not_run or ()))
    raw: list[Diagnostic] = []
    rendered = [p for p in site.pages if site.renders(p)]
    for family in FAMILIES:
        if not any(selected(r.code) for r in family.rules):
            continue
        if family.check_page:
            # A file Jekyll does not render (no front matter outside a handbook, or excluded in
            # _config.yml) is copied as it is: only the file-level checks apply to it.
            pages = site.pages if family is file_family.FAMILY else rendered
            for page in pages:
                raw += _guarded(lambda f=family, p=page: f.check_page(p, ctx), page.path, family.name, debug)
        if family.check_handbook:
            for hb in site.handbooks:
                where = hb.index.path if hb.index else hb.folder.as_posix()
                raw += _guarded(lambda f=family, h=hb: f.check_handbook(h, ctx), where, family.name, debug)
        if family.check_site:
            raw += _guarded(lambda f=family: f.check_site(site, ctx), site.root.as_posix(), family.name, debug)
    diags = [d for d in raw if selected(d.code) or d.code == INTERNAL_ERROR.code]
    diags = _per_file_ignores(diags, config)
    diags = _suppress(diags, site, ctx)
    overrides = {code: Severity(sev) for code, sev in config.severity.items()}
    diags = [d.with_(severity=overrides[d.code]) if d.code in overrides else d for d in diags]
    files = len(site.pages) + len(site.bibliographies)
    return Result(sorted(set(diags)), files)


def _per_file_ignores(diags: list[Diagnostic], config: Config) -> list[Diagnostic]:
    if not config.per_file_ignores:
        return diags
    kept = []
    for d in diags:
        ignored = any(matches_glob(d.path, glob) and any(d.code.startswith(c.upper()) for c in codes)
                      for glob, codes in config.per_file_ignores.items())
        if not ignored:
            kept.append(d)
    return kept


def _suppress(diags: list[Diagnostic], site: Site, ctx: Context) -> list[Diagnostic]:
    by_path: dict[str, list] = {}
    extra: list[Diagnostic] = []
    known = all_rules()
    for page in site.pages:
        if not site.renders(page):
            continue
        sups, bad = page_suppressions(page)
        by_path[page.path] = sups
        for line, col, msg in bad:
            extra.append(UNUSED_SUPPRESSION(page.path, line, col, msg))
    kept = []
    for d in diags:
        hit = False
        for sup in by_path.get(d.path, ()):
            code = sup.covers(d)
            if code:
                sup.used.add(code)
                hit = True
        if not hit:
            kept.append(d)
    if ctx.selected(UNUSED_SUPPRESSION.code):
        for path, sups in by_path.items():
            for sup in sups:
                for code in sup.codes:
                    if code in sup.used:
                        continue
                    if code not in known and not any(k.startswith(code) for k in known):
                        extra.append(UNUSED_SUPPRESSION(path, sup.line, sup.column,
                                                        f"'{code}' is not an fmlint code"))
                    elif ctx.selected(code) and not any(c.startswith(code) or code.startswith(c)
                                                        for c in ctx.not_run):
                        where = "in this file" if sup.whole_file else "on the line or block it covers"
                        extra.append(UNUSED_SUPPRESSION(path, sup.line, sup.column,
                                                        f"suppression of {code} is unused: nothing {where} "
                                                        "reports it; remove the comment"))
    return kept + extra
