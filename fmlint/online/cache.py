"""Results of past online checks, reused for a time-to-live so a CI run checks only what is new.

One JSON file, `<cache-dir>/links/results.json` (the cache folder the snippets use:
`.fmlint_cache` at the site root unless `snippets.cache-dir` says otherwise), maps each requested
URL to its result and the time it was checked. A result is reused for `links.ttl-days` days; a
failure that often passes on the next try (a timeout, a 5xx, a 429, an unreachable host) for a
day at most. The file is safe to delete; an unreadable one counts as empty.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from fmlint.config import Config
from fmlint.online.results import LinkResult

FORMAT = 1
DAY = 86400.0
TRANSIENT_TTL_DAYS = 1.0
KEEP_DAYS = 30.0  # stale entries older than this (or the TTL) are dropped when the file is written
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# fmlint's cache: safe to delete. See https://bford.info/cachedir/\n"


def cache_folder(root: Path, config: Config) -> Path:
    base = Path(config.snippets.cache_dir) if config.snippets.cache_dir else Path(".fmlint_cache")
    return (base if base.is_absolute() else root / base) / "links"


class LinkCache:
    def __init__(self, folder: Path, ttl_days: float) -> None:
        self.file = folder / "results.json"
        self.ttl = ttl_days * DAY
        self._entries = self._read()

    def _read(self) -> dict[str, LinkResult]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return {}
            return {url: LinkResult.from_json(r) for url, r in data["results"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def fresh(self, url: str, now: float) -> LinkResult | None:
        result = self._entries.get(url)
        if result is None:
            return None
        ttl = min(self.ttl, TRANSIENT_TTL_DAYS * DAY) if result.transient else self.ttl
        return result if 0 <= now - result.checked < ttl else None

    def store(self, results: dict[str, LinkResult], now: float) -> None:
        """Add `results` to the file (merged with what another run may have written meanwhile)."""
        merged = self._read()
        for source in (self._entries, results):
            for url, result in source.items():
                if url not in merged or result.checked >= merged[url].checked:
                    merged[url] = result  # the newest check of a URL wins
        keep = max(self.ttl, KEEP_DAYS * DAY)
        merged = {u: r for u, r in merged.items() if now - r.checked < keep}
        self._entries = merged
        payload = {"format": FORMAT, "results": {u: r.to_json() for u, r in sorted(merged.items())}}
        try:
            _prepare(self.file.parent.parent)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, indent=0)
            os.replace(tmp, self.file)  # atomic: a parallel run never reads half a file
        except OSError:
            pass  # a read-only checkout still works: it checks again next time


def _prepare(top: Path) -> None:
    """Mark the cache folder as a cache (ignored by git, skipped by backups) when fmlint creates it."""
    try:
        top.mkdir(parents=True)
    except FileExistsError:
        return  # someone's folder, or ours already: never write ignore files into it
    (top / ".gitignore").write_text("# Created by fmlint: this folder is a cache.\n*\n", encoding="utf-8")
    (top / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
