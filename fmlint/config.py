"""Configuration: `[tool.fmlint]` in pyproject.toml or `.fmlint.toml`, validated strictly."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CONFIG_FILES = (".fmlint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration problem: exit 2 with this one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class SnippetOptions(_Strict):
    execute: bool = Field(True, alias="exec", description="Run Python snippets (not only compile them).")
    timeout: float = Field(10.0, gt=0, description="Seconds a page's snippets may run together.")
    memory_mb: int = Field(2048, alias="memory-mb", gt=0, description="Memory limit of a page's run, MiB.")
    jobs: int | None = Field(None, ge=1, description="Pages run in parallel (default: the core count).")
    cache: bool = Field(True, description="Reuse results of unchanged pages.")
    cache_dir: str | None = Field(None, alias="cache-dir",
                                  description="Where results are cached (default .fmlint_cache at the site root).")


class LinkOptions(_Strict):
    online: bool = Field(False, description="Check external URLs over the network.")
    timeout: float = Field(10.0, gt=0, description="Seconds per request.")
    ttl_days: float = Field(7.0, alias="ttl-days", ge=0, description="How long a URL's result is reused.")
    exclude: list[str] = Field(default_factory=list, description="Regular expressions of URLs never checked.")

    @field_validator("exclude")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from exc
        return value


class Config(_Strict):
    """The whole configuration; every key may be omitted."""

    select: list[str] = Field(default_factory=lambda: ["FM"], description="Codes or prefixes to check.")
    extend_select: list[str] = Field(default_factory=list, alias="extend-select")
    ignore: list[str] = Field(default_factory=list, description="Codes or prefixes never reported.")
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores",
                                                   description="Glob -> codes ignored in matching files.")
    severity: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Code -> severity override.")
    fail_on: Literal["error", "warning"] = Field("error", alias="fail-on")
    handbooks_dir: str = Field("content/handbooks", alias="handbooks-dir",
                               description="Folder (from the site root) holding one folder per handbook.")
    bibliography: str | None = Field(
        None, description="One site-wide bibliography (path from the site root) instead of one per handbook.")
    external_pages: list[str] = Field(
        default_factory=list, alias="external-pages",
        description="Site URLs of pages that live outside the checked tree (a trailing '*' matches a prefix).")
    extra_front_matter_keys: list[str] = Field(default_factory=list, alias="extra-front-matter-keys")
    max_file_size: int = Field(2_000_000, alias="max-file-size", gt=0, description="Bytes; larger files are not checked.")
    snippets: SnippetOptions = Field(default_factory=SnippetOptions)
    links: LinkOptions = Field(default_factory=LinkOptions)

    @field_validator("select", "extend_select", "ignore")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not code.upper().startswith("FM"):
                raise ValueError(f"{code!r} is not an fmlint code or prefix (FM…)")
        return [c.upper() for c in value]


def find_config(start: Path) -> Path | None:
    """The nearest `.fmlint.toml`, or `pyproject.toml` with a [tool.fmlint] table, from `start` up."""
    for folder in [start, *start.parents]:
        for name in CONFIG_FILES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml":
                try:
                    if "fmlint" not in _read_toml(candidate).get("tool", {}):
                        continue
                except ConfigError:
                    continue
            return candidate
    return None


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("fmlint", {})
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"{path}: unknown configuration key '{where}'") from exc
        raise ConfigError(f"{path}: configuration key '{where}': {err['msg']}") from exc
