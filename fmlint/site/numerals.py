"""Roman numerals, as section titles and card comments write them (`Section XIV: ...`)."""

from __future__ import annotations

import re

_VALID = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_VALUES = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def to_roman(number: int) -> str:
    """The upper-case numeral of 1..3999 (`14` -> `XIV`)."""
    if not 0 < number < 4000:
        raise ValueError(f"{number} has no Roman numeral")
    out = []
    for value, letters in _VALUES:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def is_roman(text: str) -> bool:
    """Whether `text` is a well-formed upper-case numeral (`IV`, not `IIII`, `iv` or `VX`)."""
    return bool(text) and bool(_VALID.match(text))


def from_roman(text: str) -> int | None:
    """The value of a well-formed upper-case numeral, else None."""
    if not is_roman(text):
        return None
    total = 0
    i = 0
    for value, letters in _VALUES:
        while text.startswith(letters, i):
            total += value
            i += len(letters)
    return total
