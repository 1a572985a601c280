"""FM6xx: every fence named and parsed, Python compiled and run in the sandbox, results cached."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import pytest

from fmlint.config import Config
from fmlint.snippets import runner
from fmlint.snippets.checkers import shellcheck_path
from tests.helpers import HB, check_tree, codes_at, handbook, only, section_page, write_tree

PAGE = f"{HB}/section1/index.md"
FAST = {"timeout": 2, "memory_mb": 512, "cache": False}
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="the sandbox relies on POSIX process groups")


def fm6(tmp_path: Path, body: str, *, snippets: dict | None = None, crlf: bool = False):
    """Check a one-section handbook whose section has `body`; the FM6 findings and the page's lines."""
    files = handbook(1)
    text = section_page(1, total=1, body=body)
    files[PAGE] = text.replace("\n", "\r\n").encode() if crlf else text
    diags = only(check_tree(tmp_path, files, snippets={**FAST, **(snippets or {})}), "FM6")
    return diags, text.split("\n")


def line_of(lines: list[str], needle: str, nth: int = 1) -> int:
    hits = [i + 1 for i, text in enumerate(lines) if needle in text]
    assert len(hits) >= nth, f"{needle!r} not in page"
    return hits[nth - 1]


def at(diags, code: str) -> set[int]:
    return {d.line for d in diags if d.code == code}


# --- static checks ----------------------------------------------------------------------------
def test_clean_handbook_has_no_snippet_findings(tmp_path):
    assert only(check_tree(tmp_path, handbook(3), snippets=FAST), "FM6") == []


CLEAN = """## 1.1 Code

```python
import numpy as np
values = np.arange(4)
print(values.sum())
```

<!-- fmlint: output -->
```text
6
```

~~~python
total = int(values.sum())   # uses the name defined above
~~~

1. A step in a list:

   ```python
   print(total * 2)
   ```

   <!-- fmlint: output -->

   ```text
   12
   ```

```yaml
---
layout: default
---
title: second document
tags: !custom [a, b]
```

```json
{"a": [1, 2, {"b": null}]}
```

```toml
[tool.fmlint]
select = ["FM"]
```

```bash
for f in *.md; do
  echo "$f"
done
```

{% raw %}
```liquid
{{ page.title }} {% if x %}y{% endif %}
```
{% endraw %}

<!-- fmlint: skip -->
```python
import torch   # not installed here: compiled, not run
```

```text
{ not : [ parsed
```
"""


def test_clean_snippets_of_every_kind_report_nothing(tmp_path):
    diags, _ = fm6(tmp_path, CLEAN)
    assert diags == []


def test_fence_without_language_and_indented_block(tmp_path):
    body = "## 1.1 A\n\n```\nx = 1\n```\n\nText:\n\n    indented code\n\n~~~\nbare tilde\n~~~\n"
    diags, lines = fm6(tmp_path, body)
    assert codes_at(diags) == {
        (PAGE, line_of(lines, "```", 1), "FM601"),
        (PAGE, line_of(lines, "    indented code"), "FM602"),
        (PAGE, line_of(lines, "~~~"), "FM601"),
    }
    assert {d.severity.value for d in diags if d.code == "FM602"} == {"warning"}


def test_python_syntax_error_at_the_markdown_line_of_the_error(tmp_path):
    body = ("## 1.1 A\n\n```python\nx = 1\ny = 2\nif x > y\n    print(x)\n```\n\n"
            "- item\n\n  <!-- fmlint: skip -->\n  ```py\n  ok = True\n  z = (1,\n  ```\n")
    diags, lines = fm6(tmp_path, body)
    assert codes_at(diags) == {(PAGE, line_of(lines, "if x > y"), "FM603"),
                               (PAGE, line_of(lines, "  z = (1,"), "FM603")}
    in_list = next(d for d in diags if d.line == line_of(lines, "  z = (1,"))
    assert in_list.column == lines[in_list.line - 1].index("(") + 1  # list indentation counted


