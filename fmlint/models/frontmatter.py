"""Front matter of handbook pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# Jekyll's standard page keys: known on every page, never reported as unknown.
JEKYLL_KEYS = frozenset({"layout", "title", "description", "permalink", "published", "date", "excerpt",
                         "tags", "categories", "redirect_from", "sitemap", "last_modified_at"})


class PageFrontMatter(BaseModel):
    """Keys every handbook page may set. Unknown keys are allowed here and reported by FM104."""

    model_config = ConfigDict(extra="allow", strict=True)

    layout: NonEmpty = Field(description="Jekyll layout, usually `default`.")
    title: NonEmpty = Field(description="The page title.")
    description: NonEmpty = Field(description="One or two sentences about the page.")
    permalink: NonEmpty | None = Field(None, pattern=r"^/", description="The page's URL, when not its path.")
    published: StrictBool | None = None
    date: dt.date | dt.datetime | str | None = None
    excerpt: str | None = None
    tags: list[str] | str | None = None
    categories: list[str] | str | None = None
    redirect_from: list[str] | str | None = None
    sitemap: StrictBool | dict[str, Any] | None = None
    last_modified_at: dt.date | dt.datetime | str | None = None


class HandbookIndexFrontMatter(PageFrontMatter):
    """Front matter of a handbook's `index.md`."""


class SectionFrontMatter(PageFrontMatter):
    """Front matter of `section<N>/index.md`."""

    title: Annotated[str, StringConstraints(pattern=r"^Section [A-Za-z]+: \S.*$")] = Field(
        description="`Section <Roman numeral>: <name>`, the numeral being `section` in upper case.")
    description: NonEmpty = Field(description="The section's goal: the sentence its card shows after 'Goal:'.")
    section: StrictInt = Field(ge=1, description="The section number; equals the N of its folder `section<N>`.")
