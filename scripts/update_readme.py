"""Regenerate the README's rule table from the registry (`make readme`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fmlint.cli.rules import markdown_table  # noqa: E402

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def render(readme: str) -> str:
    block = f"{START}\n{markdown_table()}{END}"
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, readme, flags=re.S)


if __name__ == "__main__":
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print("README.md: rule table updated")
