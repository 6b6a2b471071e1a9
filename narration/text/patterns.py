"""Data for cleaning, heading detection and the spoken form: regular expressions and word lists, no logic.

Every pattern here is safe on huge inputs: no nested quantifiers, and a pattern that scans ahead
for a closing bracket is bounded, so a 2 MB line (even one made of ``[`` or ``_``) costs linear time.
"""

from __future__ import annotations

import re

# --- characters ---------------------------------------------------------------------------------

OPEN_QUOTES = "\"'“‘«„‚"  # every quotation mark, here and in the sentence splitter
CLOSE_QUOTES = "\"'”’»“‘"
QUOTES = OPEN_QUOTES + CLOSE_QUOTES
CLOSERS = CLOSE_QUOTES + ")]}*_"  # trailing characters skipped before looking at the last punctuation
SENTENCE_END = frozenset(".!?…")
TERMINAL_PUNCT = frozenset(".!?,;:…")

# --- roman numerals -------------------------------------------------------------------------------

# A well-formed roman numeral in capitals, 1 to 3999 (also matches ""): "XIV", not "IIII" or "MIX".
ROMAN_NUMERAL = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
# A run of roman-numeral letters in one case, well formed or not ("iv", "XVII", "MIX").
ROMAN_LETTERS = r"[IVXLCDM]+|[ivxlcdm]+"

# --- Project Gutenberg ----------------------------------------------------------------------------

GUTENBERG_START = re.compile(
    r"^\W{0,5}\*{3}\s*START OF (?:THE |THIS )?PROJECT GUTENBERG[^\n]*$", re.IGNORECASE | re.MULTILINE
)
GUTENBERG_END = re.compile(
    r"^\W{0,5}(?:\*{3}\s*END OF (?:THE |THIS )?PROJECT GUTENBERG|END OF (?:THE |THIS )?PROJECT GUTENBERG)"
    r"[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
GUTENBERG_MARK = re.compile(r"project gutenberg|gutenberg\.org|gutenberg-tm", re.IGNORECASE)
# Header fields ("Title: ...", "Author: ...") read before the header is removed.
GUTENBERG_FIELD = re.compile(r"^(Title|Author):[ \t]*(\S[^\n]*)$", re.MULTILINE)
# A paragraph that credits the people who produced the e-text.
PRODUCER_CREDIT = re.compile(
    r"^\s*(?:produced by|e-?text prepared by|this e-?book was produced by|transcribed (?:by|from)"
    r"|prepared by|html version by|updated editions will replace|transcriber'?s note)\b",
    re.IGNORECASE,
)

# --- tables of contents and lists of illustrations --------------------------------------------

CONTENTS_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:table of contents|contents|list of illustrations|illustrations|list of plates"
    r"|list of figures)\s*[.:]?\s*$",
    re.IGNORECASE,
)
PAGE_NUMBER_TAIL = re.compile(r"(?:\s*\.{2,}\s*|\s{2,})(?:\d+|[ivxlcdm]+|frontispiece)\s*$", re.IGNORECASE)

# --- illustrations --------------------------------------------------------------------------------

ILLUSTRATION = re.compile(r"\[Illustration(?::[^\]]{0,2000})?\]", re.IGNORECASE)
MARKDOWN_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,1000}\)")

# --- web-page image captions ----------------------------------------------------------------------

# "... / Image: fair use", "... / Photo: Reuters"
CAPTION_CREDIT = re.compile(
    r"\s/\s*(?:images?|photos?|photograph|picture|credit|source|illustration)s?\s*:", re.IGNORECASE
)
CAPTION_SPLIT = " / "
CAPTION_MAX_CREDIT_WORDS = 8
CAPTION_MAX_LEN = 400
CAPTION_ECHO_CHARS = 12  # how many trailing letters of the caption must occur earlier in the line

# --- footnotes ------------------------------------------------------------------------------------

