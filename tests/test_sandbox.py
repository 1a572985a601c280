"""The sandbox that runs a page's snippets: limits enforced, nothing left behind, nothing leaked in."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fmlint.snippets.sandbox import TOKEN_VAR, run_snippets

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the sandbox relies on POSIX process groups")


def run(*codes: str, timeout: float = 2.0, memory_mb: int = 512, grace: float | None = 0.5):
    codes = [textwrap.dedent(c).lstrip("\n") for c in codes]
    return run_snippets(codes, [10 * (i + 1) for i in range(len(codes))], timeout=timeout,
                        memory_mb=memory_mb, grace=grace)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel (a zombie would count as alive here)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def assert_all_gone(pids: list[int]) -> None:
    assert pids, "the snippet recorded no pids"
    deadline = time.monotonic() + 3
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)  # SIGKILL is delivered asynchronously
    assert [p for p in pids if alive(p)] == []


def pids_in(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def test_snippets_share_one_process_and_print_utf8():
    r = run("x = 2\nprint('héllo ✓', __name__)", "import os\nprint(x * 21, os.listdir('.'))")
    assert r.status == "ok", r
    assert r.outputs == ["héllo ✓ __main__\n", "42 []\n"]


def test_error_maps_to_snippet_and_line_with_last_line_of_exception():
    r = run("def f(d):\n    return d['missing']\n", "a = 1\nf({})\nprint('not reached')\n")
    assert r.status == "error"
    e = r.error
    assert (e.index, e.line, e.message) == (0, 2, "KeyError: 'missing'")
    assert (e.top_index, e.top_line) == (1, 2)  # the statement of the page that called it
    assert e.column == 11  # `d['missing']`
    assert r.outputs == ["", ""]


def test_loop_forever_is_a_timeout_at_the_looping_line():
    t0 = time.monotonic()
    r = run("import time\n", "n = 0\nwhile True: n += 1\n", timeout=1)
    assert time.monotonic() - t0 < 5
    assert r.status == "timeout" and not r.cacheable
    assert (r.error.index, r.error.line) == (1, 2)


def test_code_that_swallows_the_alarm_is_killed_from_outside(tmp_path):
    probe = tmp_path / "pids"
    code = f"""
        import os, time
        open({str(probe)!r}, "a").write(f"{{os.getpid()}}\\n")
        while True:
            try:
                time.sleep(10)
            except BaseException:
                pass
        """
    t0 = time.monotonic()
    r = run(code, timeout=1, grace=0.5)
    assert time.monotonic() - t0 < 5
    assert r.status == "timeout" and r.error.line is None and r.error.index == 0
    assert_all_gone(pids_in(probe))


def test_forked_sleeping_children_are_killed_with_the_run(tmp_path):
    probe = tmp_path / "pids"
    code = f"""
        import os, subprocess, time
        for _ in range(3):
            pid = os.fork()
            if pid == 0:
                time.sleep(1000)
                os._exit(0)
            open({str(probe)!r}, "a").write(f"{{pid}}\\n")
        p = subprocess.Popen(["sleep", "1000"])
        open({str(probe)!r}, "a").write(f"{{p.pid}}\\n")
        os.wait()
        """
    r = run(code, timeout=1)
    assert r.status == "timeout" and (r.error.index, r.error.line) == (0, 10)
    pids = pids_in(probe)
    assert len(pids) == 4
    assert_all_gone(pids)


def test_processes_left_running_are_reported_and_killed_even_outside_the_group(tmp_path):
    probe = tmp_path / "pids"
    code = f"""
        import subprocess
        p = subprocess.Popen(["sleep", "1000"], start_new_session=True)   # leaves the process group
        open({str(probe)!r}, "a").write(f"{{p.pid}}\\n")
        """
    r = run("x = 1", code, "y = 2")
    assert r.status == "ok" and r.leftover == 1
    assert_all_gone(pids_in(probe))


def test_unbounded_allocation_hits_the_memory_limit():
    r = run("blocks = []\nwhile True:\n    blocks.append(bytearray(32 * 2**20))\n", memory_mb=256)
    assert r.status == "memory" and r.cacheable
    assert (r.error.index, r.error.line) == (0, 3)
    assert r.error.message.startswith("MemoryError")


def test_files_written_stay_in_the_temporary_directory_which_is_removed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    probe = tmp_path / "cwd"
    before = sorted(p.name for p in tmp_path.iterdir())
    code = f"""
        import os, tempfile
        open("out.txt", "w").write("data")
        os.makedirs("a/b", exist_ok=True)
        open("a/b/c.bin", "wb").write(b"x" * 1000)
        tempfile.NamedTemporaryFile(delete=False).write(b"tmp")
        os.chmod("a/b", 0o500)   # even read-only leftovers are removed
        open({str(probe)!r}, "w").write(os.getcwd() + "\\n" + os.environ["HOME"])
        """
    r = run(code)
    assert r.status == "ok", r
    cwd, home = probe.read_text().split("\n")
    assert not Path(cwd).exists() and not Path(home).exists()
    assert Path(cwd) != tmp_path and Path(cwd).parent == Path(home)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "cwd"])


def test_fmlints_environment_does_not_reach_the_snippets(monkeypatch):
    monkeypatch.setenv("FMLINT_TEST_SECRET", "hunter2")
    monkeypatch.setenv("PYTHONPATH", "/nowhere")
    code = """
        import os, sys
        print(sorted(os.environ))
        print(any("hunter2" in v for v in os.environ.values()), "/nowhere" in sys.path, "" in sys.path)
        print(sys.path[0] == os.getcwd(), os.getcwd().startswith(os.environ["HOME"]))
        """
    r = run(code)
    names = eval(r.outputs[0].split("\n")[0])  # noqa: S307  (our own printed list)
    assert "FMLINT_TEST_SECRET" not in names
    assert set(names) <= {"PATH", "HOME", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "OMP_NUM_THREADS",
                          "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND", TOKEN_VAR, "LC_CTYPE"}
    assert r.outputs[0].split("\n")[1:3] == ["False False False", "True True"]  # only the sandbox on the path


def test_input_gets_end_of_file_at_once():
    r = run("input('name? ')", timeout=5)
    assert r.status == "error" and r.error.message.startswith("EOFError")


def test_sys_exit_zero_ends_the_run_quietly_and_nonzero_is_an_error():
    ok = run("print(1)\nimport sys\nsys.exit()", "print('not run')")
    assert ok.status == "ok" and ok.outputs == ["1\n"]
    bad = run("import sys\nsys.exit(3)")
    assert bad.status == "error" and bad.error.message == "SystemExit: 3" and bad.error.line == 2


def test_a_snippet_rebinding_the_report_machinery_does_not_break_the_report():
    r = run("import os, json\nos.write = None\njson.dumps = None\nprint('still', 'here')", "raise ValueError('x')")
    assert r.status == "error" and r.outputs[0] == "still here\n" and r.error.index == 1


def test_output_is_capped_per_snippet():
    r = run("import sys\nfor _ in range(3000):\n    sys.stdout.write('x' * 1000)\n")
    assert r.status == "ok" and len(r.outputs[0]) == 1 << 20


def test_a_dying_process_is_reported_at_the_snippet_it_was_running():
    r = run("x = 1", "import os\nos._exit(7)")
    assert r.status == "crash" and r.error.index == 1 and r.error.line is None
    assert "status 7" in r.error.message
