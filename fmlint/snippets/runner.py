"""Runs many pages' snippets: cached results first, then the rest in parallel sandboxes."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from fmlint.snippets.cache import ResultCache, cache_key
from fmlint.snippets.sandbox import RunResult, run_snippets


@dataclass(frozen=True)
class PageRun:
    """One page's runnable snippets, in page order: their code and the page line each starts at."""

    codes: tuple[str, ...]
    lines: tuple[int, ...]


@dataclass
class Stats:
    """What the last `run_pages` did: benchmarks and tests read it to see that a cached run runs nothing."""

    pages: int = 0
    executed: int = 0  # child processes started
    cached: int = 0  # pages answered from the cache
    seconds: float = 0.0  # summed run time of the children

    def reset(self, pages: int = 0) -> None:
        self.pages, self.executed, self.cached, self.seconds = pages, 0, 0, 0.0


STATS = Stats()  # updated in place, so `from fmlint.snippets import STATS` stays current


def run_pages(runs: list[PageRun], *, timeout: float, memory_mb: int, jobs: int | None = None,
              cache: ResultCache | None = None) -> list[RunResult]:
    """Results for `runs`, in order. Threads suffice: the work happens in child processes."""
    STATS.reset(pages=len(runs))
    results: dict[int, RunResult] = {}
    pending: dict[str, list[int]] = {}  # key -> indexes of runs with that exact code
    for i, run in enumerate(runs):
        key = cache_key(list(run.codes), timeout=timeout, memory_mb=memory_mb) if cache else str(i)
        hit = cache.get(key) if cache else None
        if hit is not None:
            results[i] = hit
            STATS.cached += 1
        else:
            pending.setdefault(key, []).append(i)
    if pending:
        cancel = threading.Event()
        workers = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fmlint-snippets")
        try:
            futures = {
                pool.submit(run_snippets, list(runs[idx[0]].codes), list(runs[idx[0]].lines),
                            timeout=timeout, memory_mb=memory_mb, cancel=cancel): key
                for key, idx in pending.items()
            }
            for future in as_completed(futures):
                key = futures[future]
                result = future.result()
                STATS.executed += 1
                STATS.seconds += result.seconds
                if cache:
                    cache.put(key, result)
                for i in pending[key]:
                    results[i] = result
        except BaseException:
            cancel.set()  # Ctrl-C or a crash: the sandboxes kill their children at once
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return [results[i] for i in range(len(runs))]
