"""Parse the network's seed documents (plain text copied from web pages) into dataclasses.

Why this is hand-written
------------------------
The seed documents are not Markdown, HTML, CSV or any other format a library could read: they
are prose copied out of a web page, where the only structure left is the order of the
paragraphs, the number of blank lines between them and the way each paragraph begins. No
existing parser understands "a partner is a run of paragraphs whose first one names the
organisation somewhere in its opening clause", so this module encodes that layout with a few
small, documented heuristics and only the standard library. It never imports Django: a
separate step writes the returned frozen dataclasses to the database.

Heuristics (all generic: no organisation from the seed appears in this code)
-----------------------------------------------------------------------------
* Text is normalised first (BOM, ``\\r\\n``, trailing whitespace); curly and straight quotes
  and the dash variants are matched with character classes, so the parsed text stays faithful.
* Page debris is dropped line by line: known web-page crumbs ("Skip to content",
  "Decorative photo; ...", "More on", "Other news") and any short line that is not a sentence.
* Partners page: the first paragraph is the introduction; a line such as
  "Contact information XYZ" starts the contact block. Every other paragraph either starts a
  new partner or continues the current one. Two kinds of evidence are added up:

  - the blank-line gap before the paragraph: when the page uses more than one gap size, the
    smallest one means "same partner" and any larger one "new partner";
  - how the paragraph begins: the current partner's acronym, name or possessive within its
    opening words, or "the <Institute/Ministry/...>" taken from its name, is decisive
    (continuation); a pronoun or connective ("We", "Our", "They", "It", "Additionally, we",
    "As a ..., we") is a weak continuation sign that a larger gap outweighs (a new partner
    may introduce itself as "Our organization is a ..."); an opening that defines a new
    acronym ("Name (ACR) is") or an introductory clause followed by a name ("Founded in
    1990, the X is") is a strong new-partner sign.

  When all gaps are equal the paragraph openings decide alone.
* The name is the opening phrase up to its predicate: a verb ("is", "serves", ...), an
  acronym in parentheses, or a comma followed by a lower-case word. Before that, a leading
  "The" is dropped (the name is stored without it), as are an introductory clause
  ("Founded in 1990, the ..."), a generic lead noun ("Research at the ...", "The purpose of
  the ...") and a leading location ("At the X's Department of Y, our ..." gives
  "X, Department of Y"). " – Word" after a name is an acronym when it is a single word,
  otherwise it is part of the name ("Aquila – Regional Raptor Society").
* A block whose first sentence refers to its subject as "he"/"she" is an individual; when no
  name is stated, a descriptive placeholder is taken from the opening noun phrase ("A
  renowned Danish marine biologist and teacher ..." gives "Danish marine biologist and
  teacher"). An organisation that only calls itself "Our organization" gets
  a placeholder built from its purpose ("dedicated to ...") and its focus ("focus ...
  around ..."). Both are flagged for review; no name is ever invented.
* Partner type and roles are best guesses from generic word lists.
* News item: a "Category | YYYY-MM-DD" line near the top; the lines above it are the title,
  "Key: value." paragraphs are facts, a paragraph starting with "*" is the footnote.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace

__all__ = [
    "ParsedContact",
    "ParsedNewsItem",
    "ParsedPartner",
    "ParsedPartnersPage",
    "SeedFormatError",
    "parse_document",
    "parse_news_item",
    "parse_partners_page",
]


class SeedFormatError(ValueError):
    """The text is empty or does not have the layout of a partners page or a news item."""


@dataclass(frozen=True)
class ParsedPartner:
    """One partner block of the partners page."""

    key: str
    name: str
    acronym: str
    kind: str
    partner_type: str
    roles: tuple[str, ...]
    description: str
    needs_review: bool
    review_reason: str


@dataclass(frozen=True)
class ParsedContact:
    """The network's contact block at the end of the partners page."""

    organisation: str
    address: str
    phone: str
    contact_person: str
    coordinator_title: str
    coordinator_name: str
    coordinator_organisation: str
    mailing_lists: tuple[str, ...]
    email: str = ""


@dataclass(frozen=True)
class ParsedPartnersPage:
    """The whole partners page."""

    introduction: str
    partners: tuple[ParsedPartner, ...]
    contact: ParsedContact | None


@dataclass(frozen=True)
class ParsedNewsItem:
    """One news item."""

    title: str
    category: str
    date: datetime.date
    body: str
    facts: dict[str, str]
    duration_minutes: int | None
    language: str
    platform: str
    project: str
    organisations: tuple[str, ...]
    footnote: str
    footnote_term: str
    footnote_expansion: str


# --------------------------------------------------------------------------------------
# Shared character classes and word lists
# --------------------------------------------------------------------------------------

_APOS = "['’‘`]"
_DASH = "[-–—‒]"
_APOS_RE = re.compile(_APOS)
_DASH_RE = re.compile(_DASH)

ORGANISATION = "organisation"
INDIVIDUAL = "individual"

REASON_UNNAMED_ORGANISATION = "The source text does not state this organisation's name."
REASON_UNNAMED_PERSON = "The source text does not state this person's name."
REASON_UNRECOGNISED = "The parser could not find this partner's name in the source text."

