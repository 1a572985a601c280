"""Index-card metadata: what one `div.section-card` on a handbook index says about its section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Card(BaseModel):
    """One section card, as read from the index page's HTML."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, description="The section number the card is for (from its h3 id `s<N>`).")
    numeral: str | None = Field(None, pattern=r"^[IVXLCDM]+$",
                                description="The numeral of the `<!-- Section V -->` comment, when present.")
    id: str = Field(pattern=r"^s[1-9][0-9]*$", description="The h3 id, `s<N>`.")
    title_href: str = Field(description="The href of the link in the h3.")
    link_href: str = Field(description="The href of the `a.section-link` 'Read section' link.")
    title: str = Field(description="The h3 link text: the section's `title`.")
    goal: str = Field(description="The text after `<strong>Goal:</strong>`: the section's `description`.")
