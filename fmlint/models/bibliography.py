"""BibTeX entries as schemas: the fields each entry type requires, and what a valid value is.

The required fields follow BibTeX's standard styles (the format's details, item 13). Field values
are the resolved text of each field (delimiters removed, `@string` macros and month macros
substituted). `BibEntry.issues(fields)` validates one entry and returns every problem at once;
the FM5xx rules place them at the entry's or the field's line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, ClassVar, NamedTuple
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

# BibTeX's standard types (plain.bst and friends), and the biblatex types bibtex-ruby passes on
# to citeproc unchanged. Anything else is a typo (`@artcle`) or a type no style knows.
BIBTEX_TYPES = frozenset({"article", "book", "booklet", "conference", "inbook", "incollection", "inproceedings",
                          "manual", "mastersthesis", "misc", "phdthesis", "proceedings", "techreport",
                          "unpublished"})
BIBLATEX_TYPES = frozenset({"online", "electronic", "www", "software", "dataset", "report", "thesis", "patent",
                            "collection", "mvbook", "mvcollection", "mvproceedings", "bookinbook",
                            "suppbook", "suppcollection", "suppperiodical", "periodical", "reference",
                            "mvreference", "inreference", "set", "xdata", "artwork", "audio", "image",
                            "jurisdiction", "legislation", "legal", "letter", "movie", "music",
                            "performance", "review", "standard", "video"})
KNOWN_TYPES = BIBTEX_TYPES | BIBLATEX_TYPES

_ESCAPE = re.compile(r"\\([_%&#$~])")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"(?i)^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)")


def _plain(value: str) -> str:
    """A value without BibTeX's grouping braces and simple LaTeX escapes (`\\_`, `\\%`)."""
    return _ESCAPE.sub(r"\1", value.replace("{", "").replace("}", "")).strip()


def next_year() -> int:
    return dt.date.today().year + 1


def _not_empty(value: str) -> str:
    if not _plain(value):
        raise PydanticCustomError("empty_field", "the field is empty")
    return value


def _plausible_year(value: str) -> str:
    text = _plain(value)
    if not text:
        raise PydanticCustomError("empty_field", "the field is empty")
    last = next_year()
    if not re.fullmatch(r"\d{4}", text) or not 1000 <= int(text) <= last:
        raise PydanticCustomError(
            "implausible_year", "'{year}' is not a plausible four-digit year (1000 to {last})",
            {"year": text, "last": last})
    return value


def normalise_doi(value: str) -> str:
    return _DOI_PREFIX.sub("", _plain(value)).lower()


def _doi(value: str) -> str:
    text = _plain(value)
    if _DOI_PREFIX.match(text) and _DOI.fullmatch(_DOI_PREFIX.sub("", text)):
        raise PydanticCustomError(
            "malformed_doi", "'{doi}' has a prefix: write the bare DOI '{bare}' (styles add https://doi.org/)",
            {"doi": text, "bare": _DOI_PREFIX.sub("", text)})
    if not _DOI.fullmatch(text):
        raise PydanticCustomError(
            "malformed_doi", "'{doi}' is not a DOI: a DOI looks like 10.1234/abc.def", {"doi": text})
    return value


def _url(value: str) -> str:
    text = _plain(value)
    try:
        parts = urlsplit(text)
        ok = (parts.scheme.lower() in ("http", "https", "ftp") and bool(parts.hostname)
              and not re.search(r"[\s\\]", text))
    except ValueError:  # e.g. a malformed IPv6 host
        ok = False
    if not ok:
        raise PydanticCustomError(
            "malformed_url", "'{url}' is not an absolute http(s) URL: write it as https://host/path",
            {"url": text})
    return value


BibText = Annotated[str, AfterValidator(_not_empty), WithJsonSchema({"type": "string", "minLength": 1})]
Year = Annotated[str, AfterValidator(_plausible_year), WithJsonSchema({
    "type": "string", "pattern": "^[0-9]{4}$",
    "description": "Publication year: four digits, from 1000 to next year."})]
Doi = Annotated[str, AfterValidator(_doi), WithJsonSchema({
    "type": "string", "pattern": "^10\\.[0-9]{4,9}/\\S+$",
    "description": "The bare DOI, e.g. 10.48550/arXiv.1706.03762 (no https://doi.org/ prefix)."})]
Url = Annotated[str, AfterValidator(_url), WithJsonSchema({
    "type": "string", "format": "uri", "description": "An absolute http(s) URL."})]


class FieldIssue(NamedTuple):
    """One problem of an entry: `kind` is missing, empty, implausible_year, malformed_doi or malformed_url."""

    kind: str
    fields: tuple[str, ...]  # the field (or the alternatives, for a missing one-of)
    message: str


