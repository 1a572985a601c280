"""The hook as an author meets it: the real `pre-commit try-repo` against a temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import HB, handbook, section_page, write_tree

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _try_repo(repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "fmlint", "--files", *files],
        cwd=repo, capture_output=True, text=True, env=env, timeout=900, check=False)


def test_hook_fails_on_broken_page_and_passes_when_fixed(tmp_path):
    repo = tmp_path / "handbook-site"
    files = handbook(2)
    page = f"{HB}/section2/index.md"
    files[page] = section_page(2, total=2, body='## 2.1 A\n\n<div class="key-concept">\nnever closed\n')
    write_tree(repo, {**files, "_config.yml": "markdown: kramdown\n"})
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    home = tmp_path / "pre-commit-home"

    broken = _try_repo(repo, home, page)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "FM801" in broken.stdout and page in broken.stdout

    (repo / page).write_text(section_page(2, total=2), encoding="utf-8")
    _git(repo, "add", "-A")
    fixed = _try_repo(repo, home, page)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
