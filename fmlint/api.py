"""The small typed API the CLI (and anyone else) calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fmlint.config import Config, find_config, load_config
from fmlint.engine import Result, run_checks
from fmlint.rules.online import CODES as ONLINE_CODES
from fmlint.site.site import Site, load_site


def resolve_config(config_path: Path | None, overrides: dict[str, Any] | None = None) -> tuple[Config, Path | None]:
    """Load the configuration (given, or found from the current directory up) and apply overrides."""
    path = config_path or find_config(Path.cwd())
    config = load_config(path)
    if overrides:
        data = config.model_dump(by_alias=False)
        for key, value in overrides.items():
            if value is None:
                continue
            if "." in key:
                outer, inner = key.split(".", 1)
                data[outer] = {**data[outer], inner: value}
            else:
                data[key] = value
        config = Config.model_validate(data)
    return config, path


def check(paths: list[Path], config: Config, config_path: Path | None = None, *,
          debug: bool = False) -> tuple[Site, Result]:
    site = load_site(paths, config, config_path)
    not_run = set()
    if not config.snippets.execute:
        not_run.add("FM66")  # runtime findings of snippets
    if not config.links.online:
        not_run.update(ONLINE_CODES)  # the online link check
    return site, run_checks(site, config, debug=debug, not_run=not_run)
