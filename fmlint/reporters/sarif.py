"""SARIF 2.1.0, as code-scanning tools load it; rule metadata comes from the registry."""

from __future__ import annotations

import json

from fmlint import __version__
from fmlint.reporters.base import Report
from fmlint.rules import all_rules

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(report: Report) -> str:
    rules = list(all_rules().values())
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d in report.diagnostics:
        region = {"startLine": d.line, "startColumn": d.column}
        if d.end_line:
            region["endLine"] = d.end_line
        if d.end_column:
            region["endColumn"] = d.end_column
        results.append({
            "ruleId": d.code,
            "ruleIndex": index.get(d.code, 0),
            "level": _LEVEL[d.severity.value],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": d.path, "uriBaseId": "%SRCROOT%"},
                "region": region}}],
            "properties": {"fixable": d.fixable},
        })
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "fmlint",
                "version": __version__,
                "informationUri": "https://github.com/fmlint/fmlint",
                "rules": [{
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": {"text": r.summary},
                    "fullDescription": {"text": r.doc_section("What it does") or r.summary},
                    "help": {"text": r.doc.strip()},
                    "defaultConfiguration": {"level": _LEVEL[r.severity.value]},
                } for r in rules],
            }},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
