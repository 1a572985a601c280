from __future__ import annotations

import click

from fmlint.config import ConfigError
from fmlint.rules import all_rules, get_rule


@click.command()
def rules() -> int:
    """List every rule: code, name, default severity, whether it can be fixed, summary."""
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
