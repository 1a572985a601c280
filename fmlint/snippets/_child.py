"""The child side of the sandbox: runs one page's Python snippets in order, in this process.

Started by `fmlint.snippets.sandbox` as `python -I -B -X utf8 _child.py` in an empty working
directory with a scrubbed environment. It reads its job as JSON on stdin and writes, on the stdout
it was started with, one line `S <index>` as each snippet starts and one line `R <json>` with the
result at the end. Snippets' own stdout is captured per snippet (for output checks); anything
written to file descriptor 1 below Python goes to stderr, so it cannot corrupt the report.

Standard library only, and no import of fmlint: this runs in the interpreter the snippets use.
"""

import builtins
import gc
import io
import json
import linecache
import os
import re
import signal
import sys
import traceback
import types

# The filename encodes the snippet's index and its first line in the page, so a traceback maps back.
FILENAME = "<fmlint-snippet-{index}-line-{line}>"
_FILENAME = re.compile(r"^<fmlint-snippet-(\d+)-line-(\d+)>$")

# Kept before any snippet runs: a snippet may rebind os.write or json.dumps, the report must not care.
_write, _dumps, _getpid, _listdir = os.write, json.dumps, os.getpid, os.listdir


class _Timeout(BaseException):
    """Raised by the alarm in whatever the snippets are running (BaseException: `except Exception` misses it)."""


class _CappedBuffer(io.BytesIO):
    """Keeps the first `cap` bytes of what is written; a snippet printing forever cannot exhaust memory."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def write(self, data) -> int:  # noqa: ANN001
        room = self.cap - self.tell()
        if room > 0:
            super().write(bytes(data[:room]))
        return len(data)

    def take(self) -> str:
        value = self.getvalue()
        self.seek(0)
        self.truncate()
        return value.decode("utf-8", "replace")


def _send(fd: int, kind: str, payload: object) -> None:
    data = (kind + " " + _dumps(payload) + "\n").encode("utf-8")
    while data:
        data = data[_write(fd, data):]


def _set_limits(job: dict) -> None:
    try:
        import resource  # noqa: PLC0415  (POSIX only)
    except ImportError:
        return
    for name, value in (("RLIMIT_AS", job["memory_bytes"]), ("RLIMIT_FSIZE", job["file_bytes"]),
                        ("RLIMIT_CORE", 0)):
        which = getattr(resource, name, None)
        if which is None:
            continue
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))  # hard too: the snippet cannot raise it back
        except (ValueError, OSError):
            pass


def _live_children() -> list[int]:
    """Processes this process started that still run (zombies excluded); Linux only, else []."""
    pid = _getpid()
    kids: list[int] = []
    try:
        for tid in _listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                kids += [int(k) for k in fh.read().split()]
    except OSError:
        return []
    alive = []
    for kid in kids:
        try:
            with open(f"/proc/{kid}/stat", encoding="ascii", errors="replace") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            alive.append(kid)
    return alive


def _last_line(exc: BaseException) -> str:
    """The exception's last traceback line (`Type: message`), on one line and not too long."""
    cls = type(exc)
    name = cls.__qualname__ if cls.__module__ in ("builtins", "__main__") else f"{cls.__module__}.{cls.__qualname__}"
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001
        message = "<exception str() failed>"
    if isinstance(exc, SyntaxError) and exc.msg:
        message = exc.msg
    message = " ".join(message.split())
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{name}: {message}" if message else name


def _char_column(code_lines: list[str], line: int, byte_col: int | None) -> int | None:
    # Python 3.11+ positions are UTF-8 byte offsets; the report wants characters.
    if byte_col is None or not 0 < line <= len(code_lines):
        return None
    return len(code_lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def _describe(exc: BaseException, tb: types.TracebackType | None, current: int, codes: list[list[str]]) -> dict:
    frames = [(m, f) for f in traceback.extract_tb(tb) if (m := _FILENAME.match(f.filename or ""))]
    where: dict = {"index": current, "line": None, "column": None, "top_index": None, "top_line": None}
    if frames:
        m, deepest = frames[-1]
        index = int(m.group(1))
        where.update(index=index, line=deepest.lineno,
                     column=_char_column(codes[index], deepest.lineno or 0, getattr(deepest, "colno", None)))
        top_m, top = frames[0]
        if (int(top_m.group(1)), top.lineno) != (index, deepest.lineno):
            where.update(top_index=int(top_m.group(1)), top_line=top.lineno)
    elif isinstance(exc, SyntaxError) and (m := _FILENAME.match(exc.filename or "")):
        where.update(index=int(m.group(1)), line=exc.lineno,
                     column=(exc.offset - 1) if exc.offset else None)
    where["message"] = _last_line(exc)
    return where


def main() -> None:
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # input() gets EOF at once instead of waiting for the timeout
    report = os.dup(1)  # the report channel (not inherited by subprocesses: os.dup is non-inheritable)
    os.dup2(2, 1)  # writes to fd 1 from C code or subprocesses land in stderr
    _set_limits(job)
    reserve = bytearray(8 * 2**20)  # freed on MemoryError so the report can still be written

    capture = _CappedBuffer(job["output_cap"])
    out = io.TextIOWrapper(capture, encoding="utf-8", errors="backslashreplace", write_through=True)
    sys.stdout = out
    sys.argv = [""]
    # As for `python script.py` run from the working directory: modules a snippet writes there import.
    sys.path.insert(0, os.getcwd())
    module = types.ModuleType("__main__")
    module.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = module
    namespace = module.__dict__

    snippets = job["snippets"]
    codes = [s["code"].splitlines() for s in snippets]
    outputs: list[str] = []
    result: dict = {"status": "ok", "error": None, "leftover": None}
    current = -1

    def on_alarm(_signum, _frame):  # noqa: ANN001, ANN202
        raise _Timeout

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, job["timeout"])
    try:
        for current, snippet in enumerate(snippets):
            _send(report, "S", current)
            name = FILENAME.format(index=current, line=snippet["line"])
            code = snippet["code"]
            linecache.cache[name] = (len(code), None, code.splitlines(True), name)
            try:
                exec(compile(code, name, "exec", dont_inherit=True), namespace)  # noqa: S102
            except SystemExit as exc:
                if exc.code in (None, 0):  # the script ends here, successfully
                    out.flush()
                    outputs.append(capture.take())
                    break
                raise
            finally:
                out.flush()
            outputs.append(capture.take())
            if result["leftover"] is None and (kids := _live_children()):
                result["leftover"] = {"index": current, "pids": kids}
    except BaseException as exc:  # noqa: BLE001  (whatever a snippet raises is a finding, not a crash)
        signal.setitimer(signal.ITIMER_REAL, 0)
        tb = exc.__traceback__
        if isinstance(exc, MemoryError):
            del reserve
            namespace.clear()
            gc.collect()
        where = _describe(exc, tb, max(current, 0), codes)
        exc.__traceback__ = None
        del tb
        if isinstance(exc, _Timeout):
            result["status"] = "timeout"
            where["message"] = "timeout"
        elif isinstance(exc, MemoryError):
            result["status"] = "memory"
        else:
            result["status"] = "error"
        result["error"] = where
        if len(outputs) <= current:
            out.flush()
            outputs.append(capture.take())
    signal.setitimer(signal.ITIMER_REAL, 0)
    result["outputs"] = outputs
    _send(report, "R", result)
    os._exit(0)  # no atexit handlers or non-daemon threads of the snippets: the run is over


if __name__ == "__main__":
    main()
