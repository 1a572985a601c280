"""Pydantic models of what authors write: page front matter, index-card metadata, BibTeX entries."""

from fmlint.models.bibliography import (
    ArticleEntry,
    BookEntry,
    InCollectionEntry,
    InProceedingsEntry,
    MastersThesisEntry,
    MiscEntry,
    OtherEntry,
    PhdThesisEntry,
    TechReportEntry,
)
from fmlint.models.card import Card
from fmlint.models.frontmatter import (
    JEKYLL_KEYS,
    HandbookIndexFrontMatter,
    PageFrontMatter,
    SectionFrontMatter,
)

SCHEMA_MODELS = {
    "handbook-index": HandbookIndexFrontMatter,
    "section": SectionFrontMatter,
    "card": Card,
    "bib-article": ArticleEntry,
    "bib-book": BookEntry,
    "bib-inproceedings": InProceedingsEntry,
    "bib-incollection": InCollectionEntry,
    "bib-techreport": TechReportEntry,
    "bib-phdthesis": PhdThesisEntry,
    "bib-mastersthesis": MastersThesisEntry,
    "bib-misc": MiscEntry,
    "bib-other": OtherEntry,
}

__all__ = ["JEKYLL_KEYS", "SCHEMA_MODELS", "Card", "HandbookIndexFrontMatter", "PageFrontMatter",
           "SectionFrontMatter"]
