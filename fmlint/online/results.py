"""What one URL's check found, read from LinkChecker's XML output.

The XML logger is the machine-readable output that keeps structure: each URL is one `<urldata>`
with its own `<warning tag="…">` elements (CSV joins them into one cell, SQL needs a database).
Each `<urldata>` is parsed on its own, after dropping the control characters XML cannot hold, so
a truncated output or one odd page title loses one URL at most, never the run. LinkChecker runs
with LANGUAGE=C, so the messages read here are its untranslated English ones.
"""

from __future__ import annotations

import difflib
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field

OK, BROKEN, UNREACHABLE, UNAVAILABLE = "ok", "broken", "unreachable", "unavailable"
FRAGMENT_MISSING, FRAGMENT_NO_IDS = "missing", "missing-no-ids"
PERMANENT = (301, 308)

_URLDATA = re.compile(rb"<urldata>.*?</urldata>", re.S)
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_STATUS = re.compile(r"^(\d{3})\b")
_REDIRECT = re.compile(r"^Redirected to `(.*)' status: (\d{3})\b", re.S)
_ANCHOR = re.compile(r"^Anchor `.*?' \(decoded: `(.*)'\) not found\. Available anchors: (.*)$", re.S)
_ANCHOR_NAME = re.compile(r"`(.*?)'(?=, `|\.$)", re.S)


@dataclass
class LinkResult:
    url: str  # as requested
    status: str  # ok | broken | unreachable | unavailable
    code: int | None = None  # the final HTTP status, when there was one
    detail: str = ""  # LinkChecker's result: "404 Not Found", "ReadTimeout: …"
    timeout: bool = False
    redirects: list[tuple[str, int]] = field(default_factory=list)  # (new URL, status that sent there)
    final_url: str = ""
    fragment: str = ""  # "" (found or not checked), "missing" or "missing-no-ids"
    suggestion: str = ""  # the page's id closest to a missing fragment
    checked: float = 0.0  # time.time() of the check

    @property
    def transient(self) -> bool:
        """Failures that often pass on the next try: worth checking again sooner."""
        return self.status in (UNREACHABLE, UNAVAILABLE)

    def permanent_target(self) -> str | None:
        """Where the URL permanently moved: the end of the leading run of 301/308 redirects."""
        target = None
        for new_url, code in self.redirects:
            if code not in PERMANENT:
                break
            target = new_url
        return target

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["redirects"] = [list(r) for r in self.redirects]
        return data

    @classmethod
    def from_json(cls, data: dict) -> LinkResult:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        result = cls(**known)
        result.redirects = [(str(u), int(c)) for u, c in result.redirects]
        return result


def parse_xml(output: bytes, checked: float) -> dict[str, LinkResult]:
    """Request URL -> result, for every complete `<urldata>` in LinkChecker's XML output."""
    found: dict[str, LinkResult] = {}
    for chunk in _URLDATA.findall(_NOT_XML.sub(b"", output)):
        try:
            element = ET.fromstring(chunk)
        except ET.ParseError:
            continue
        result = _result(element, checked)
        if result is not None:
            found[result.url] = result
    return found


def _result(el: ET.Element, checked: float) -> LinkResult | None:
    url = (el.findtext("url") or "").strip()
    valid_el = el.find("valid")
    if not url or valid_el is None:
        return None
    valid = (valid_el.text or "").strip() == "1"
    detail = valid_el.get("result", "")
    redirects: list[tuple[str, int]] = []
    fragment, suggestion = "", ""
    for w in el.iterfind("warnings/warning"):
        text = w.text or ""
        if w.get("tag") == "http-redirected" and (m := _REDIRECT.match(text)):
            redirects.append((m.group(1), int(m.group(2))))
        elif w.get("tag") is None and (m := _ANCHOR.match(text)):
            fragment, suggestion = _missing_fragment(m.group(1), m.group(2))
    m = _STATUS.match(detail)
    code = int(m.group(1)) if m else None
    result = LinkResult(url, OK, code, detail, redirects=redirects,
                        final_url=(el.findtext("realurl") or url).strip(), checked=checked)
    if code in (404, 410):
        result.status = BROKEN
    elif code is not None and code >= 400:
        result.status = UNAVAILABLE  # 429 (LinkChecker counts it as valid), other 4xx, 5xx
    elif not valid:
        name = detail.split(":", 1)[0]
        result.timeout = "Timeout" in name or "timed out" in detail
        result.status = UNAVAILABLE if result.timeout else UNREACHABLE
    else:
        result.fragment, result.suggestion = fragment, suggestion
    return result


def _missing_fragment(decoded: str, available: str) -> tuple[str, str]:
    if available.strip() == "-.":
        return FRAGMENT_NO_IDS, ""
    ids = _ANCHOR_NAME.findall(available)
    if f"user-content-{decoded}" in ids:
        return "", ""  # GitHub prefixes heading ids and resolves #name with its script
    names = sorted({i.removeprefix("user-content-") for i in ids})
    close = difflib.get_close_matches(decoded, names, n=1, cutoff=0.6)
    return FRAGMENT_MISSING, close[0] if close else ""
