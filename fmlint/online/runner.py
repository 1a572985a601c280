"""Running LinkChecker as a separate program.

LinkChecker is GPL-2.0. fmlint never imports it: it runs `python -m linkcheck` (or the
`linkchecker` program) as a child process, writes the URLs to its standard input and reads its XML
report from standard output. The two programs stay separate works, so fmlint keeps its own license;
LinkChecker is an optional extra (`pip install 'fmlint[online]'`).

How it is run: recursion depth 0 (only the given URLs, never the pages they link to), external
URLs checked, robots.txt not consulted (each URL is one a person wrote and a reader will open, not
a crawl), a timeout per request, a user agent that names fmlint, and the AnchorCheck plugin for
`#fragment`s. LinkChecker spaces the requests to one host (a random 0.1-0.6 s apart, its
per-host rate limit) and runs at most `MAX_THREADS` requests at once overall; the URLs are handed
over host by host in turn, so the threads work on different hosts instead of queueing on one.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from fmlint import __version__
from fmlint.online.results import LinkResult, parse_xml

MAX_THREADS = 10
USER_AGENT = f"fmlint/{__version__} (link check of a Jekyll handbook; via LinkChecker)"
INSTALL_HINT = "install LinkChecker: pip install 'fmlint[online]' (or pip install linkchecker)"

_CONFIG = """\
[checking]
recursionlevel=0
robotstxt=0
[filtering]
checkextern=1
[output]
status=0
[AnchorCheck]
"""


class LinkCheckerError(RuntimeError):
    """LinkChecker is missing, or failed without a usable report."""


def linkchecker_command() -> list[str]:
    """How to start LinkChecker: the module next to fmlint, else the program on PATH."""
    if importlib.util.find_spec("linkcheck") is not None:  # located, not imported
        return [sys.executable, "-m", "linkcheck"]
    program = shutil.which("linkchecker")
    if program:
        return [program]
    raise LinkCheckerError(f"the online link check needs LinkChecker: {INSTALL_HINT}")


def interleave_hosts(urls: list[str]) -> list[str]:
    """One URL of each host in turn (a, b, c, a, b, a …), in first-seen order per host."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        by_host[(urlsplit(url).hostname or "").lower()].append(url)
    queues = list(by_host.values())
    out: list[str] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def run_linkchecker(urls: list[str], timeout: float, *, passes: int = 3) -> dict[str, LinkResult]:
    """Check `urls` (request URLs) and return what LinkChecker reported for each.

    LinkChecker reports two URLs it normalises to the same one only once; a URL left without a
    report is given to a further run (up to `passes` runs in all).
    """
    results: dict[str, LinkResult] = {}
    todo = list(dict.fromkeys(urls))
    for _ in range(passes):
        if not todo:
            break
        found = _run_once(todo, timeout)
        results.update({u: r for u, r in found.items() if u in todo})
        left = [u for u in todo if u not in results]
        if len(left) == len(todo):
            break  # no progress: LinkChecker will not report these
        todo = left
    return results


def _run_once(urls: list[str], timeout: float) -> dict[str, LinkResult]:
    seconds = max(1, math.ceil(timeout))
    threads = max(1, min(MAX_THREADS, len(urls)))
    env = {**os.environ, "LANGUAGE": "C", "PYTHONIOENCODING": "utf-8"}
    with tempfile.TemporaryDirectory(prefix="fmlint-links-") as tmp:
        config = Path(tmp) / "linkcheckerrc"
        config.write_text(_CONFIG, encoding="utf-8")
        command = [*linkchecker_command(), "--config", str(config), "--stdin", "--recursion-level", "0",
                   "--no-robots", "--check-extern", "--no-status", "--verbose", "--threads", str(threads),
                   "--timeout", str(seconds), "--user-agent", USER_AGENT, "--output", "xml/utf-8"]
        # Whole-run guard: every URL waiting its full timeout, one after the other, and then some.
        guard = 60 + len(urls) * (seconds + 1)
        started = time.time()
        try:
            proc = subprocess.run(command, input="\n".join(urls).encode("utf-8"), capture_output=True,
                                  env=env, timeout=guard, check=False)
        except subprocess.TimeoutExpired as exc:
            found = parse_xml(exc.stdout or b"", started)
            if found:
                return found
            raise LinkCheckerError(f"LinkChecker did not finish within {guard} s") from exc
        except OSError as exc:
            raise LinkCheckerError(f"cannot start LinkChecker ({exc}): {INSTALL_HINT}") from exc
    found = parse_xml(proc.stdout, started)
    if proc.returncode not in (0, 1) and not found:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise LinkCheckerError(f"LinkChecker failed (exit code {proc.returncode}): {last}")
    return found