# Inline markers: [1], [12], [A], [*], [^1] (not editorial brackets such as [elected councils]).
FOOTNOTE_MARKER = re.compile(r"\[(?:\^?\d{1,3}|[A-Z]|\*{1,3}|†|‡)\]")
# A footnote body: "[Footnote 1: ...]" (may span lines) ...
FOOTNOTE_BLOCK = re.compile(r"\[Footnote\s*[^:\]\n]{0,10}:[^\]]{0,5000}\]", re.IGNORECASE)
# ... or a paragraph that starts with a marker: "[1] text", "[^1]: text", "1) text" under a notes heading.
FOOTNOTE_BODY_START = re.compile(r"^\s*(?:\[\^?\d{1,3}\]:?|\[[A-Z]\]|\[\*\]|\d{1,3}[.)])\s")
NOTES_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?(?:foot\s*notes|notes|endnotes|end notes)\s*[.:]?\s*$", re.IGNORECASE)

# --- typographic markup ---------------------------------------------------------------------------

# _italic_, __bold__, *bold*, **bold** around words; not snake_case or 2*3*4.
UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w_])(_{1,2})(?=[^\s_])([^_\n]+)(?<=[^\s_])\1(?![\w_])")
ASTERISK_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,2})(?=[^\s*])([^*\n]+)(?<=[^\s*])\1(?![\w*])")
MARKDOWN_LINK = re.compile(r"(?<!!)\[([^\]\n]{1,500})\]\([^)\n]{0,1000}\)")
HTML_TAG = re.compile(r"</?(?:i|b|em|strong|u|small|sup|sub|span)(?:\s[^<>\n]*)?>", re.IGNORECASE)
# A line that is only decoration: "* * *", "-----", "~~~", "=====".
RULE_LINE = re.compile(r"^[ \t]*(?:[*\-_=~#•·][ \t]*){3,}$")
SETEXT_UNDERLINE = re.compile(r"^[ \t]*(=+|-+)[ \t]*$")

# --- line structure -------------------------------------------------------------------------------

BLANK_SPLIT = re.compile(r"\n[ \t]*\n")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|\([a-zA-Z0-9]{1,3}\)|[a-zA-Z][.)])\s")
HYPHEN_BREAK = re.compile(r"([^\W\d_])-\n([ \t]*)([^\W\d_][^\W\d_]*)")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
MD_HARD_BREAK = re.compile(r"(?:  |\\)$")

# --- headings -------------------------------------------------------------------------------------

MARKDOWN_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S[^\n]*?)[ \t#]*$")
CHAPTER_WORDS = ("chapter", "part", "book", "section", "volume", "canto", "act", "letter", "chapitre")
NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "last",
]
_NUMBER = r"(?:\d{1,4}|[IVXLCDM]{1,8}|[ivxlcdm]{1,8}|" + "|".join(NUMBER_WORDS) + r")"
CHAPTER_HEADING = re.compile(
    r"^(?P<label>(?:" + "|".join(CHAPTER_WORDS) + r")\s+" + _NUMBER + r"(?:[-\s]" + _NUMBER + r")?)"
    r"\s*(?:[.:\-–—]+\s*(?P<title>\S.*)?|\s+(?P<title2>\S.*))?$",
    re.IGNORECASE,
)
ROMAN_HEADING = re.compile(r"^(?P<label>[IVXLCDM]{1,8})\s*(?:[.:\-–—]\s*(?P<title>\S.*)?)?$")
ROMAN_VALID = re.compile(rf"^{ROMAN_NUMERAL}$")
NUMBERED_HEADING = re.compile(r"^(?P<label>\d{1,3})[.)]\s+(?P<title>\S.*)$")

# Words left lower case in a title ("The Crisis of Working-class Leadership").
SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "de",
        "del",
        "der",
        "des",
        "di",
        "du",
        "en",
        "for",
        "from",
        "if",
        "in",
        "into",
        "la",
        "le",
        "les",
        "nor",
        "of",
        "on",
        "or",
        "over",
        "per",
        "than",
        "the",
        "to",
        "un",
        "une",
        "upon",
        "via",
        "vs",
        "von",
        "with",
    ]
)
# A box or inset inside a chapter cites its source: 'From the "Platform..." Adopted at ...'.
INSET_START = re.compile(r"^(?:from|extract from|excerpt from|extracts? from the|box:|sidebar:)\s", re.IGNORECASE)

HEADING_MAX_WORDS = 16
HEADING_MAX_CHARS = 120
SHORT_TITLE_WORDS = 12
PROSE_MIN_WORDS = 12
HEADING_THRESHOLD = 4.0
OPENING_TITLE = "Introduction"
