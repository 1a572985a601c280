"""The command line as a user runs it: a subprocess, its exit code, its output."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli_helpers import run_fmlint
from tests.helpers import HB, handbook, section_page, write_tree

BROKEN = f"{HB}/section2/index.md"


@pytest.fixture
def site(tmp_path):
    files = handbook(2)
    files[BROKEN] = section_page(2, total=2, body='## 2.1 A\n\n<div class="key-concept">\nunclosed\n')
    write_tree(tmp_path, {**files, "_config.yml": "markdown: kramdown\n"})
    return tmp_path


def _div_line(site):
    return (site / BROKEN).read_text().split("\n").index('<div class="key-concept">') + 1


def test_text_output_and_exit_code(site):
    r = run_fmlint("check", "content/", "--no-exec", cwd=site)
    assert r.returncode == 1, r.stderr
    assert f"{BROKEN}:{_div_line(site)}:1: FM801 " in r.stdout
    assert r.stdout.rstrip().splitlines()[-1].startswith("Found 1 error")
    assert "\033[" not in r.stdout  # no colour when not a terminal
    assert r.stderr == ""


def test_clean_site_exits_zero(site):
    (site / BROKEN).write_text(section_page(2, total=2))
    r = run_fmlint("check", "content", cwd=site)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed" in r.stdout


def test_json_contract(site):
    r = run_fmlint("check", "--format", "json", "content/", "--no-exec", cwd=site)
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["version"] == 1
    assert data["summary"] == {"files": 4, "errors": 1, "warnings": 0}
    (diag,) = data["diagnostics"]
    assert list(diag) == ["path", "line", "column", "end_line", "end_column", "code", "name",
                          "severity", "message", "fixable"]
    assert (diag["path"], diag["line"], diag["column"], diag["code"], diag["name"], diag["severity"]) == (
        BROKEN, _div_line(site), 1, "FM801", "unbalanced-div", "error")


def test_json_paths_are_relative_to_cwd(site):
    r = run_fmlint("check", "--format", "json", "handbooks", "--no-exec", cwd=site / "content")
    paths = {d["path"] for d in json.loads(r.stdout)["diagnostics"]}
    assert paths == {BROKEN.removeprefix("content/")}


def test_github_format(site):
    r = run_fmlint("check", "--format", "github", "content/", "--no-exec", cwd=site)
    first = r.stdout.splitlines()[0]
    assert re.match(rf"::error file={re.escape(BROKEN)},line={_div_line(site)},col=1,.*::FM801 ", first)


def test_github_format_is_default_on_actions(site):
    r = run_fmlint("check", "content/", "--no-exec", cwd=site, env={"GITHUB_ACTIONS": "true"})
    assert r.stdout.startswith("::error ")


def test_sarif_format(site):
    r = run_fmlint("check", "--format", "sarif", "content/", "--no-exec", cwd=site)
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert {"FM801", "FM101"} <= {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    (res,) = run["results"]
    loc = res["locations"][0]["physicalLocation"]
    assert (res["ruleId"], loc["artifactLocation"]["uri"], loc["region"]["startLine"]) == (
        "FM801", BROKEN, _div_line(site))


def test_show_source_prints_line_and_caret(site):
    r = run_fmlint("check", "--show-source", "content/", "--no-exec", cwd=site)
    lines = r.stdout.splitlines()
    i = next(i for i, x in enumerate(lines) if "FM801" in x)
    assert '<div class="key-concept">' in lines[i + 1]
    assert lines[i + 2].endswith("^")


def test_color_flag(site):
    r = run_fmlint("check", "--color", "content/", "--no-exec", cwd=site)
    assert "\033[" in r.stdout


def test_ignore_and_select(site):
    assert run_fmlint("check", "--ignore", "FM801", "content/", cwd=site).returncode == 0
    assert run_fmlint("check", "--select", "FM1", "content/", cwd=site).returncode == 0
    assert run_fmlint("check", "--select", "FM8", "content/", "--no-exec", cwd=site).returncode == 1


def test_fail_on_warning(site):
    (site / BROKEN).write_text(section_page(2, total=2, body="## 2.1 A\n\n#### skip\n"))
    assert run_fmlint("check", "content/", "--no-exec", cwd=site).returncode == 0
    assert run_fmlint("check", "--fail-on", "warning", "content/", "--no-exec", cwd=site).returncode == 1


def test_missing_path_exits_2_with_one_line(site):
    r = run_fmlint("check", "nope/", cwd=site)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "nope" in r.stderr
    assert "Traceback" not in r.stderr


def test_directory_without_handbooks(tmp_path):
    (tmp_path / "empty").mkdir()
    r = run_fmlint("check", "empty", cwd=tmp_path)
    assert r.returncode == 0
    assert "No handbook pages" in r.stdout


def test_bad_configuration_exits_2_naming_key(site):
    (site / ".fmlint.toml").write_text("selct = ['FM1']\n")
    r = run_fmlint("check", "content/", cwd=site)
    assert r.returncode == 2
    assert "selct" in r.stderr and ".fmlint.toml" in r.stderr and "Traceback" not in r.stderr


def test_mistyped_configuration_value(site):
    (site / ".fmlint.toml").write_text("[snippets]\ntimeout = 'ten'\n")
    r = run_fmlint("check", "content/", cwd=site)
    assert r.returncode == 2 and "snippets.timeout" in r.stderr


def test_invalid_toml(site):
    (site / ".fmlint.toml").write_text("select = [\n")
    r = run_fmlint("check", "content/", cwd=site)
    assert r.returncode == 2 and "invalid TOML" in r.stderr


def test_configuration_in_pyproject_found_upward(site):
    (site / "pyproject.toml").write_text("[tool.fmlint]\nignore = ['FM801']\n")
    r = run_fmlint("check", "handbooks", cwd=site / "content")
    assert r.returncode == 0, r.stdout


def test_per_file_ignores_and_severity(site):
    (site / ".fmlint.toml").write_text(
        "[per-file-ignores]\n'**/section2/index.md' = ['FM8']\n")
    assert run_fmlint("check", "content/", "--no-exec", cwd=site).returncode == 0
    (site / ".fmlint.toml").write_text("[severity]\nFM801 = 'warning'\n")
    r = run_fmlint("check", "content/", "--no-exec", cwd=site)
    assert r.returncode == 0 and "FM801 [warning]" in r.stdout


def test_bad_option_value_is_usage_error(site):
    r = run_fmlint("check", "--format", "xml", "content/", cwd=site)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_rules_and_rule(site):
    r = run_fmlint("rules", cwd=site)
    assert r.returncode == 0 and "FM801" in r.stdout and "unbalanced-div" in r.stdout
    r = run_fmlint("rule", "fm801", cwd=site)
    assert r.returncode == 0 and "Bad:" in r.stdout and "Good:" in r.stdout
    r = run_fmlint("rule", "FM999", cwd=site)
    assert r.returncode == 2 and "FM999" in r.stderr


def test_python_dash_m_and_version(site):
    r = run_fmlint("--version", cwd=site)
    assert r.returncode == 0 and "fmlint" in r.stdout


def test_given_one_file_checks_its_whole_handbook(site):
    # section1 is clean; naming it still brings section2's finding (cross-file rules need the handbook)
    r = run_fmlint("check", f"{HB}/section1/index.md", "--no-exec", cwd=site)
    assert r.returncode == 1 and BROKEN in r.stdout
