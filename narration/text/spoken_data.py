"""The data of sentence splitting and spoken-form normalisation, kept apart from the functions.

Everything here is plain, immutable data: abbreviation tables, word lists, character maps. The
functions that use it live in ``sentences.py`` and the ``spoken*.py`` modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# When the full stop of an abbreviation may also end the sentence:
#   "never":          a title or a connective ("Dr. Jones", "e.g. Lenin")
#   "before_starter": only before a common sentence-opening word ("on Main St. The ...")
#   "before_capital": before any capitalised word ("bread, salt, etc. Then ...")
SentenceEnd = Literal["never", "before_starter", "before_capital"]


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation as written (with its full stops) and how it is read aloud."""

    written: str
    spoken: str | None  # None: depends on context, expanded by its own function
    ends: SentenceEnd = "never"
    numbered: bool = False  # only an abbreviation before a number ("No. 5", "p. 12", "pp. iv")
    after_number: bool = False  # only an abbreviation after a number ("5 ft. tall"; "come in." is a word)


def _abbr(written: str, spoken: str | None, ends: SentenceEnd = "never", numbered: bool = False) -> Abbreviation:
    return Abbreviation(written, spoken, ends, numbered)


def words_of(text: str) -> frozenset[str]:
    """The words of a space-separated list (long word lists stay readable)."""
    return frozenset(text.split())


def _unit(written: str) -> Abbreviation:
    """A unit written with a full stop, read by ``spoken_amounts.units_to_words``."""
    return Abbreviation(written, None, "before_starter", after_number=True)


ABBREVIATIONS: tuple[Abbreviation, ...] = (
    # titles and ranks: never the end of a sentence
    _abbr("Mr.", "Mister"),
    _abbr("Mrs.", "Missus"),
    _abbr("Ms.", "Miz"),
    _abbr("Messrs.", "Messieurs"),
    _abbr("Dr.", "Doctor"),
    _abbr("Prof.", "Professor"),
    _abbr("Rev.", "Reverend"),
    _abbr("Hon.", "Honourable"),
    _abbr("Lt.", "Lieutenant"),
    _abbr("Gen.", "General"),
    _abbr("Col.", "Colonel"),
    _abbr("Capt.", "Captain"),
    _abbr("Maj.", "Major"),
    _abbr("Sgt.", "Sergeant"),
    _abbr("Cpl.", "Corporal"),
    _abbr("Adm.", "Admiral"),
    _abbr("Cmdr.", "Commander"),
    _abbr("Gov.", "Governor"),
    _abbr("Pres.", "President"),
    _abbr("Sen.", "Senator"),
    _abbr("Mt.", "Mount"),
    _abbr("Ft.", "Fort"),
    _abbr("Fr.", "Father"),
    _abbr("Mme.", "Madame"),
    _abbr("Mmes.", "Mesdames"),
    _abbr("Mlle.", "Mademoiselle"),
    _abbr("Msgr.", "Monsignor"),
    _abbr("Supt.", "Superintendent"),
    # connectives and references: never the end of a sentence
    _abbr("e.g.", "for example,"),
    _abbr("E.g.", "For example,"),
    _abbr("i.e.", "that is,"),
    _abbr("I.e.", "That is,"),
    _abbr("cf.", "compare"),
    _abbr("Cf.", "Compare"),
    _abbr("viz.", "namely"),
    _abbr("Viz.", "Namely"),
    _abbr("vs.", "versus"),
    _abbr("approx.", "approximately"),
    _abbr("Approx.", "Approximately"),
    _abbr("esp.", "especially"),
    _abbr("Esp.", "Especially"),
    _abbr("vol.", "volume"),
    _abbr("Vol.", "Volume"),
    _abbr("vols.", "volumes"),
    _abbr("Vols.", "Volumes"),
    _abbr("ch.", "chapter"),
    _abbr("Ch.", "Chapter"),
    _abbr("fig.", "figure"),
    _abbr("Fig.", "Figure"),
    _abbr("WWI", "World War One"),
    _abbr("WWII", "World War Two"),
    # only before a number
    _abbr("No.", "Number", numbered=True),
    _abbr("no.", "number", numbered=True),
    _abbr("Nos.", "Numbers", numbered=True),
    _abbr("nos.", "numbers", numbered=True),
    _abbr("p.", "page", numbered=True),
    _abbr("pp.", "pages", numbered=True),
    _abbr("pg.", "page", numbered=True),
    _abbr("c.", "circa", numbered=True),
    _abbr("ca.", "circa", numbered=True),
    _abbr("Ca.", "Circa", numbered=True),
    # may end a sentence
    _abbr("etc.", "et cetera", "before_capital"),
    _abbr("et al.", "and others", "before_capital"),
    _abbr("Jr.", "Junior", "before_capital"),
    _abbr("Sr.", "Senior", "before_capital"),
    _abbr("Inc.", "Incorporated", "before_capital"),
    _abbr("Ltd.", "Limited", "before_capital"),
    _abbr("Co.", "Company", "before_capital"),
    _abbr("Bros.", "Brothers", "before_capital"),
    _abbr("Ave.", "Avenue", "before_starter"),
    _abbr("Rd.", "Road", "before_starter"),
    _abbr("Blvd.", "Boulevard", "before_starter"),
    _abbr("Sq.", "Square", "before_starter"),
    _abbr("a.m.", "A M", "before_capital"),
    _abbr("p.m.", "P M", "before_capital"),
    _abbr("Jan.", "January", "before_starter"),
    _abbr("Feb.", "February", "before_starter"),
    _abbr("Apr.", "April", "before_starter"),
    _abbr("Aug.", "August", "before_starter"),
    _abbr("Sep.", "September", "before_starter"),
    _abbr("Sept.", "September", "before_starter"),
    _abbr("Oct.", "October", "before_starter"),
    _abbr("Nov.", "November", "before_starter"),
    _abbr("Dec.", "December", "before_starter"),
    # units after a number (spoken_amounts.units_to_words)
    *(_unit(u) for u in ("ft.", "in.", "lb.", "lbs.", "oz.", "mi.", "yd.", "yds.", "hr.", "hrs.", "min.", "sec.")),
    # read by context (expand_saint_street, expand_edition_editor)
    _abbr("St.", None, "before_starter"),
    _abbr("Sts.", None, "before_starter"),
    _abbr("ed.", None, "before_starter"),
    _abbr("eds.", None, "before_starter"),
)

