from __future__ import annotations

from fmlint.reporters.base import Report

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(report: Report) -> str:
    out: list[str] = []
    c = report.color
    for d in report.diagnostics:
        sev = d.severity.value
        loc = f"{d.path}:{d.line}:{d.column}:"
        code = f"{d.code}"
        fix = " [*]" if d.fixable else ""
        if c:
            loc = f"{_BOLD}{loc}{_RESET}"
            code = f"{_COLORS[sev]}{_BOLD}{code}{_RESET}"
        label = "" if sev == "error" else f"[{sev}] "
        out.append(f"{loc} {code} {label}{d.message}{fix}")
        if report.show_source:
            lines = report.sources.get(d.path, [])
            if 0 < d.line <= len(lines):
                src = lines[d.line - 1].replace("\t", " ")
                out.append(f"  {d.line:>4} | {src}")
                caret = " " * (d.column - 1) + "^"
                out.append(f"       | {_COLORS[sev] if c else ''}{caret}{_RESET if c else ''}")
    fixable = sum(1 for d in report.diagnostics if d.fixable)
    if report.diagnostics:
        summary = (f"Found {report.errors} error{'s' * (report.errors != 1)} and "
                   f"{report.warnings} warning{'s' * (report.warnings != 1)} in {report.files} files")
        if fixable:
            summary += f" ({fixable} fixable with `fmlint fix`)"
    else:
        summary = f"All checks passed ({report.files} files)"
    if not report.files:
        summary = "No handbook pages or bibliographies found"
    out.append(f"{_DIM}{summary}.{_RESET}" if c else f"{summary}.")
    return "\n".join(out) + "\n"
