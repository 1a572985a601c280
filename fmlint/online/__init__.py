"""The online link check: external URLs requested with LinkChecker, results cached on disk.

`collect_urls` finds every external URL and where it is written, `check_urls` answers each unique URL
from the cache or from one LinkChecker run, and the FM4 rules in `fmlint.rules.online` turn the
answers into findings at every line that uses a URL. Nothing here runs unless `links.online` is
set (`fmlint check --online`): the offline checks never touch the network.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from fmlint.config import Config, ConfigError
from fmlint.online.cache import LinkCache, cache_folder
from fmlint.online.collect import UrlUse, collect_urls
from fmlint.online.results import UNREACHABLE, LinkResult
from fmlint.online.runner import LinkCheckerError, interleave_hosts, linkchecker_command, run_linkchecker

__all__ = ["LinkResult", "UrlUse", "check_urls", "collect_urls", "ensure_available", "exclude_patterns"]


def exclude_patterns(config: Config) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in config.links.exclude]


def ensure_available(config: Config) -> None:
    """Fail early, as a usage error, when --online is asked for and LinkChecker is not installed."""
    from fmlint.engine import selector  # noqa: PLC0415  (the engine imports the rules, which import this)
    from fmlint.rules.online import CODES  # noqa: PLC0415

    selected = selector(config)
    if not config.links.online or not any(selected(code) for code in CODES):
        return
    try:
        linkchecker_command()
    except LinkCheckerError as exc:
        raise ConfigError(str(exc)) from exc


def check_urls(urls: list[str], root: Path, config: Config, *, now: float | None = None) -> dict[str, LinkResult]:
    """A result for each request URL: from the cache while fresh, else from LinkChecker (one run, or a
    further one for URLs it left out)."""
    now = time.time() if now is None else now
    cache = LinkCache(cache_folder(root, config), config.links.ttl_days)
    results: dict[str, LinkResult] = {}
    todo: list[str] = []
    for url in urls:
        cached = cache.fresh(url, now)
        if cached is not None:
            results[url] = cached
        else:
            todo.append(url)
    if todo:
        checked = run_linkchecker(interleave_hosts(todo), config.links.timeout)
        for result in checked.values():
            result.checked = now
        results.update(checked)
        if any(r.status != UNREACHABLE for r in checked.values()):
            cache.store(checked, now)
        # else nothing answered at all: the network is down, and no result of this run is kept
    return results
