"""The fix hook for permanent redirects (FM412): `Edit`s from cached results only.

`fmlint fix` adds `redirect_edits(site, config)` to its edits; it never touches the network (a
rewrite needs an `fmlint check --online` run within the time-to-live). A URL is rewritten only
when that cannot change what the reader gets: it moved permanently (301/308) on the same host
(`www.` aside), without a downgrade to http and without gaining a query string (a cookie or login
redirect), and the URL stands literally at the place it was found.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from fmlint.authoring.edits import Edit, Lines
from fmlint.config import Config
from fmlint.online import exclude_patterns
from fmlint.online.cache import LinkCache, cache_folder
from fmlint.online.collect import UrlUse, collect_urls, is_doi_url
from fmlint.online.results import OK, LinkResult
from fmlint.site.site import Site
from fmlint.site.source import SourceFile


def moved_to(use: UrlUse, result: LinkResult) -> str | None:
    """Where a reader of `use` ends up for good: the permanent redirect target, fragment kept."""
    if result.status != OK or use.is_doi:
        return None
    target = result.permanent_target()
    if target is None:
        return None
    old_fragment = use.written.partition("#")[2] if "#" in use.written else ""
    if "#" in target:
        target = target.partition("#")[0] + ("#" + old_fragment if old_fragment else "")
    elif old_fragment:
        target += "#" + old_fragment
    return None if target == use.written else target


def safe_rewrite(use: UrlUse, result: LinkResult) -> str | None:
    new = moved_to(use, result)
    if new is None or not use.exact or is_doi_url(new) != is_doi_url(use.written):
        return None
    old_parts, new_parts = urlsplit(use.written), urlsplit(new)
    same_host = _host(old_parts.hostname) == _host(new_parts.hostname)
    downgrade = old_parts.scheme.lower() == "https" and new_parts.scheme.lower() != "https"
    gains_query = bool(new_parts.query) and new_parts.query != old_parts.query
    return new if same_host and not downgrade and not gains_query else None


def _host(host: str | None) -> str:
    return (host or "").lower().removeprefix("www.")


def redirect_edits(site: Site, config: Config, *, now: float | None = None) -> dict[Path, list[Edit]]:
    """Source file -> edits that replace each permanently moved URL by its new one (code FM412)."""
    now = time.time() if now is None else now
    cache = LinkCache(cache_folder(site.root, config), config.links.ttl_days)
    sources: dict[str, SourceFile] = {p.source.display: p.source for p in site.pages}
    sources.update({b.source.display: b.source for b in site.bibliographies if hasattr(b, "source")})
    edits: dict[Path, list[Edit]] = {}
    for url, uses in collect_urls(site, exclude_patterns(config)).items():
        result = cache.fresh(url, now)
        if result is None:
            continue
        for use in uses:
            new = safe_rewrite(use, result)
            source = sources.get(use.path)
            if new is None or source is None:
                continue
            start = Lines(source.text).offset(use.line, use.column)
            if source.text[start:start + len(use.written)] == use.written:
                edits.setdefault(source.path, []).append(
                    Edit(start, start + len(use.written), new, "FM412", f"link to {new}, where the URL moved"))
    return edits
