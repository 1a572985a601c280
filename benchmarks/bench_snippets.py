"""Benchmark: `fmlint check` on the handbook with a cold snippet cache, then with the warm cache.

    .venv/bin/python benchmarks/bench_snippets.py [PATHS...] [--jobs N]

Runs the full check in-process four times against a fresh, temporary cache folder (the
repository's own `.fmlint_cache` is left alone) and prints, for each run, its wall time, how many
pages' snippets were executed in a sandbox and how many came from the cache. The second run
must execute nothing: the script exits 1 if it did.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fmlint import api  # noqa: E402
from fmlint.snippets import runner  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["content"], help="what to check (default: content)")
    parser.add_argument("--jobs", type=int, default=None, help="pages run in parallel (default: the core count)")
    args = parser.parse_args()
    os.chdir(ROOT)
    paths = [Path(p) for p in args.paths]
    with tempfile.TemporaryDirectory(prefix="fmlint-bench-cache-") as cache_dir:
        base = {"snippets.cache_dir": cache_dir, "snippets.jobs": args.jobs}
        runs = [
            ("cold cache", {}),
            ("warm cache (unchanged)", {}),
            ("--no-exec", {"snippets.execute": False}),
            ("--no-cache", {"snippets.cache": False}),
        ]
        print(f"fmlint check {' '.join(args.paths)}  (python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores, jobs={args.jobs or os.cpu_count()})")
        print(f"{'run':<24}{'seconds':>9}{'pages':>7}{'executed':>10}{'cached':>8}{'child s':>9}{'findings':>10}")
        executed_when_warm = None
        for label, overrides in runs:
            config, config_path = api.resolve_config(None, {**base, **overrides})
            runner.STATS.reset()
            start = time.perf_counter()
            _site, result = api.check(paths, config, config_path)
            seconds = time.perf_counter() - start
            s = runner.STATS
            print(f"{label:<24}{seconds:>9.2f}{s.pages:>7}{s.executed:>10}{s.cached:>8}{s.seconds:>9.2f}"
                  f"{len(result.diagnostics):>10}")
            if label.startswith("warm"):
                executed_when_warm = s.executed
    if executed_when_warm:
        print(f"FAIL: the warm run executed {executed_when_warm} page(s); it should execute none")
        return 1
    print("OK: the second run with an unchanged cache executed no snippet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