class BibEntry(BaseModel):
    """Any BibTeX entry. Fields every type may carry are checked when present; others are free."""

    model_config = ConfigDict(extra="allow", title="BibTeX entry (any type)")
    # Groups of fields of which at least one must be given (e.g. a book's author or editor).
    ANY_OF: ClassVar[tuple[tuple[str, ...], ...]] = ()

    year: Year | None = None
    doi: Doi | None = None
    url: Url | None = None
    crossref: str | None = Field(None, description="Key of an entry this one inherits missing fields from.")

    @classmethod
    def issues(cls, fields: dict[str, str]) -> list[FieldIssue]:
        """Every problem of an entry with these (resolved) field values; [] when it is valid."""
        names = set(cls.model_fields) | {n for group in cls.ANY_OF for n in group}
        data = {k: v for k, v in fields.items() if k in names}
        found: list[FieldIssue] = []
        try:
            cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                kind = "missing" if err["type"] == "missing" else err["type"]
                found.append(FieldIssue(kind, (name,), err["msg"]))
        for group in cls.ANY_OF:
            if not any(n in data for n in group):
                found.append(FieldIssue("missing", group, "one of these fields is required"))
        return found


class ArticleEntry(BibEntry):
    """`@article`: a paper in a journal or magazine."""

    model_config = ConfigDict(title="BibTeX @article")
    author: BibText
    title: BibText
    journal: BibText
    year: Year  # type: ignore[assignment]


class BookEntry(BibEntry):
    """`@book`: a book with an explicit publisher; author or editor."""

    model_config = ConfigDict(title="BibTeX @book", json_schema_extra={
        "anyOf": [{"required": ["author"]}, {"required": ["editor"]}]})
    ANY_OF: ClassVar[tuple[tuple[str, ...], ...]] = (("author", "editor"),)
    author: BibText | None = None
    editor: BibText | None = None
    title: BibText
    publisher: BibText
    year: Year  # type: ignore[assignment]


class InProceedingsEntry(BibEntry):
    """`@inproceedings` (and its alias `@conference`): a paper in a conference's proceedings."""

    model_config = ConfigDict(title="BibTeX @inproceedings")
    author: BibText
    title: BibText
    booktitle: BibText
    year: Year  # type: ignore[assignment]


class InCollectionEntry(BibEntry):
    """`@incollection`: a part of a book with its own title."""

    model_config = ConfigDict(title="BibTeX @incollection")
    author: BibText
    title: BibText
    booktitle: BibText
    publisher: BibText
    year: Year  # type: ignore[assignment]


class TechReportEntry(BibEntry):
    """`@techreport`: a report published by a school or other institution."""

    model_config = ConfigDict(title="BibTeX @techreport")
    author: BibText
    title: BibText
    institution: BibText
    year: Year  # type: ignore[assignment]


class PhdThesisEntry(BibEntry):
    """`@phdthesis`: a PhD thesis."""

    model_config = ConfigDict(title="BibTeX @phdthesis")
    author: BibText
    title: BibText
    school: BibText
    year: Year  # type: ignore[assignment]


class MastersThesisEntry(PhdThesisEntry):
    """`@mastersthesis`: a Master's thesis."""

    model_config = ConfigDict(title="BibTeX @mastersthesis")


class MiscEntry(BibEntry):
    """`@misc`: anything else (web pages, preprints); a title, a year, and who or where."""

    model_config = ConfigDict(title="BibTeX @misc", json_schema_extra={
        "anyOf": [{"required": ["author"]}, {"required": ["howpublished"]}, {"required": ["url"]}]})
    ANY_OF: ClassVar[tuple[tuple[str, ...], ...]] = (("author", "howpublished", "url"),)
    author: BibText | None = None
    howpublished: BibText | None = None
    title: BibText
    year: Year  # type: ignore[assignment]


class OtherEntry(BibEntry):
    """Any other type (`@booklet`, `@manual`, `@online`, …): at least a title."""

    model_config = ConfigDict(title="BibTeX entry of another type")
    title: BibText


ENTRY_MODELS: dict[str, type[BibEntry]] = {
    "article": ArticleEntry,
    "book": BookEntry,
    "inproceedings": InProceedingsEntry,
    "conference": InProceedingsEntry,
    "incollection": InCollectionEntry,
    "techreport": TechReportEntry,
    "phdthesis": PhdThesisEntry,
    "mastersthesis": MastersThesisEntry,
    "misc": MiscEntry,
}


def model_for(entry_type: str) -> type[BibEntry]:
    return ENTRY_MODELS.get(entry_type.lower(), OtherEntry)
