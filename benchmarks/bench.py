"""Measure `fmlint check` on a generated site (not a test: run it with `make bench`).

Generates HANDBOOKS handbooks of SECTIONS sections each (pages of realistic size: prose, Liquid
links between sections, citations, code fences, key-concept boxes, cards, navigation) into a
temporary folder, then times the whole check (--no-exec, so snippet execution is measured
separately by bench_snippets.py) over REPEAT runs and prints the median and pages per second.

    python benchmarks/bench.py [--handbooks 20] [--sections 22] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import card, index_page, section_page, write_tree  # noqa: E402

PARAGRAPH = ("Foundation models are trained once on broad data and adapted to many tasks; "
             "this paragraph stands for the prose of a real page, with **emphasis**, `code` and a "
             "citation {% cite key%d %}. ") * 3


def section_body(hb: str, n: int, total: int) -> str:
    parts = ['<div class="key-concept">\n  <strong>Key concept:</strong> a box.\n</div>\n']
    for k in range(1, 6):
        parts.append(f"## {n}.{k} Subsection {k}\n")
        for m in range(1, 3):
            parts.append(f"### {n}.{k}.{m} Part {m}\n")
            parts.append(PARAGRAPH.replace("%d", str((n * 7 + k) % 40)) + "\n")
        target = (n % total) + 1
        parts.append(f"See [section {target}]({{{{ '/content/handbooks/{hb}/section{target}/' | relative_url }}}}"
                     f"#{target}1-subsection-1).\n")
        parts.append("```python\nimport math\nprint(math.sqrt(%d))\n```\n" % k)
    parts.append("## References\n\n{% bibliography --cited %}\n")
    return "\n".join(parts)


def bib(n: int) -> str:
    return "".join(f"@article{{key{i},\n  author = {{Doe, Jane and Roe, Richard}},\n  title = {{Paper {i}}},\n"
                   f"  journal = {{Journal of Tests}},\n  year = {{2020}}\n}}\n\n" for i in range(n))


def generate(root: Path, handbooks: int, sections: int) -> int:
    files: dict[str, str] = {"_config.yml": "markdown: kramdown\n",
                             "assets/css/section-academic.css": "", "assets/js/section-academic.js": ""}
    for h in range(handbooks):
        hb = f"hb{h}"
        cards = "  \n".join(card(n, hb=hb) for n in range(1, sections + 1))
        files[f"content/handbooks/{hb}/index.md"] = index_page(sections, hb=hb, cards=cards)
        files[f"content/handbooks/{hb}/references.bib"] = bib(40)
        for n in range(1, sections + 1):
            files[f"content/handbooks/{hb}/section{n}/index.md"] = section_page(
                n, hb=hb, total=sections, body=section_body(hb, n, sections))
    write_tree(root, files)
    return len(files)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--handbooks", type=int, default=20)
    ap.add_argument("--sections", type=int, default=22)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        count = generate(root, args.handbooks, args.sections)
        size = sum(p.stat().st_size for p in root.rglob("*.md"))
        pages = args.handbooks * (args.sections + 1)
        print(f"generated {pages} pages ({size / 1e6:.1f} MB of Markdown), {count} files")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "fmlint", "check", "--no-exec", "--format", "json",
                                "content"], cwd=root, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - start)
            if r.returncode not in (0, 1):
                sys.exit(f"fmlint failed: {r.stderr}")
        med = statistics.median(times)
        print(f"fmlint check --no-exec: median {med:.2f}s over {args.repeat} runs "
              f"({pages / med:.0f} pages/s, includes interpreter start-up)")


if __name__ == "__main__":
    main()