@pytest.mark.parametrize(("lang", "code", "bad_line"), [
    ("yaml", "a: 1\nb: [1, 2\nc: 3\n", 3),
    ("yml", "---\na: 1\n---\nb: : :\n  - x\n", 4),
    ("json", '{\n  "a": 1,\n  "b": 2,\n}\n', 4),
    ("toml", "[a]\nx = 1\ny = \n", 3),
])
def test_data_snippets_that_do_not_parse(tmp_path, lang, code, bad_line):
    body = f"## 1.1 A\n\n```{lang}\n{code}```\n"
    diags, lines = fm6(tmp_path, body)
    fence = line_of(lines, f"```{lang}")
    assert codes_at(diags) == {(PAGE, fence + bad_line, "FM604")}


def test_yaml_streams_and_custom_tags_parse(tmp_path):
    diags, _ = fm6(tmp_path, "## 1.1 A\n\n```yaml\na: 1\n---\nb: !Ref x\n...\n---\n- c\n```\n")
    assert diags == []


def test_shell_snippets_must_pass_bash_n(tmp_path):
    body = ("## 1.1 A\n\n```bash\necho start\nif true; then\n  echo x\nfi fi\n```\n\n"
            "```sh\necho 'never closed\necho done\n```\n")
    diags, lines = fm6(tmp_path, body)
    assert codes_at(diags) == {(PAGE, line_of(lines, "fi fi"), "FM605"),
                               (PAGE, line_of(lines, "echo 'never closed"), "FM605")}


@pytest.mark.skipif(shellcheck_path() is None, reason="shellcheck is not installed")
def test_shellcheck_findings_are_warnings(tmp_path):
    body = ("## 1.1 A\n\n```bash\ncd /tmp/data\nfor f in $(ls *.txt); do echo \"$f\"; done\necho $1\n```\n\n"
            "```bash\necho \"$SET_BY_THE_READER\"\nfrom_here=1\n```\n")
    diags, lines = fm6(tmp_path, body)
    assert codes_at(diags) == {(PAGE, line_of(lines, "cd /tmp/data"), "FM606"),
                               (PAGE, line_of(lines, "for f in"), "FM606")}  # style notes (SC2086) left out
    assert {d.severity.value for d in diags} == {"warning"}


def test_liquid_inside_a_fence_not_wrapped_in_raw(tmp_path):
    body = ("## 1.1 A\n\n```html\n<h1>\n  {{ page.title }} {% if x %}y{% endif %}\n</h1>\n```\n\n"
            "{% raw %}\n```html\n<p>{{ page.title }}</p>\n```\n{% endraw %}\n\n"
            "```html\n<a href=\"{{ '/x/' | relative_url }}\">x</a>\n```\n")
    diags, lines = fm6(tmp_path, body)
    assert codes_at(diags) == {(PAGE, line_of(lines, "  {{ page.title }}"), "FM607"),
                               (PAGE, line_of(lines, "relative_url }}\">x"), "FM607")}
    first = next(d for d in diags if d.line == line_of(lines, "  {{ page.title }}"))
    assert first.column == 3 and "2 more" in first.message


def test_misplaced_markers(tmp_path):
    body = ("## 1.1 A\n\n<!-- fmlint: output -->\n```text\nno snippet before\n```\n\n"
            "<!-- fmlint: skip -->\n```yaml\na: 1\n```\n\n"
            "<!-- fmlint: skip -->\n```python\nprint(1)\n```\n\n<!-- fmlint: output -->\n```text\n1\n```\n\n"
            "<!-- fmlint: output -->\n```python\nprint(2)\n```\n")
    diags, lines = fm6(tmp_path, body)
    markers = [i + 1 for i, t in enumerate(lines) if t.startswith("<!-- fmlint:")]
    assert codes_at(diags) == {(PAGE, markers[0], "FM608"), (PAGE, markers[1], "FM608"),
                               (PAGE, markers[3], "FM608"), (PAGE, markers[4], "FM608")}


