from __future__ import annotations

import json as _json

from fmlint.reporters.base import Report

VERSION = 1


def render(report: Report) -> str:
    data = {
        "version": VERSION,
        "diagnostics": [d.to_dict() for d in report.diagnostics],
        "summary": {"files": report.files, "errors": report.errors, "warnings": report.warnings},
    }
    return _json.dumps(data, indent=2, ensure_ascii=False) + "\n"