ABBREVIATION_BY_WRITTEN: dict[str, Abbreviation] = {a.written: a for a in ABBREVIATIONS}

# Words that commonly open a sentence. After an ambiguous full stop (an initial, "St.", "ed.")
# a sentence ends only when one of these follows: "Plan B. The ..." ends, "E. Grant" does not.
SENTENCE_STARTERS: frozenset[str] = words_of(
    """
    A About After Again All Also Although An And Another Any Are As At Because Before Both But By
    Can Could Did Do Does During Each Either Even Every Finally First For From Had Has Have He Her
    Here His How However I If In Indeed Instead Is It Its Just Later Let Many Meanwhile More Most My
    Neither Never No Nobody None Nor Not Nothing Now Of On Once One Only Or Our Perhaps Since So
    Some Soon Still Such Than That The Their Then There Therefore These They This Those Though Thus
    To Too Under Unless Until Upon We Well Were What When Where Whether Which While Who Why With
    Within Without Yes Yet You Your
    """
)

# Names that take a regnal number ("Louis XIV" -> "Louis the Fourteenth").
REGNAL_NAMES: frozenset[str] = words_of(
    """
    Alexander Alexios Alfonso Amadeus Anne Baldwin Benedict Boniface Boris Carl Casimir Catherine
    Charles Christian Clement Constantine Edmund Edward Elizabeth Eric Ferdinand Francis Franz
    Frederick Friedrich George Gregory Gustav Gustavus Haakon Harald Henri Henry Hugh Innocent
    Isabella Ivan James Joanna John Joseph Juan Julius Leo Leopold Louis Ludwig Manuel Margaret
    Maria Mary Matilda Maximilian Michael Mohammed Murad Napoleon Nicholas Olaf Otto Paul Pedro
    Peter Philip Philippe Pius Ramses Richard Robert Rudolf Selim Sigismund Stanislaus Stefan
    Stephen Suleiman Sixtus Urban Valdemar Victor Vladimir Wilhelm William
    """
)

