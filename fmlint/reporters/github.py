"""GitHub Actions workflow commands: findings show as annotations on a pull request's diff."""

from __future__ import annotations

from fmlint.reporters.base import Report

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        props = [f"file={_escape_prop(d.path)}", f"line={d.line}", f"col={d.column}"]
        if d.end_line:
            props.append(f"endLine={d.end_line}")
        if d.end_column:
            props.append(f"endColumn={d.end_column}")
        props.append(f"title={_escape_prop(f'fmlint {d.code} ({d.name})')}")
        fix = " [fixable with `fmlint fix`]" if d.fixable else ""
        lines.append(f"::{_LEVEL[d.severity.value]} {','.join(props)}::{_escape_data(f'{d.code} {d.message}{fix}')}")
    lines.append(f"fmlint: {report.errors} errors, {report.warnings} warnings in {report.files} files")
    return "\n".join(lines) + "\n"
