"""Hostile input: each gives a finding or a clear error quickly, and other files are still reported."""

from __future__ import annotations

import os
import time

from tests.cli_helpers import run_fmlint
from tests.helpers import HB, check_tree, handbook, section_page, write_tree

ALIAS_BOMB = """---
layout: default
title: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
description: *i
section: 1
---

Body.
"""


def _hostile_site(tmp_path):
    files = handbook(3)
    files[f"{HB}/section1/index.md"] = ALIAS_BOMB
    files[f"{HB}/section2/index.md"] = os.urandom(4096)
    files[f"{HB}/section3/index.md"] = "---\nlayout: default\ntitle: x\n"  # never closed
    files["content/empty.md"] = ""
    files["content/huge.md"] = "---\ntitle: big\n---\n" + ("A line of prose with a [link](/x/).\n" * 300_000)
    files["content/other.md"] = section_page(1, total=1, body="<div>\n\nnot closed\n")
    write_tree(tmp_path, files)
    return tmp_path


def test_hostile_files_are_findings_and_fast(tmp_path):
    site = _hostile_site(tmp_path)
    assert (site / "content/huge.md").stat().st_size > 10_000_000
    start = time.perf_counter()
    diags = check_tree(site)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    by_path = {}
    for d in diags:
        by_path.setdefault(d.path, set()).add(d.code)
    assert "FM002" in by_path[f"{HB}/section2/index.md"]
    assert "FM003" in by_path[f"{HB}/section3/index.md"]
    assert "FM005" in by_path["content/huge.md"]
    assert by_path[f"{HB}/section1/index.md"] & {"FM103"}  # title/description are not strings
    assert "FM801" in by_path["content/other.md"]  # the other files' findings still come


def test_hostile_files_through_the_cli(tmp_path):
    site = _hostile_site(tmp_path)
    r = run_fmlint("check", "content", "--no-exec", cwd=site)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and r.stderr == ""
    assert "content/other.md" in r.stdout


def test_empty_page_outside_a_handbook_is_fine(tmp_path):
    files = handbook(1)
    files["content/empty.md"] = ""
    assert [d for d in check_tree(tmp_path, files) if d.path == "content/empty.md"] == []


def test_empty_section_page_is_reported(tmp_path):
    files = handbook(1)
    files[f"{HB}/section1/index.md"] = ""
    assert any(d.code == "FM101" for d in check_tree(tmp_path, files))