# Words that, opening a paragraph, refer back to the partner described just before.
_PRONOUNS = frozenset("we our ours us they their them it its he his him she her this these those such".split())
_CONNECTIVES = frozenset(
    "additionally furthermore moreover also besides however therefore thus consequently "
    "likewise similarly meanwhile finally lastly".split()
)
# Predicates that end a name: "<Name> is ...", "<Name> serves ...".
_NAME_VERBS = (
    "is|are|was|were|has|have|had|will|can|may|must|also|stands|serves|comprises|supports|"
    "unites|operates|provides|combines|offers|works|aims|promotes|brings|acts|conducts|carries|"
    "focuses|focusses|represents|holds|helps|runs|organises|organizes|connects|develops|"
    "coordinates|manages|leads|became|becomes|remains|seeks|strives|contributes|emphasizes|"
    "emphasises|engages|encourages|fosters|gathers|includes|invites|joins|maintains|monitors|"
    "plays|publishes|raises|researches|specialises|specializes|studies|teaches|deals|ensures|"
    "enables|educates|collects|creates|covers|believes|began|started|continues|envisions|"
    "envisages|strengthens|hosts|established|founded"
)
# Lower-case words ending in "-ly" that are nouns, not adverbs (an adverb ends a name).
_LY_NOUNS = "family|assembly|supply|butterfly|ally|rally|anomaly"
# Lower-case words that may appear inside a name.
_NAME_CONNECTORS = frozenset(
    "of the for at and in on de del della da di du la le les von van der den na za v pri z und et y e i".split()
)
# Nouns that name the kind of an organisation; "the Institute" refers back to "X Institute".
_ORG_NOUNS = frozenset(
    "ministry institute institution association society university library centre center "
    "network union agency foundation museum department faculty council office organisation "
    "organization club federation academy school programme program house observatory "
    "station garden trust cooperative company laboratory lab service".split()
)
# "<lead noun> at/of the <Name>": the name follows the lead noun.
_LEAD_NOUNS = "research|work|activities|purpose|mission|aim|aims|goal|goals|role|vision|focus|task|team"
# Opening words of an introductory clause that precedes the subject.
_INTRO_OPENERS = (
    "Founded|Established|Since|For|Created|Formed|Set up|Over|With|In|During|Throughout|"
    "After|Based|Registered|Today|Now|Operating|Active|Celebrating"
)
# Adjectives that praise a person rather than describe them; dropped from placeholders.
_EVALUATIVE = frozenset(
    "renowned well-known distinguished prominent respected leading famous acclaimed notable "
    "experienced passionate dedicated accomplished esteemed eminent celebrated".split()
)
_KNOWN_PLATFORMS = (
    "Microsoft Teams",
    "Google Meet",
    "Zoom",
    "Teams",
    "Webex",
    "Skype",
    "Jitsi",
    "BigBlueButton",
    "YouTube",
)

# --------------------------------------------------------------------------------------
# Compiled patterns
# --------------------------------------------------------------------------------------

_DEBRIS_RE = re.compile(
    r"^(?:decorative\s+(?:photo|image|picture)|photo(?:graph)?\s*[:;]|image\s*[:;]|"
    r"skip\s+to\s+(?:main\s+)?content|more\s+on\b|read\s+more|other\s+news|back\s+to\s+top|"
    r"share\s+(?:this|on)\b|print\s+this)",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?:…][\"”’')\]]*$")
