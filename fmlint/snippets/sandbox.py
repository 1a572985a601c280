"""Running one page's Python snippets in a child process that cannot take the checkout with it.

The child (`_child.py`) is a fresh interpreter (`sys.executable -I -B -X utf8`: isolated mode, so no
PYTHON* variables, no user site-packages, no current directory on `sys.path`; no .pyc writes; UTF-8
I/O) started

- in an empty temporary directory (also its HOME and TMPDIR), removed afterwards;
- with a scrubbed environment: PATH, locale, thread counts and a per-run token, nothing else;
- in a new session, so it and every process it starts share a process group that is killed
  with SIGKILL when the run ends, whether it finished, timed out or was interrupted; processes that
  left the group but kept the environment are found by the token in /proc and killed too;
- with limits set by the child on itself before any snippet runs: address space (`RLIMIT_AS`,
  the memory limit), size of files it writes (`RLIMIT_FSIZE`, the same value) and no core dumps.

The time limit is enforced twice: an alarm in the child raises inside the running statement (so the
finding can point at it), and the parent kills the group when the limit plus a grace period passes.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("_child.py")
OUTPUT_CAP = 1 << 20  # bytes of printed output kept per snippet
STDERR_CAP = 64 << 10
REPORT_CAP = 64 << 20
TOKEN_VAR = "FMLINT_SANDBOX"
# Variables passed through to the child; everything else in fmlint's environment stays behind.
_PASSED = ("PATH",)


@dataclass
class SnippetError:
    """Where a run stopped, relative to the snippets: index in the run, 1-based line in that snippet."""

    index: int
    line: int | None  # None when the statement is unknown (killed from outside)
    column: int | None  # 0-based character column in that line, when known
    message: str
    top_index: int | None = None  # the page-level statement that led there, when elsewhere
    top_line: int | None = None


@dataclass
class RunResult:
    """What running a page's snippets gave. Serialisable, so the cache can keep it."""

    status: str  # ok | error | timeout | memory | crash
    outputs: list[str] = field(default_factory=list)  # printed output of each snippet that ran
    error: SnippetError | None = None
    leftover: int | None = None  # index of the snippet after which started processes were still running
    detail: str = ""  # for crash: how the process ended
    seconds: float = 0.0

    @property
    def cacheable(self) -> bool:
        # A timeout or a kill depends on the machine's load as much as on the code: run it again.
        return self.status in ("ok", "error", "memory")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> RunResult:
        error = data.get("error")
        return cls(status=data["status"], outputs=list(data.get("outputs", [])),
                   error=SnippetError(**error) if error else None, leftover=data.get("leftover"),
                   detail=data.get("detail", ""), seconds=float(data.get("seconds", 0.0)))


def scrubbed_env(home: Path, token: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in _PASSED if k in os.environ}
    env.setdefault("PATH", os.defpath)
    tmp = home / "tmp"
    env.update({
        "HOME": str(home), "TMPDIR": str(tmp), "TMP": str(tmp), "TEMP": str(tmp),
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        # One thread per BLAS: pages already run in parallel, and thread pools reserve address space.
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        TOKEN_VAR: token,
    })
    return env


class _Reader(threading.Thread):
    """Drains one pipe so the child never blocks on it, keeping at most `cap` bytes."""

    def __init__(self, pipe, cap: int) -> None:  # noqa: ANN001
        super().__init__(daemon=True)
        self.pipe, self.cap, self.data = pipe, cap, bytearray()

    def run(self) -> None:
        try:
            while chunk := self.pipe.read1(65536):
                room = self.cap - len(self.data)
                if room > 0:
                    self.data += chunk[:room]
        except (OSError, ValueError):
            pass


