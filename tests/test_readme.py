"""The README is the user's manual: its commands, options, keys and rule table must be current."""

from __future__ import annotations

import re
from pathlib import Path

import click

from fmlint.cli import cli
from fmlint.config import Config, LinkOptions, SnippetOptions
from scripts.update_readme import render

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_is_current():
    assert render(README) == README, "README rule table is stale: run `make readme`"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, cmd in group.commands.items():
        found.append((f"{prefix}{name}", cmd))
        if isinstance(cmd, click.Group):
            found += _commands(cmd, f"{prefix}{name} ")
    return found


def test_every_command_and_option_is_documented():
    missing = []
    for name, cmd in _commands(cli):
        if f"fmlint {name}" not in README:
            missing.append(f"command 'fmlint {name}'")
        for param in cmd.params:
            if isinstance(param, click.Option):
                for opt in [*param.opts, *param.secondary_opts]:
                    if opt.startswith("--") and opt not in ("--help",) and opt not in README:
                        missing.append(f"{name} {opt}")
    assert missing == []


def test_every_configuration_key_is_documented():
    for model in (Config, SnippetOptions, LinkOptions):
        for name, field in model.model_fields.items():
            key = field.alias or name
            if name in ("snippets", "links"):  # tables, documented key by key
                continue
            assert f"`{key}`" in README or f"] {key}`" in README, key


def test_first_commands_are_make_check_and_make_test():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    assert first_block.splitlines()[0].startswith("make check")
    assert first_block.splitlines()[1].startswith("make test")
