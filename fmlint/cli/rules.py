from __future__ import annotations

import click

from fmlint.config import ConfigError
from fmlint.rules import all_rules, get_rule


def markdown_table() -> str:
    """The rule table of the README, generated from the registry."""
    rows = ["| Code | Name | Severity | Fix | What it reports |", "|---|---|---|---|---|"]
    for r in all_rules().values():
        rows.append(f"| {r.code} | `{r.name}` | {r.severity.value} | {'yes' if r.fixable else ''} | {r.summary} |")
    return "\n".join(rows) + "\n"


@click.command()
@click.option("--markdown", is_flag=True, help="Print the list as a Markdown table (as in the README).")
def rules(markdown: bool) -> int:
    """List every rule: code, name, default severity, whether it can be fixed, summary."""
    if markdown:
        click.echo(markdown_table(), nl=False)
        return 0
    for r in all_rules().values():
        fix = "fix" if r.fixable else "   "
        click.echo(f"{r.code}  {r.name:<32} {r.severity.value:<8} {fix}  {r.summary}")
    return 0


@click.command()
@click.argument("code")
def rule(code: str) -> int:
    """Print one rule's documentation (for example: fmlint rule FM301)."""
    r = get_rule(code)
    if r is None:
        raise ConfigError(f"unknown rule code '{code}' (see `fmlint rules`)")
    click.echo(f"{r.code} {r.name} ({r.severity.value}{', fixable' if r.fixable else ''})\n")
    click.echo(f"{r.summary}.\n")
    click.echo(r.doc.strip("\n"))
    return 0