def test_crlf_pages_keep_their_line_numbers(tmp_path):
    body = "## 1.1 A\n\n```python\nx = 1\nx +\n```\n\n```python\nprint(undefined_name)\n```\n"
    diags, lines = fm6(tmp_path, body, crlf=True)
    assert codes_at(diags) == {(PAGE, line_of(lines, "x +"), "FM603")}  # the run stops before it


# --- running ----------------------------------------------------------------------------------
@posix_only
def test_runtime_error_at_the_failing_statement_with_the_exceptions_last_line(tmp_path):
    body = ("## 1.1 A\n\n```python\nimport numpy as np\n\ndef shape_of(n):\n    return np.arange(n).reshape(4, 2)\n```\n\n"
            "Prose.\n\n```python\nok = 1\nprint(shape_of(6))\n```\n\n<!-- fmlint: output -->\n```text\n[[0 1]]\n```\n\n"
            "```python\nprint('never run')\n```\n\n<!-- fmlint: output -->\n```text\nnot compared\n```\n")
    diags, lines = fm6(tmp_path, body)
    assert codes_at(diags) == {(PAGE, line_of(lines, "return np.arange"), "FM661")}
    (d,) = diags
    assert "ValueError: cannot reshape array of size 6 into shape (4,2)" in d.message
    assert f"reached from line {line_of(lines, 'print(shape_of(6))')}" in d.message
    assert d.column == lines[d.line - 1].index("np.arange") + 1


@posix_only
def test_snippets_run_in_order_and_skip_is_compiled_not_run(tmp_path):
    body = ("## 1.1 A\n\n<!-- fmlint: skip -->\n```python\nraise SystemError('must not run')\n```\n\n"
            "```python\nname = 'defined'\n```\n\n- In a list:\n\n  ~~~python\n  print(name, nme)\n  ~~~\n")
    diags, lines = fm6(tmp_path, body)
    assert codes_at(diags) == {(PAGE, line_of(lines, "print(name, nme)"), "FM661")}
    assert "NameError: name 'nme' is not defined" in diags[0].message
    assert diags[0].column == lines[diags[0].line - 1].index("nme)") + 1  # the failing name


@posix_only
def test_timeout_is_its_own_finding_at_the_running_statement(tmp_path):
    body = "## 1.1 A\n\n```python\nimport itertools\nfor i in itertools.count():\n    pass\n```\n"
    diags, lines = fm6(tmp_path, body, snippets={"timeout": 1})
    assert codes_at(diags) == {(PAGE, line_of(lines, "    pass"), "FM662")} or codes_at(diags) == {
        (PAGE, line_of(lines, "for i in itertools"), "FM662")}


@posix_only
def test_memory_limit(tmp_path):
    body = "## 1.1 A\n\n```python\nimport numpy as np\nx = np.ones((40_000, 40_000))\n```\n"
    diags, lines = fm6(tmp_path, body, snippets={"memory_mb": 1024})
    assert codes_at(diags) == {(PAGE, line_of(lines, "x = np.ones"), "FM663")}
    assert "Unable to allocate" in diags[0].message


@posix_only
def test_output_block_is_compared_with_what_the_snippet_printed(tmp_path):
    body = ("## 1.1 A\n\n```python\nfor i in range(3):\n    print('row', i)   \n```\n\n"
            "<!-- fmlint: output -->\n```text\n\nrow 0\nrow 1\nrow 3\n```\n\n"
            "```python\nprint('a')\nprint('b')\n```\n\n<!-- fmlint: output -->\n```text\na\n```\n\n"
            "```python\nprint('same')\n```\n\n<!-- fmlint: output -->\n```console\nsame  \n\n```\n")
    diags, lines = fm6(tmp_path, body)
    short_block = line_of(lines, "```text", 2) + 1
    assert codes_at(diags) == {(PAGE, line_of(lines, "row 3"), "FM664"), (PAGE, short_block, "FM664")}
    assert "printed 'row 2' where the block shows 'row 3'" in next(d.message for d in diags if "row" in d.message)


