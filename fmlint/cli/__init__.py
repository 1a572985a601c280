"""The command line: a thin shell over fmlint.api, one module per subcommand."""

from __future__ import annotations

import sys
import traceback

import click

from fmlint import __version__
from fmlint.cli import bib as bib_cmd
from fmlint.cli import check as check_cmd
from fmlint.cli import fix as fix_cmd
from fmlint.cli import fmt as fmt_cmd
from fmlint.cli import rules as rules_cmd
from fmlint.cli import schema as schema_cmd
from fmlint.cli import sections as sections_cmd
from fmlint.config import ConfigError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fmlint")
def cli() -> None:
    """fmlint: check and author Jekyll handbook sites."""


cli.add_command(check_cmd.check)
cli.add_command(rules_cmd.rules)
cli.add_command(rules_cmd.rule)
cli.add_command(schema_cmd.schema)
cli.add_command(bib_cmd.bib)
cli.add_command(fix_cmd.fix)
cli.add_command(sections_cmd.new)
cli.add_command(sections_cmd.move)
cli.add_command(sections_cmd.remove)
cli.add_command(fmt_cmd.fmt)


def main(argv: list[str] | None = None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        rc = cli.main(args=argv, prog_name="fmlint", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("fmlint: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"fmlint: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("fmlint: interrupted", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001  (one line, never a traceback, unless --debug)
        if debug:
            traceback.print_exc()
        click.echo(f"fmlint: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(2)
    sys.exit(rc if isinstance(rc, int) else 0)
