"""Pydantic models of what authors write: page front matter and index-card metadata."""

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
}

__all__ = ["JEKYLL_KEYS", "SCHEMA_MODELS", "Card", "HandbookIndexFrontMatter", "PageFrontMatter",
           "SectionFrontMatter"]