@posix_only
def test_processes_left_running_are_a_warning(tmp_path):
    body = "## 1.1 A\n\n```python\nimport subprocess\nsubprocess.Popen(['sleep', '600'])\n```\n"
    diags, lines = fm6(tmp_path, body)
    assert codes_at(diags) == {(PAGE, line_of(lines, "```python"), "FM665")}


def test_no_exec_compiles_without_running(tmp_path):
    body = "## 1.1 A\n\n```python\nwhile True: pass\n```\n\n```python\nx = (\n```\n"
    t0 = time.monotonic()
    diags, lines = fm6(tmp_path, body, snippets={"exec": False, "timeout": 30})
    assert time.monotonic() - t0 < 10
    assert codes_at(diags) == {(PAGE, line_of(lines, "x = ("), "FM603")}


# --- the sandbox, end to end: five hostile snippets on five pages run in parallel ----------------
def _tree_state(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


@posix_only
def test_hostile_snippets_are_reported_and_leave_nothing_behind(tmp_path, monkeypatch):
    site, probe = tmp_path / "site", tmp_path / "probe"
    site.mkdir()
    probe.mkdir()
    monkeypatch.setenv("FMLINT_TEST_SECRET", "hunter2")

    def record(name: str) -> str:
        return f"open({str(probe / name)!r}, 'a').write(f'{{os.getpid()}} {{os.getcwd()}}\\n')"

    bodies = {
        1: f"```python\nimport os\n{record('loop')}\nwhile True: pass\n```\n",
        2: ("```python\nimport os, time\nfor _ in range(3):\n    pid = os.fork()\n    if pid == 0:\n"
            f"        {record('fork')}\n        time.sleep(1000)\n        os._exit(0)\nos.wait()\n```\n"),
        3: f"```python\nimport os\n{record('alloc')}\nhoard = []\nwhile True:\n    hoard.append(bytearray(2**25))\n```\n",
        4: (f"```python\nimport os\n{record('write')}\nopen('results.csv', 'w').write('a,b')\n"
            "os.makedirs('out/plots', exist_ok=True)\nopen('../escape-attempt.txt', 'w').write('x')\n```\n"),
        5: ("```python\nimport os\n" + record("secret") + "\nprint(os.environ.get('FMLINT_TEST_SECRET', 'absent'))\n"
            "print([k for k, v in os.environ.items() if 'hunter2' in v])\n```\n\n"
            "<!-- fmlint: output -->\n```text\nabsent\n[]\n```\n"),
    }
    files = handbook(5)
    for n, body in bodies.items():
        files[f"{HB}/section{n}/index.md"] = section_page(n, total=5, body=f"## {n}.1 Code\n\n{body}")
    files["_config.yml"] = "markdown: kramdown\n"
    write_tree(site, files)
    before = _tree_state(site)

    t0 = time.monotonic()
    diags = only(check_tree(site, snippets={**FAST, "timeout": 1, "memory_mb": 256, "jobs": 5}), "FM6")
    elapsed = time.monotonic() - t0

    def line(n: int, needle: str) -> int:
        return files[f"{HB}/section{n}/index.md"].split("\n").index(needle) + 1

    assert codes_at(diags) == {
        (f"{HB}/section1/index.md", line(1, "while True: pass"), "FM662"),
        (f"{HB}/section2/index.md", line(2, "os.wait()"), "FM662"),
        (f"{HB}/section3/index.md", line(3, "    hoard.append(bytearray(2**25))"), "FM663"),
    }
    assert elapsed < 15  # the pages ran in parallel, and nothing waited for the sleeping children
    assert _tree_state(site) == before  # the checkout is as it was
    records = {p.name: [ln.split(" ", 1) for ln in p.read_text().splitlines()] for p in probe.iterdir()}
    assert set(records) == {"loop", "fork", "alloc", "write", "secret"}
    pids = [int(pid) for rows in records.values() for pid, _ in rows]
    assert len(records["fork"]) == 3
    deadline = time.monotonic() + 3
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in pids if _alive(p)] == []  # no process is left
    for rows in records.values():
        for _, cwd in rows:
            assert not Path(cwd).exists()  # each temporary directory is gone, with what was written there
            assert site not in Path(cwd).parents


