"""Shared test helpers: write a small site into a temporary folder and check it.

    files = {"content/handbooks/hb/index.md": INDEX, ...}
    diags = check_tree(tmp_path, files)          # list[Diagnostic], paths relative to tmp_path
    assert ("content/handbooks/hb/index.md", 12, "FM301") in codes_at(diags)
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fmlint import api
from fmlint.config import Config
from fmlint.diagnostics import Diagnostic

HB = "content/handbooks/hb"
ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
         "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV"]


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


def check_tree(root: Path, files: dict[str, str | bytes] | None = None, *, paths: list[str] | None = None,
               config: Config | None = None, **config_values: object) -> list[Diagnostic]:
    """Write `files` under `root` (plus a `_config.yml`), check `paths` (default: content/)."""
    if files:
        write_tree(root, files)
    if not (root / "_config.yml").exists():
        (root / "_config.yml").write_text("markdown: kramdown\n", encoding="utf-8")
    cfg = config or Config.model_validate({"snippets": {"cache": False}, **config_values})
    with chdir(root):
        _, result = api.check([Path(p) for p in (paths or ["content"])], cfg)
    return result.diagnostics


def codes_at(diags: list[Diagnostic]) -> set[tuple[str, int, str]]:
    return {(d.path, d.line, d.code) for d in diags}


def only(diags: list[Diagnostic], prefix: str) -> list[Diagnostic]:
    return [d for d in diags if d.code.startswith(prefix)]


def section_page(n: int, name: str | None = None, *, hb: str = "hb", total: int = 3, body: str = "",
                 description: str | None = None, extra_front_matter: str = "") -> str:
    """A clean section page in the handbook format (navigation for a handbook of `total` sections)."""
    name = name or f"Topic {n}"
    description = description or f"Explain topic {n}."
    prev = f"/content/handbooks/{hb}/" if n == 1 else f"/content/handbooks/{hb}/section{n - 1}/"
    nxt = (f'  window.nextSection = "/content/handbooks/{hb}/section{n + 1}/";'
           if n < total else "  // last section: no next")
    body = body or f"## {n}.1 First part\n\nSome text about topic {n}.\n"
    return (
        "---\nlayout: default\n"
        f'title: "Section {ROMAN[n]}: {name}"\n'
        f'description: "{description}"\n'
        f"section: {n}\n"
        f"{extra_front_matter}"
        "---\n\n"
        "<link rel=\"stylesheet\" href=\"{{ '/assets/css/section-academic.css' | relative_url }}\">\n\n"
        f"{body}\n"
        "<script>\n"
        f'  window.previousSection = "{prev}";\n'
        f"{nxt}\n"
        "</script>\n\n"
        "<script src=\"{{ '/assets/js/section-academic.js' | relative_url }}\"></script>\n"
    )


def card(n: int, name: str | None = None, *, hb: str = "hb", goal: str | None = None) -> str:
    name = name or f"Topic {n}"
    goal = goal or f"Explain topic {n}."
    url = f"/content/handbooks/{hb}/section{n}/"
    return f"""  <!-- Section {ROMAN[n]} -->
  <div class="section-card">
    <h3 id="s{n}">
      <a href="{{{{ '{url}' | relative_url }}}}">Section {ROMAN[n]}: {name}</a>
    </h3>
    <p><strong>Goal:</strong> {goal}</p>
    <a href="{{{{ '{url}' | relative_url }}}}" class="section-link">Read section →</a>
  </div>
"""


def index_page(total: int = 3, *, hb: str = "hb", title: str = "Test Handbook", cards: str | None = None) -> str:
    cards = cards if cards is not None else "  \n".join(card(n, hb=hb) for n in range(1, total + 1))
    return f"""---
layout: default
title: "{title}"
description: "A handbook used by the tests."
---

<link rel="stylesheet" href="{{{{ '/assets/css/section-academic.css' | relative_url }}}}">

<h2 id="handbook-sections">Handbook Sections</h2>

<div class="sections-grid">
{cards}</div>

<script>
  // Navigation variables - no previous for index
  window.nextSection = "/content/handbooks/{hb}/section1/";
</script>

<script src="{{{{ '/assets/js/section-academic.js' | relative_url }}}}"></script>
"""


def handbook(total: int = 3, *, hb: str = "hb", bib: str | None = "") -> dict[str, str]:
    """A clean handbook of `total` sections, with the shared assets."""
    files = {f"content/handbooks/{hb}/index.md": index_page(total, hb=hb)}
    for n in range(1, total + 1):
        files[f"content/handbooks/{hb}/section{n}/index.md"] = section_page(n, hb=hb, total=total)
    if bib is not None:
        files[f"content/handbooks/{hb}/references.bib"] = bib
    files["assets/css/section-academic.css"] = "body {}\n"
    files["assets/js/section-academic.js"] = "// nav\n"
    return files
