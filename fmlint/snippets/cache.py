"""Results of past runs on disk, so an unchanged page's snippets never run twice.

A page's entry is keyed by what decides its result: the code of its runnable snippets in order,
the interpreter (path and version), every installed distribution and its version (what the
snippets may import), the limits and the sandbox's own code. Nothing else: positions are stored
relative to the snippets, so editing prose around them keeps the entry valid.

The folder (`.fmlint_cache/snippets` under the site root by default) holds one small JSON file per
entry and is safe to delete at any time; unreadable or foreign entries are ignored.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from fmlint.snippets.sandbox import CHILD, RunResult

FORMAT = 1
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# fmlint's cache: safe to delete. See https://bford.info/cachedir/\n"


@lru_cache(maxsize=1)
def environment_fingerprint() -> str:
    """The interpreter and everything installed for it; computed once per process (~40 ms)."""
    dists = sorted({f"{(d.metadata['Name'] or '').lower()}=={d.version}"
                    for d in importlib.metadata.distributions()})
    parts = [f"format={FORMAT}", sys.executable, sys.version, platform.platform(),
             hashlib.sha256(CHILD.read_bytes()).hexdigest(), *dists]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cache_key(codes: list[str], *, timeout: float, memory_mb: int) -> str:
    payload = json.dumps({"env": environment_fingerprint(), "codes": codes, "timeout": timeout,
                          "memory_mb": memory_mb}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResultCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder  # <cache-dir>/snippets
        self._prepared = False

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> RunResult | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("key") != key:
                return None
            return RunResult.from_json(data["result"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, result: RunResult) -> None:
        if not result.cacheable:
            return
        path = self._path(key)
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"format": FORMAT, "key": key, "result": result.to_json()}, fh)
            os.replace(tmp, path)  # atomic: parallel runs never read half an entry
        except OSError:
            pass  # a read-only checkout still works, only slower

    def _prepare(self) -> None:
        """Mark the cache's top folder as a cache (ignored by git, skipped by backups), if we create it."""
        if self._prepared:
            return
        self._prepared = True
        top = self.folder.parent
        try:
            top.mkdir(parents=True)
        except FileExistsError:
            return  # someone else's folder, or ours already: never write ignore files into it
        (top / ".gitignore").write_text("# Created by fmlint: this folder is a cache.\n*\n", encoding="utf-8")
        (top / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