_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_NEWS_HEADER_RE = re.compile(r"^(?P<category>[^|]{1,60}?)\s*\|\s*(?P<date>\d{4}-\d{2}-\d{2})$")
_CONTACT_HEADER_RE = re.compile(
    r"^contacts?(?:\s+(?:information|info|details|us))?\s*[:–-]?\s*(?P<org>[^.]*)$",
    re.IGNORECASE,
)
# A full stop ends a sentence unless it ends a title such as "Dr." or "Prof.".
_FIRST_SENTENCE_RE = re.compile(
    r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)(?<=[.!?])\s+(?=[A-Z“\"‘'])"
)
_TITLE_RE = re.compile(r"^(?:(?:Dr|Mr|Ms|Mrs|Prof|Assoc)\.\s+)+")
_WORD_RE = re.compile(r"[\w’'-]+")
_SLUG_STRIP_RE = re.compile(r"[^a-z0-9]+")

_NAME_STOP_RE = re.compile(
    r"\s+\("  # "Name (ACR) ..."
    r"|,\s+(?=[a-z0-9“\"‘'])"  # "Name, located in ..." / "Name, the Association for ..."
    r"|,\s*$"
    r"|[.;:!?](?=\s|$)"  # end of the sentence or clause
    rf"|\s+(?=(?:{_NAME_VERBS})\b)"  # "Name is ..."
    rf"|\s+(?=(?!(?:{_LY_NOUNS})\b)[a-z]+ly\b)"  # "Name actively ..."
)
# A lower-case "-s" word right after a capitalised one: "Alpine Lakes Trust restores ...".
_LOWER_S_WORD_RE = re.compile(r"\s+(?P<word>[a-z]{2,}[^s\W]s)\b")
_PAREN_RE = re.compile(r"\(([^()]{1,60})\)")
_ACRONYM_RE = re.compile(r"^[A-Z][\w&.-]*[A-Z][\w&.-]*(?:\s+[A-Z][\w.-]*){0,3}$")
_DASH_SPLIT_RE = re.compile(rf"\s+{_DASH}\s+")
_SINGLE_WORD_ACRONYM_RE = re.compile(r"^[A-Z][\w&.-]{1,11}$")
_LEAD_NOUN_RE = re.compile(rf"^(?:The\s+)?(?i:{_LEAD_NOUNS})\s+(?:at|of|in|within)\s+(?:the\s+)?(?=[A-Z])")
_AT_THE_RE = re.compile(r"^(?:At|In|Within)\s+the\s+(?P<name>[A-Z][^,]{2,150}?),\s+(?P<next>[\w’']+)")
_INTRO_CLAUSE_RE = re.compile(rf"^(?:{_INTRO_OPENERS})\b[^,]{{0,100}},\s+(?P<rest>.+)$", re.DOTALL)
_LEADING_THE_RE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE_JOIN_RE = re.compile(rf"{_APOS}s\s+(?=[A-Z])")
# "Our organisation is a …", "We are a …": an unnamed partner introducing itself.
_SELF_INTRO_RE = re.compile(
    r"^(?:[^,]{0,100},\s+)?(?:our\s+(?:organi[sz]ation|association|society|group|institute|club)\s+is|we\s+are)"
    r"\s+an?\b",
    re.IGNORECASE,
)
# Case-sensitive: "SHE" may be an acronym, "She"/"she" is a person.
_PERSON_SUBJECT_RE = re.compile(r"\b[Hh]e\b|\b[Ss]he\b")
_PERSON_PRONOUN_RE = re.compile(r"\b[Hh](?:e|is|er|im|ers|imself|erself)\b|\b[Ss]he\b")
_PERSON_OPENER_RE = re.compile(r"^(?:He|She|His|Her)\b")
_ORG_PRONOUN_RE = re.compile(r"\b(?:we|our|its)\b", re.IGNORECASE)
_PERSON_OPENING_RE = re.compile(r"^An?\s+(?P<phrase>.+)$", re.DOTALL)
_PERSON_PHRASE_STOP_RE = re.compile(
    r",|\s+(?=(?:at|in|of|from|with|who|whose|based|working|specializing|specialising)\b)"
    r"|\s+(?=[a-z]+(?:ing|ed)\b)"
)
_SELF_DESCRIPTION_RE = re.compile(
    r"^(?:we\s+are|our\s+(?:organi[sz]ation|association|society|group|institute|club)\s+is)\s+(?:an?\s+)"
    r"(?P<phrase>[^,.;]{3,80}?)(?=\s+(?:founded|established|since|based)\b|[,.;]|$)",
    re.IGNORECASE,
)
_PURPOSE_RE = re.compile(r"\bdedicated\s+to\s+(?:the\s+)?(?P<what>[a-z][a-z -]{2,60}?)(?=[,.;]|\s+and\b|$)")
_FOCUS_RE = re.compile(
    r"\bfocus\w*\s+(?:\w+\s+){0,3}?(?:on|around|upon)\s+(?:the\s+)?"
    r"(?:(?:conservation|study|protection|research|monitoring)\s+of\s+)?(?P<what>[^,.;]{3,160})"
)
_FOCUS_PLACE_SPLIT_RE = re.compile(r"\s+(?:within|in|across|throughout|along)\s+(?:the\s+)?")
_CAPITALISED_RUN_RE = re.compile(rf"^((?:[A-Z][\w-]*)(?:\s+[A-Z][\w-]*)*)(?:{_APOS}s?)?")
_NGO_RE = re.compile(r"non-?governmental|\bNGO\b", re.IGNORECASE)
_SELF_LABEL_RE = re.compile(
    r"\bis\s+an?\s+(?:[\w-]+,?\s+){0,4}?(?P<noun>association|society|institute|foundation|club|"
    r"cooperative|company|network|group|organi[sz]ation)\b",
    re.IGNORECASE,
)

_FACT_RE = re.compile(r"^(?P<key>[A-Z][A-Za-z-]*(?:\s+[A-Za-z-]+){0,2}):\s+(?P<value>\S.*)$", re.DOTALL)
_FOOTNOTE_RE = re.compile(r"^\*+\s*(?P<text>\S.*)$", re.DOTALL)
_FOOTNOTE_TERM_RE = re.compile(r"^(?P<term>[\w-]+)\s*\((?P<expansion>[^)]+)\)")
_DURATION_MINUTES_RE = re.compile(r"(\d+)\s*(?:min\b|mins\b|minutes?\b)", re.IGNORECASE)
_DURATION_HOURS_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:h\b|hrs?\b|hours?\b)", re.IGNORECASE)
_PLATFORM_WORD_RE = re.compile(r"\b([A-Z][\w-]+)\s+platform\b")
_PROJECT_RE = re.compile(r"\bthe\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)\s+project\b")
_LIST_PAREN_RE = re.compile(r"\(([^()]+)\)")
_LIST_SPLIT_RE = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_ADDRESS_RE = re.compile(r"^address\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_PHONE_RE = re.compile(
    r"^(?:phone|tel(?:ephone)?)\s*:\s*(?P<number>[^()]*?)\s*(?:\((?P<person>[^()]+)\))?$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"^e-?mail\s*:\s*(?P<value>\S+@\S+)$", re.IGNORECASE)
_COORDINATOR_RE = re.compile(r"\bcoordinator\b", re.IGNORECASE)
_MAILING_RE = re.compile(r"\bmail(?:ing)?\b", re.IGNORECASE)


def _all_words(*alternatives: str) -> re.Pattern[str]:
    """A case-insensitive pattern that matches when any of the words occurs."""
    return re.compile(rf"\b(?:{'|'.join(alternatives)})\b", re.IGNORECASE)


def _library_with(*qualifiers: str) -> re.Pattern[str]:
    """A pattern for a name that contains "library" and one of the qualifiers."""
    return re.compile(rf"(?=.*\blibrary\b)(?=.*\b(?:{'|'.join(qualifiers)})\b)", re.IGNORECASE)


# (type, pattern on the name, pattern on the first sentence); the first rule that matches wins,
# so the more specific kinds come first. "ngo" is the fallback for organisations.
_PARTNER_TYPE_RULES: tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None], ...] = (
    ("academic_library", _library_with("university", "faculty", "academic", "technical"), None),
    (
        "public_library",
        _library_with("city", "public", "municipal", "regional", "town", "county", "central"),
        re.compile(r"\b(?:regional|public|general|municipal)\s+library\b", re.IGNORECASE),
    ),
    ("special_library", _all_words("library"), None),
    (
        "public_body",
        _all_words("ministry", "agency", "government", "municipality"),
        re.compile(r"\bpublic\s+(?:institution|authority|body)\b", re.IGNORECASE),
    ),
    ("infrastructure", None, _all_words("infrastructure")),
    (
        "ngo",
        _all_words("society", "societas", "association", "union", "philanthropy", "federation", "club", "foundation"),
        _all_words("non-?governmental", "non-?profit", "voluntary", "NGO"),
    ),
    ("university", _all_words("university", "faculty", "college"), None),
    (
        "research_institute",
        _all_words("institute", "research", "centre", "center", "laboratory"),
        _all_words("research"),
    ),
    ("company", _all_words("ltd", "d\\.o\\.o", "gmbh", "inc", "company"), _all_words("company")),
)
# Roles named in the introduction of the page: projects/promoting -> promoter, events and
# education -> organiser, infrastructure -> infrastructure. Order of the resulting tuple.
_ROLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("promoter", re.compile(r"\bprojects?\b|\bpromot", re.IGNORECASE)),
    (
        "organiser",
        _all_words(
            "events?",
            "workshops?",
            "trainings?",
            "educat\\w*",
            "lectures?",
            "seminars?",
            "festivals?",
            "courses?",
            "excursions?",
        ),
    ),
    ("infrastructure", _all_words("infrastructure")),
)