# --- the cache --------------------------------------------------------------------------------
@posix_only
def test_second_run_with_an_unchanged_cache_runs_nothing(tmp_path):
    cache_dir = tmp_path / "cache"
    files = handbook(2)
    page2 = f"{HB}/section2/index.md"
    files[PAGE] = section_page(1, total=2, body="## 1.1 A\n\n```python\nprint(sum(range(10)))\n```\n")
    files[page2] = section_page(2, total=2, body="## 2.1 B\n\n```python\nx = 1\nprint(y)\n```\n")
    config = Config.model_validate({"snippets": {"timeout": 5, "cache-dir": str(cache_dir)}})

    first = only(check_tree(tmp_path / "site", files, config=config), "FM6")
    assert (runner.STATS.executed, runner.STATS.cached) == (2, 0)
    assert codes_at(first) == {(page2, files[page2].split("\n").index("print(y)") + 1, "FM661")}
    assert (cache_dir / ".gitignore").is_file() and list((cache_dir / "snippets").rglob("*.json"))

    second = only(check_tree(tmp_path / "site", config=config), "FM6")
    assert (runner.STATS.executed, runner.STATS.cached) == (0, 2)
    assert second == first

    # Prose added above a snippet: still cached, and the finding moves with its line.
    site_page2 = tmp_path / "site" / page2
    shifted = section_page(2, total=2, body="## 2.1 B\n\nNew paragraph.\n\nMore.\n\n```python\nx = 1\nprint(y)\n```\n")
    site_page2.write_text(shifted)
    third = only(check_tree(tmp_path / "site", config=config), "FM6")
    assert (runner.STATS.executed, runner.STATS.cached) == (0, 2)
    assert codes_at(third) == {(page2, shifted.split("\n").index("print(y)") + 1, "FM661")}

    # Changed code runs again; --no-cache runs everything; a deleted or damaged cache is rebuilt.
    site_page2.write_text(shifted.replace("print(y)", "print(x)"))
    assert only(check_tree(tmp_path / "site", config=config), "FM6") == []
    assert (runner.STATS.executed, runner.STATS.cached) == (1, 1)
    no_cache = Config.model_validate({"snippets": {"timeout": 5, "cache-dir": str(cache_dir), "cache": False}})
    check_tree(tmp_path / "site", config=no_cache)
    assert (runner.STATS.executed, runner.STATS.cached) == (2, 0)
    for entry in (cache_dir / "snippets").rglob("*.json"):
        entry.write_text("{not json")
    check_tree(tmp_path / "site", config=config)
    assert runner.STATS.executed == 2


@posix_only
def test_cache_lives_under_the_site_root_by_default_and_timeouts_are_not_cached(tmp_path):
    files = handbook(2)
    files[PAGE] = section_page(1, total=2, body="## 1.1 A\n\n```python\nwhile True: pass\n```\n")
    files[f"{HB}/section2/index.md"] = section_page(2, total=2, body="## 2.1 B\n\n```python\nx = 1\n```\n")
    config = Config.model_validate({"snippets": {"timeout": 1}})
    check_tree(tmp_path, files, config=config)
    assert (tmp_path / ".fmlint_cache" / ".gitignore").is_file()
    assert len(list((tmp_path / ".fmlint_cache" / "snippets").rglob("*.json"))) == 1
    check_tree(tmp_path, config=config)
    assert (runner.STATS.executed, runner.STATS.cached) == (1, 1)  # the timeout runs again