def run_snippets(codes: list[str], lines: list[int], *, timeout: float, memory_mb: int,
                 cancel: threading.Event | None = None, grace: float | None = None) -> RunResult:
    """Run `codes` in order in one sandboxed child; `lines` are their first lines in the page."""
    token = secrets.token_hex(16)
    root = Path(tempfile.mkdtemp(prefix="fmlint-snippets-"))
    work, tmp = root / "work", root / "tmp"
    work.mkdir()
    tmp.mkdir()
    job = {
        "snippets": [{"code": c, "line": n} for c, n in zip(codes, lines)],
        "timeout": timeout, "memory_bytes": memory_mb << 20, "file_bytes": memory_mb << 20,
        "output_cap": OUTPUT_CAP,
    }
    grace = max(1.0, timeout * 0.2) if grace is None else grace
    cmd = [sys.executable, "-I", "-B", "-X", "utf8", str(CHILD)]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=work, env=scrubbed_env(root, token), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    out, err = _Reader(proc.stdout, REPORT_CAP), _Reader(proc.stderr, STDERR_CAP)
    out.start()
    err.start()
    exited = False
    try:
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(job).encode("utf-8"))
            proc.stdin.close()
        except BrokenPipeError:
            pass
        exited = _wait_exit(proc.pid, started + timeout + grace, cancel)
    finally:
        # Kill before reaping: until the child is reaped its pid, and so its group id, cannot be reused.
        _kill_group(proc.pid)
        proc.wait()
        _kill_marked(token)
        for reader in (out, err):
            reader.join(5)
            if not reader.is_alive():  # else a process that escaped holds the pipe: leave it be
                reader.pipe.close()
        _remove_tree(root)
    result = _interpret(bytes(out.data), bytes(err.data), proc.returncode, exited, timeout, memory_mb)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _interpret(report: bytes, stderr: bytes, returncode: int, exited: bool, timeout: float,
               memory_mb: int) -> RunResult:
    started, final = -1, None
    for raw in report.decode("utf-8", "replace").splitlines():
        kind, _, payload = raw.partition(" ")
        try:
            if kind == "S":
                started = int(payload)
            elif kind == "R":
                final = json.loads(payload)
        except ValueError:
            continue
    if final is not None:
        error = final.get("error")
        leftover = final.get("leftover")
        return RunResult(
            status=final["status"], outputs=final.get("outputs", []),
            error=SnippetError(error["index"], error["line"], error["column"], error["message"],
                               error.get("top_index"), error.get("top_line")) if error else None,
            leftover=leftover["index"] if leftover else None)
    index = max(started, 0)
    if not exited:
        return RunResult("timeout", error=SnippetError(index, None, None, "timeout"),
                         detail=f"killed after {timeout:g} s")
    last = next((ln for ln in reversed(stderr.decode("utf-8", "replace").splitlines()) if ln.strip()), "")
    if returncode < 0:
        try:
            how = f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            how = f"killed by signal {-returncode}"
    else:
        how = f"exited with status {returncode}"
    memory = "memory" in last.lower() or "cannot allocate" in last.lower()
    message = f"the snippets' process {how}" + (f" ({last.strip()[:200]})" if last else "")
    return RunResult("memory" if memory else "crash", error=SnippetError(index, None, None, message),
                     detail=how)


def _wait_exit(pid: int, deadline: float, cancel: threading.Event | None) -> bool:
    """Wait until the child exits (without reaping it) or the deadline passes; True if it exited."""
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    try:
        delay = 0.001
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (cancel is not None and cancel.is_set()):
                return _has_exited(pid)
            if pidfd is not None:
                if select.select([pidfd], [], [], min(remaining, 0.1))[0]:
                    return True
            else:
                if _has_exited(pid):
                    return True
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 0.05)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _has_exited(pid: int) -> bool:
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_marked(token: str) -> list[int]:
    """Kill processes that left the group but still carry this run's token (Linux /proc; else none)."""
    needle = f"{TOKEN_VAR}={token}".encode()
    killed = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return killed
    me = os.getpid()
    for entry in entries:
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle not in fh.read():
                    continue
            os.kill(int(entry), signal.SIGKILL)
            killed.append(int(entry))
        except OSError:
            continue
    return killed


def _remove_tree(root: Path) -> None:
    def make_writable(func, path, _exc):  # noqa: ANN001, ANN202
        # A snippet may have removed write permission on what it created.
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            func(path)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=make_writable)
    else:
        shutil.rmtree(root, onerror=make_writable)
