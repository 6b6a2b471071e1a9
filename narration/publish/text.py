"""Small ``str -> str`` helpers of the publish stage (times, trimming, XML safety)."""

from __future__ import annotations

import html
import re

from narration.publish.rules import DESCRIPTION_LIMIT_BYTES, ELLIPSIS

# Characters XML 1.0 forbids (lxml refuses them): C0 controls except tab/newline/CR, surrogates,
# U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_LAST_SPACE = re.compile(r"\s\S*$")


def xml_safe(text: str) -> str:
    """Drop the characters that XML cannot carry."""
    return _XML_ILLEGAL.sub("", text)


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space."""
    return _SPACES.sub(" ", text).strip()


def trim_to_bytes(text: str, limit: int = DESCRIPTION_LIMIT_BYTES) -> str:
    """Shorten ``text`` to at most ``limit`` UTF-8 bytes, cutting at a word and ending with an ellipsis."""
    text = text.strip()
    if len(text.encode("utf-8")) <= limit:
        return text
    room = max(0, limit - len(ELLIPSIS.encode("utf-8")))
    head = text.encode("utf-8")[:room].decode("utf-8", "ignore")  # a prefix of text, in characters
    if not text[len(head)].isspace():  # the cut falls inside a word: drop that word
        last_space = _LAST_SPACE.search(head)
        if last_space and last_space.start() > 0:
            head = head[: last_space.start()]
    return head.rstrip().rstrip(",;:") + ELLIPSIS


def clock(seconds: float) -> str:
    """Human time: "2:05", "1:02:05"."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def timestamp(seconds: float, sep: str = ".") -> str:
    """ "HH:MM:SS.mmm" (WebVTT, Podlove) or with ``sep=","`` (SRT)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def plain_to_html(text: str) -> str:
    """Plain text as simple HTML: escaped, paragraphs in <p>, line breaks as <br>."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    lines = [[html.escape(line.strip(), quote=False) for line in p.splitlines()] for p in paragraphs]
    return "".join("<p>" + "<br>".join(para) + "</p>" for para in lines)


def html_description(text: str, limit: int = DESCRIPTION_LIMIT_BYTES) -> str:
    """:func:`plain_to_html` of ``text``, trimmed at a word so the HTML is at most ``limit`` bytes."""
    budget = limit
    while True:
        body = plain_to_html(trim_to_bytes(text, budget))
        size = len(body.encode("utf-8"))
        if size <= limit or budget <= 0:
            return body
        budget = min(budget - 1, budget * limit // size)  # escaping made it longer: shrink the text