# --------------------------------------------------------------------------------------
# Text normalisation and paragraphs
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paragraph:
    """A run of non-blank lines, with the number of blank lines before it."""

    lines: tuple[str, ...]
    gap: int

    @property
    def text(self) -> str:
        """The paragraph on one line: hard wraps in the copied text carry no meaning."""
        return " ".join(self.lines)


def _normalise_lines(text: str) -> list[str]:
    """Remove the BOM, unify line endings and drop trailing whitespace (NBSP included)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _require_text(text: str) -> list[str]:
    """Reject empty input early with a message that says what is wrong."""
    if not isinstance(text, str):
        raise SeedFormatError(f"Expected the document as text, got {type(text).__name__}.")
    if not text:
        raise SeedFormatError("The seed document is empty.")
    lines = _normalise_lines(text)
    if not any(line.strip() for line in lines):
        raise SeedFormatError("The seed document contains only whitespace.")
    return lines


def _split_paragraphs(lines: list[str]) -> list[_Paragraph]:
    """Group lines into paragraphs, remembering how many blank lines preceded each one."""
    paragraphs: list[_Paragraph] = []
    current: list[str] = []
    blanks = 0
    gap = 0
    for line in lines:
        if line.strip():
            if not current:
                gap = blanks
            current.append(line.strip())
            blanks = 0
            continue
        if current:
            paragraphs.append(_Paragraph(tuple(current), gap))
            current = []
        blanks += 1
    if current:
        paragraphs.append(_Paragraph(tuple(current), gap))
    return paragraphs


def _is_debris_line(line: str) -> bool:
    """A web-page crumb, or a short line that is not a sentence (a caption or a link)."""
    stripped = line.strip()
    if _DEBRIS_RE.match(stripped):
        return True
    if _BULLET_RE.match(stripped) or _SENTENCE_END_RE.search(stripped):
        return False
    return len(stripped.split()) <= 8


def _drop_debris(paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """Remove debris lines; a paragraph left empty passes its (larger) gap on to the next."""
    kept: list[_Paragraph] = []
    carried_gap = 0
    for paragraph in paragraphs:
        lines = tuple(line for line in paragraph.lines if not _is_debris_line(line))
        if not lines:
            carried_gap = max(carried_gap, paragraph.gap)
            continue
        kept.append(_Paragraph(lines, max(paragraph.gap, carried_gap)))
        carried_gap = 0
    return kept


def _first_sentence(text: str) -> str:
    """The text up to the first full stop that is followed by a capitalised word."""
    return _FIRST_SENTENCE_RE.split(text, maxsplit=1)[0]


def _words(text: str) -> list[str]:
    """Words with their apostrophes and hyphens, punctuation removed."""
    return _WORD_RE.findall(text)


def _fold(text: str) -> str:
    """Accent-free ASCII lower case, used for slugs and hashes only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return ascii_text.lower()


def _slugify(text: str) -> str:
    """A URL-safe slug; apostrophe styles and accents do not change it."""
    folded = _APOS_RE.sub("", text)
    return _SLUG_STRIP_RE.sub("-", _fold(folded)).strip("-")


def _short_hash(text: str) -> str:
    """A short hash of the text that ignores quote, dash, accent and whitespace variants."""
    canonical = _DASH_RE.sub("-", _APOS_RE.sub("'", text))
    canonical = " ".join(_fold(canonical).split())
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:10]


# --------------------------------------------------------------------------------------
# Partner names
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Identity:
    """What the first paragraph of a block says about who the partner is."""

    name: str
    acronym: str
    kind: str
    needs_review: bool
    review_reason: str