# Titles before a name that make the next roman numeral regnal ("Tsar Boris III").
REGNAL_TITLES: frozenset[str] = words_of(
    """
    Czar Duchess Duke Emperor Empress Kaiser King Pharaoh Pope Prince Princess Queen Shah Sultan
    Tsar Tsarina Tzar
    """
)

# After a regnal name, "I" is the pronoun when one of these follows ("when Peter I think ...").
PRONOUN_I_FOLLOWERS: frozenset[str] = words_of(
    """
    am believe can could did do feel guess had have hope know mean must said say should suppose
    think thought want was will would
    """
)

# Words after which a roman numeral is read as a cardinal ("Chapter IV" -> "Chapter Four").
NUMERAL_KEYWORDS: tuple[str, ...] = (
    "World War",
    "Chapter",
    "Chapters",
    "Volume",
    "Volumes",
    "Part",
    "Parts",
    "Book",
    "Act",
    "Scene",
    "Section",
    "Article",
    "Appendix",
    "Phase",
    "Stage",
    "Round",
    "Class",
    "Type",
    "Level",
    "Plate",
    "Figure",
    "Table",
    "Canto",
    "Psalm",
    "Title",
    "Amendment",
    "Page",
    "Pages",
    "Episode",
    "Number",
    "Numbers",
    "Mark",
    "Apollo",
    "Vatican",
    "Series",
    "Grade",
    "Category",
    "Division",
    "Verse",
    "Question",
    "Lesson",
    "Week",
)

# Words after which an editor's [insertion] fills a gap in the quotation and is read inline
# ("hostility to the [Bolshevik] regime"), and words that open such an insertion ("premise [of
# socialism]"). Any other bracketed text is a gloss, read between commas ("the Tsar [emperor]").
INSERTION_AFTER: frozenset[str] = words_of(
    """
    a an and as at but by for from her his in into its my of on or our that the their these this
    those to with your
    """
)
INSERTION_OPENERS: frozenset[str] = frozenset(
    ["about", "against", "as", "at", "by", "for", "from", "in", "into", "of", "on", "to", "with"]
)

# Top-level domains read as a web address when written without "http://" or "www.".
BARE_DOMAIN_TLDS: tuple[str, ...] = (
    "com",
    "org",
    "net",
    "edu",
    "gov",
    "info",
    "io",
    "co.uk",
    "org.uk",
    "ac.uk",
    "uk",
    "de",
    "fr",
    "ru",
    "eu",
    "us",
    "ca",
    "au",
    "za",
)

# How the symbols inside an address are read.
ADDRESS_SYMBOLS: dict[str, str] = {
    ".": " dot ",
    "@": " at ",
    "/": " slash ",
    "-": " dash ",
    "_": " underscore ",
    "+": " plus ",
    "~": " tilde ",
    ":": " colon ",
    "#": " hash ",
    "=": " equals ",
    "&": " and ",
}

# Characters rewritten before anything else: typographic quotes, spaces, invisible marks.
CHARACTER_MAP: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2026": "...",
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u2007": " ",
    "\u2008": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u00ad": "",
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\r": "",
}

# Dashes that are pauses between words (the hyphen only when spaced: "carrion - and").
DASHES: str = "\u2012\u2013\u2014\u2015"

# What the voice can say: ASCII, Latin letters with their accents, general punctuation and
# currency signs. Everything else (emoji, other scripts, pictographs) is dropped with a warning.
# The number forms (fractions "⅓", roman numerals "Ⅻ") are read by the number steps.
SPEAKABLE_RANGES: str = "\t\n\x20-\x7e\u00a0-\u024f\u0300-\u036f\u1e00-\u1eff\u2000-\u206f\u20a0-\u20cf\u2150-\u2189"

# Lines that start with a list number ("1. ...", "2) ...").
LIST_MARKER_DIGITS: int = 3