def _looks_like_name(name: str) -> bool:
    """A name starts with a capital, is not a pronoun and is mostly capitalised words."""
    words = _words(name)
    if not words or len(words) > 16 or not name[0].isupper():
        return False
    if words[0].lower() in _PRONOUNS | _CONNECTIVES | {"a", "an"}:
        return False
    capitalised = sum(1 for word in words if word[0].isupper() or word[0].isdigit())
    lower = sum(1 for word in words if word[0].islower() and word.lower() not in _NAME_CONNECTORS and len(word) > 3)
    return capitalised >= 1 and capitalised >= lower


def _split_acronym_in_parentheses(rest: str) -> str:
    """The acronym in "(ACR)" at the start of ``rest``, or ""."""
    match = _PAREN_RE.match(rest.lstrip())
    if match and _ACRONYM_RE.match(match.group(1).strip()):
        return match.group(1).strip()
    return ""


def _split_dash_acronym(name: str) -> tuple[str, str]:
    """ "Name – ACR" gives (Name, ACR) when the part after the dash is a single word."""
    parts = _DASH_SPLIT_RE.split(name)
    if len(parts) == 2 and _SINGLE_WORD_ACRONYM_RE.match(parts[1]) and len(_words(parts[0])) > 1:
        return parts[0], parts[1]
    return name, ""


def _unlisted_verb_position(phrase: str) -> int:
    """Where a verb missing from the word list starts: a lower-case "-s" word that follows a
    capitalised word ("Alpine Lakes Trust restores ..."); the phrase length if none."""
    for match in _LOWER_S_WORD_RE.finditer(phrase):
        before = phrase[: match.start()].split()
        if before and before[-1][0].isupper() and match.group("word") not in _NAME_CONNECTORS:
            return match.start()
    return len(phrase)


def _scan_name(phrase: str, *, whole_phrase: bool = False) -> tuple[str, str] | None:
    """Read a name from the start of ``phrase`` up to its predicate.

    With ``whole_phrase`` the phrase is already just the name (from "At the X, ...").
    Returns (name, acronym) or None when the opening is not a name.
    """
    phrase = _TITLE_RE.sub("", _LEADING_THE_RE.sub("", phrase.strip()))
    end = len(phrase)
    if not whole_phrase:
        stop = _NAME_STOP_RE.search(phrase)
        end = min(stop.start() if stop else len(phrase), _unlisted_verb_position(phrase))
        if end == len(phrase) or (stop and end == stop.start() and stop.group(0).strip() in {".", "!", "?"}):
            return None  # the whole sentence, not a name followed by a predicate
    name, rest = phrase[:end], phrase[end:]
    name = name.strip().rstrip(",")
    acronym = _split_acronym_in_parentheses(rest) if rest.lstrip().startswith("(") else ""
    if not acronym:
        name, acronym = _split_dash_acronym(name)
    if not _looks_like_name(name):
        return None
    return name, acronym


def _extract_name(paragraph: str) -> tuple[str, str] | None:
    """Find the partner's name (and acronym) in the opening of its first paragraph."""
    sentence = _first_sentence(paragraph)
    at_the = _AT_THE_RE.match(sentence)
    if at_the and at_the.group("next").lower() in _PRONOUNS | {"the", "researchers", "staff"}:
        name = _POSSESSIVE_JOIN_RE.sub(", ", at_the.group("name"))
        return _scan_name(name, whole_phrase=True)
    sentence = _LEAD_NOUN_RE.sub("", sentence, count=1)
    intro = _INTRO_CLAUSE_RE.match(sentence)
    if intro:
        sentence = intro.group("rest")
    return _scan_name(sentence)


def _is_individual(paragraph: str) -> bool:
    """The paragraph speaks of a person: "he"/"she" in the first sentence (and not "we" or
    "its"), or a second sentence that opens with "He"/"She"/"His"/"Her"."""
    sentence = _first_sentence(paragraph)
    if _PERSON_SUBJECT_RE.search(sentence) and not _ORG_PRONOUN_RE.search(sentence):
        # "A retired teacher from X, she has …": a person description and a personal pronoun
        # are enough; otherwise ask for a second pronoun, so that a stray "he" in an
        # organisation's sentence does not make it a person.
        if _PERSON_OPENING_RE.match(sentence) or len(_PERSON_PRONOUN_RE.findall(paragraph)) >= 2:
            return True
    following = paragraph[len(sentence) :].lstrip()
    return bool(_PERSON_OPENER_RE.match(following))


def _person_placeholder(paragraph: str) -> str | None:
    """ "A renowned Danish biologist and teacher specializing ..." gives the noun phrase."""
    match = _PERSON_OPENING_RE.match(_first_sentence(paragraph))
    if not match:
        return None
    phrase = _PERSON_PHRASE_STOP_RE.split(match.group("phrase"), maxsplit=1)[0]
    words = [word for word in phrase.split() if word.lower() not in _EVALUATIVE]
    if not words:
        return None
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _focus_parts(paragraph: str) -> list[str]:
    """ "focus ... on the conservation of wetland birds within the Rhine Delta’s ..."
    gives ["wetland birds", "Rhine Delta"]."""
    match = _FOCUS_RE.search(paragraph)
    if not match:
        return []
    what, *places = _FOCUS_PLACE_SPLIT_RE.split(match.group("what").strip(), maxsplit=1)
    parts = [what.strip()]
    if places:
        place = _CAPITALISED_RUN_RE.match(places[0])
        if place and place.group(1):
            parts.append(place.group(1))
    return [part for part in parts if part]


def _self_label(sentence: str) -> str:
    """What the organisation calls itself: "NGO" if non-governmental, else its kind noun."""
    if _NGO_RE.search(sentence):
        return "NGO"
    match = _SELF_LABEL_RE.search(sentence)
    return match.group("noun").lower() if match else "organisation"


def _organisation_placeholder(paragraph: str) -> str:
    """A descriptive label from the self-description, e.g. "Nature conservation NGO (...)".

    The purpose ("dedicated to nature conservation") becomes a modifier when it is short,
    otherwise it is kept as a phrase; the focus phrase is added in parentheses.
    """
    sentence = _first_sentence(paragraph)
    label = _self_label(sentence)
    purpose_match = _PURPOSE_RE.search(sentence)
    purpose = purpose_match.group("what").strip() if purpose_match else ""
    described = _SELF_DESCRIPTION_RE.match(sentence)
    if not purpose and described:
        head = described.group("phrase").strip()  # "We are a small volunteer group protecting trees"
    elif not purpose:
        head = f"Unnamed {label}"
    elif len(purpose.split()) <= 3 and not set(purpose.split()) & _NAME_CONNECTORS:
        head = f"{purpose} {label}"
    else:
        head = f"{label} dedicated to {purpose}"
    head = head[0].upper() + head[1:]
    focus = _focus_parts(paragraph)
    return f"{head} ({', '.join(focus)})" if focus else head


def _identify(paragraph: str) -> _Identity:
    """Decide who a block describes from its first paragraph."""
    if _is_individual(paragraph):
        placeholder = _person_placeholder(paragraph)
        if placeholder:
            return _Identity(placeholder, "", INDIVIDUAL, True, REASON_UNNAMED_PERSON)
        named = _extract_name(paragraph)
        if named:
            return _Identity(named[0], named[1], INDIVIDUAL, False, "")
        return _Identity("Unnamed individual", "", INDIVIDUAL, True, REASON_UNNAMED_PERSON)
    named = _extract_name(paragraph)
    if named:
        return _Identity(named[0], named[1], ORGANISATION, False, "")
    first_word = (_words(paragraph) or [""])[0].lower()
    if first_word in _PRONOUNS:
        return _Identity(_organisation_placeholder(paragraph), "", ORGANISATION, True, REASON_UNNAMED_ORGANISATION)
    opening = " ".join(_words(_first_sentence(paragraph))[:6])
    return _Identity(f"Unrecognised partner ({opening}…)", "", ORGANISATION, True, REASON_UNRECOGNISED)


# --------------------------------------------------------------------------------------
# Grouping paragraphs into partner blocks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    """How follow-on paragraphs may refer to the current partner."""

    aliases: tuple[str, ...]
    heads: frozenset[str]

    @classmethod
    def for_identity(cls, identity: _Identity | None) -> _Reference:
        """Aliases are the name (without "The") and acronym; heads are its kind nouns."""
        if identity is None or identity.needs_review:
            return cls((), frozenset())
        aliases = tuple(alias for alias in (identity.name, identity.acronym) if alias)
        heads = frozenset(w.lower() for w in _words(identity.name) if w.lower() in _ORG_NOUNS)
        return cls(aliases, heads)


_GAP_WEIGHT = 2
_ALIAS_WEIGHT = -4
_HEAD_WEIGHT = -3
_PRONOUN_WEIGHT = -1
_SELF_INTRO_WEIGHT = 1
_NEW_NAME_WEIGHT = 3


def _opening_window(paragraph: str) -> str:
    """The opening words where a follow-on paragraph names its subject.

    That is the first ten words, plus the three words after an introductory clause
    ("In its first decade of promoting ..., ACR has ...").
    """
    sentence = _first_sentence(paragraph)
    window = " ".join(sentence.split()[:10])
    after_clause = _after_opening_clause(sentence)
    if after_clause:
        window += " " + " ".join(after_clause.split()[:3])
    return window


def _after_opening_clause(sentence: str) -> str:
    """The text after the first comma of the sentence when that comma closes an opening
    clause of at most 25 words; "" otherwise."""
    comma = sentence.find(",")
    if 0 < comma and len(sentence[:comma].split()) <= 25:
        return sentence[comma + 1 :]
    return ""


def _mentions_alias(window: str, aliases: tuple[str, ...]) -> bool:
    """The alias occurs as a whole word (case-sensitive: the acronym "SHE" is not "she")."""
    return any(re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", window) for alias in aliases)


def _mentions_head(window: str, heads: frozenset[str]) -> bool:
    """ "the Ministry actively ..." but not "the Institute of X" (a new name)."""
    for head in heads:
        pattern = rf"\b[Tt]he\s+(?i:{re.escape(head)})\b(?!\s+(?:of|for|at|in|on)\b)(?!\s+[A-Z])"
        if re.search(pattern, window):
            return True
    return False


def _subject_is_pronoun(paragraph: str) -> bool:
    """The paragraph opens with a pronoun or connective, or one follows its opening clause."""
    words = _words(paragraph)
    if not words:
        return False
    if words[0].lower() in _PRONOUNS | _CONNECTIVES:
        return True
    after = _words(_after_opening_clause(_first_sentence(paragraph)))
    return bool(after) and after[0].lower() in _PRONOUNS and after[0][0].islower()


def _opens_with_new_name(paragraph: str, reference: _Reference) -> bool:
    """ "Name (ACR) is ..." or "Founded in 1990, the Name is ..." for another partner."""
    named = _extract_name(paragraph)
    if not named or _mentions_alias(named[0], reference.aliases):
        return False
    sentence = _first_sentence(paragraph)
    return bool(named[1]) or bool(_INTRO_CLAUSE_RE.match(sentence) or _AT_THE_RE.match(sentence))


def _text_evidence(paragraph: str, reference: _Reference) -> int:
    """Negative: the paragraph continues the current partner; positive: it starts a new one."""
    window = _opening_window(paragraph)
    if _mentions_alias(window, reference.aliases):
        return _ALIAS_WEIGHT
    if _mentions_head(window, reference.heads):
        return _HEAD_WEIGHT
    if _SELF_INTRO_RE.match(paragraph):
        return _SELF_INTRO_WEIGHT
    if _AT_THE_RE.match(paragraph) and _opens_with_new_name(paragraph, reference):
        return _NEW_NAME_WEIGHT  # "At the X's Department of Y, our research ..."
    if _PERSON_OPENING_RE.match(paragraph) and _is_individual(paragraph):
        return _SELF_INTRO_WEIGHT  # "A retired teacher from X, she has ..."
    if _subject_is_pronoun(paragraph):
        return _PRONOUN_WEIGHT
    if _opens_with_new_name(paragraph, reference):
        return _NEW_NAME_WEIGHT
    return 0


def _group_blocks(paragraphs: list[_Paragraph]) -> list[list[str]]:
    """Split the paragraphs into the introduction (first block) and one block per partner."""
    gaps = [paragraph.gap for paragraph in paragraphs[1:]]
    informative = len(set(gaps)) > 1
    smallest = min(gaps, default=0)
    blocks: list[list[str]] = [[paragraphs[0].text]]
    reference = _Reference.for_identity(None)
    for paragraph in paragraphs[1:]:
        gap_evidence = 0
        if informative:
            gap_evidence = -_GAP_WEIGHT if paragraph.gap == smallest else _GAP_WEIGHT
        if gap_evidence + _text_evidence(paragraph.text, reference) >= 0:
            blocks.append([paragraph.text])
            reference = _Reference.for_identity(_identify(paragraph.text))
        else:
            blocks[-1].append(paragraph.text)
    return blocks


# --------------------------------------------------------------------------------------
# Partner fields
# --------------------------------------------------------------------------------------


def _guess_partner_type(identity: _Identity, description: str) -> str:
    """Best guess from generic words in the name or the first sentence; "ngo" otherwise."""
    if identity.kind == INDIVIDUAL:
        return "individual"
    name = "" if identity.needs_review else identity.name
    sentence = _first_sentence(description)
    for partner_type, name_pattern, sentence_pattern in _PARTNER_TYPE_RULES:
        if name and name_pattern and name_pattern.search(name):
            return partner_type
        if sentence_pattern and sentence_pattern.search(sentence):
            return partner_type
    return "ngo"


def _infer_roles(description: str) -> tuple[str, ...]:
    """Roles named on the page: projects -> promoter, events/education -> organiser, ..."""
    return tuple(role for role, pattern in _ROLE_RULES if pattern.search(description))


def _partner_key(identity: _Identity, description: str) -> str:
    """Slug of the name; placeholders get "unnamed-" + a hash of the first sentence."""
    if identity.needs_review:
        return f"unnamed-{_short_hash(_first_sentence(description))}"
    return _slugify(identity.name)


def _build_partner(paragraphs: list[str]) -> ParsedPartner:
    """Turn one block of paragraphs into a ParsedPartner."""
    identity = _identify(paragraphs[0])
    description = "\n\n".join(paragraphs)
    return ParsedPartner(
        key=_partner_key(identity, description),
        name=identity.name,
        acronym=identity.acronym,
        kind=identity.kind,
        partner_type=_guess_partner_type(identity, description),
        roles=_infer_roles(description),
        description=description,
        needs_review=identity.needs_review,
        review_reason=identity.review_reason,
    )


def _deduplicate_keys(partners: list[ParsedPartner]) -> list[ParsedPartner]:
    """Make colliding keys unique with a content hash (never with the position in the file)."""
    counts: dict[str, int] = {}
    for partner in partners:
        counts[partner.key] = counts.get(partner.key, 0) + 1
    result: list[ParsedPartner] = []
    for partner in partners:
        if counts[partner.key] > 1:
            suffix = _short_hash(partner.description)[:6]
            partner = replace(partner, key=f"{partner.key}-{suffix}")
        result.append(partner)
    return result


# --------------------------------------------------------------------------------------
# Contact block
# --------------------------------------------------------------------------------------


def _find_contact_start(lines: list[str]) -> int | None:
    """Index of a short "Contact information ..." line, or None."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if len(stripped.split()) <= 8 and _CONTACT_HEADER_RE.match(stripped):
            return index
    return None


def _parse_contact(lines: list[str]) -> ParsedContact:
    """Read the labelled lines of the contact block; the coordinator's lines follow the title."""
    entries = [line.strip() for line in lines if line.strip() and not _DEBRIS_RE.match(line.strip())]
    header = _CONTACT_HEADER_RE.match(entries[0])
    fields: dict[str, str] = {"organisation": header.group("org").strip() if header else ""}
    mailing_lists: list[str] = []
    coordinator_lines: list[str] = []
    in_coordinator = False
    for entry in entries[1:]:
        if address := _ADDRESS_RE.match(entry):
            fields["address"] = address.group("value").strip()
        elif phone := _PHONE_RE.match(entry):
            fields["phone"] = phone.group("number").strip()
            fields["contact_person"] = (phone.group("person") or "").strip()
        elif email := _EMAIL_RE.match(entry):
            fields["email"] = email.group("value").strip()
        elif _MAILING_RE.search(entry):
            mailing_lists.append(entry.split(":", 1)[0].strip())
            in_coordinator = False
        elif _COORDINATOR_RE.search(entry) and ":" not in entry and "coordinator_title" not in fields:
            fields["coordinator_title"] = entry
            in_coordinator = True
        elif in_coordinator and len(coordinator_lines) < 2:
            coordinator_lines.append(entry)
    coordinator_lines += ["", ""]
    return ParsedContact(
        organisation=fields["organisation"],
        address=fields.get("address", ""),
        phone=fields.get("phone", ""),
        contact_person=fields.get("contact_person", ""),
        coordinator_title=fields.get("coordinator_title", ""),
        coordinator_name=coordinator_lines[0],
        coordinator_organisation=coordinator_lines[1],
        mailing_lists=tuple(mailing_lists),
        email=fields.get("email", ""),
    )


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------


def parse_partners_page(text: str) -> ParsedPartnersPage:
    """Parse a partners page: introduction, partner blocks and the contact block."""
    lines = _require_text(text)
    contact_start = _find_contact_start(lines)
    body_lines = lines if contact_start is None else lines[:contact_start]
    contact = None if contact_start is None else _parse_contact(lines[contact_start:])
    paragraphs = _drop_debris(_split_paragraphs(body_lines))
    if len(paragraphs) < 2:
        raise SeedFormatError(
            "No partner blocks found: a partners page needs an introduction followed by "
            "paragraphs that each describe a partner."
        )
    blocks = _group_blocks(paragraphs)
    partners = [_build_partner(block) for block in blocks[1:]]
    if not any(partner.review_reason != REASON_UNRECOGNISED for partner in partners):
        raise SeedFormatError(
            "No partner structure found: no paragraph opens with an organisation's or a "
            "person's description (e.g. 'Name (ACR) is ...')."
        )
    return ParsedPartnersPage(
        introduction="\n\n".join(blocks[0]),
        partners=tuple(_deduplicate_keys(partners)),
        contact=contact,
    )


def _find_news_header(lines: list[str]) -> int | None:
    """Index of the "Category | YYYY-MM-DD" line among the first few non-blank lines."""
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if _NEWS_HEADER_RE.match(line.strip()):
            return index
        seen += 1
        if seen >= 5:
            return None
    return None


def _parse_duration(value: str) -> int | None:
    """ "90 minutes" -> 90, "1.5 hours" -> 90."""
    minutes = _DURATION_MINUTES_RE.search(value)
    if minutes:
        return int(minutes.group(1))
    hours = _DURATION_HOURS_RE.search(value)
    if hours:
        return round(float(hours.group(1).replace(",", ".")) * 60)
    return None


def _find_platform(*texts: str) -> str:
    """A known video platform, else the word before "platform"."""
    for text in texts:
        for platform in _KNOWN_PLATFORMS:
            if re.search(rf"\b{re.escape(platform)}\b", text):
                return platform
    for text in texts:
        match = _PLATFORM_WORD_RE.search(text)
        if match:
            return match.group(1)
    return ""


def _find_listed_organisations(body: str) -> tuple[str, ...]:
    """The first parenthesis that lists three or more capitalised names."""
    for match in _LIST_PAREN_RE.finditer(body):
        items = [item.strip() for item in _LIST_SPLIT_RE.split(match.group(1)) if item.strip()]
        if len(items) >= 3 and all(item[0].isupper() for item in items):
            return tuple(items)
    return ()


def parse_news_item(text: str) -> ParsedNewsItem:
    """Parse a news item: title, "Category | date" line, body, facts and footnote."""
    lines = _require_text(text)
    header_index = _find_news_header(lines)
    if header_index is None:
        raise SeedFormatError("Not a news item: no 'Category | YYYY-MM-DD' line near the top.")
    header = _NEWS_HEADER_RE.match(lines[header_index].strip())
    if header is None:  # unreachable: _find_news_header matched this line
        raise SeedFormatError("Not a news item: the 'Category | YYYY-MM-DD' line is malformed.")
    title = " ".join(line.strip() for line in lines[:header_index] if line.strip())
    try:
        date = datetime.date.fromisoformat(header.group("date"))
    except ValueError as error:
        raise SeedFormatError(f"Invalid news date {header.group('date')!r}.") from error
    body_parts: list[str] = []
    facts: dict[str, str] = {}
    footnote = ""
    for paragraph in _drop_debris(_split_paragraphs(lines[header_index + 1 :])):
        content = paragraph.text
        if (fact := _FACT_RE.match(content)) and len(paragraph.lines) == 1:
            facts[fact.group("key").strip()] = fact.group("value").strip().rstrip(".").strip()
        elif (note := _FOOTNOTE_RE.match(content)) and not footnote:
            footnote = note.group("text").strip()
        else:
            body_parts.append(content)
    body = "\n\n".join(body_parts)
    term = _FOOTNOTE_TERM_RE.match(footnote)
    project = _PROJECT_RE.search(body)
    return ParsedNewsItem(
        title=title,
        category=header.group("category").strip(),
        date=date,
        body=body,
        facts=facts,
        duration_minutes=_parse_duration(facts.get("Duration", "")),
        language=facts.get("Language", ""),
        platform=_find_platform(facts.get("Location", ""), body),
        project=project.group(1) if project else "",
        organisations=_find_listed_organisations(body),
        footnote=footnote,
        footnote_term=term.group("term") if term else "",
        footnote_expansion=term.group("expansion").strip() if term else "",
    )


def parse_document(text: str) -> ParsedPartnersPage | ParsedNewsItem:
    """Detect the kind of document (a news item has a "Category | date" line) and parse it."""
    lines = _require_text(text)
    if _find_news_header(lines) is not None:
        return parse_news_item(text)
    return parse_partners_page(text)
