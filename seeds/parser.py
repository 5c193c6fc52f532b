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

  The current partner's head noun counts like its name ("The reserve's wardens ..." after
  "X Nature Reserve"), and "Our <kind noun> ..." of another kind ("Our guild ...") starts a
  new partner. Before the first partner, a paragraph about the partners or the network
  that names no one belongs to the introduction. When all gaps are equal the paragraph
  openings decide alone.
* The name is the opening phrase up to its predicate: a verb ("is", "serves", ...), an
  acronym in parentheses, or a comma followed by a lower-case word. Before that, a leading
  "The" is dropped (the name is stored without it), as are an introductory clause
  ("Founded in 1990, the ..."), a generic lead noun ("Research at the ...", "The purpose of
  the ...") and a leading location ("At the X's Department of Y, our ..." gives
  "X, Department of Y"; "At X's Laboratory of Y, students ..." likewise), and people before
  the name ("Volunteers at the X count ...", where the name is the capitalised run).
  " – Word" after a name is an acronym when it is a single word,
  otherwise it is part of the name ("Aquila – Regional Raptor Society").
* A block whose first sentence refers to its subject as "he"/"she", that opens with an
  honorific before a personal name ("Dr. Ana Kovač"), or with a personal name and has
  "he"/"she" anywhere, is an individual (the honorific goes to ``title``); when no
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
from collections.abc import Callable
from dataclasses import dataclass, replace

__all__ = [
    "ParsedContact",
    "ParsedNewsItem",
    "ParsedPartner",
    "ParsedPartnersPage",
    "ParsedSession",
    "SeedFormatError",
    "event_title_from_headline",
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
    # An individual's honorific ("Dr.", "Prof.", "Mag."), kept out of ``name``.
    title: str = ""
    # Why the block starts a new partner and how its name was read ("paragraph opens with a
    # name", "name before 'is' in the first sentence"); ``load_seeds --dry-run`` prints it.
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedContact:
    """The network's contact block at the end of the partners page.

    ``coordinator_title`` is the coordinator's role ("Network coordinator"); an academic or
    courtesy title before the name ("Mag.", "Dr.") is kept apart in ``coordinator_honorific``,
    so that ``coordinator_name`` is the bare personal name.
    """

    organisation: str
    address: str
    phone: str
    contact_person: str
    coordinator_title: str
    coordinator_name: str
    coordinator_organisation: str
    mailing_lists: tuple[str, ...]
    email: str = ""
    coordinator_honorific: str = ""


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
    # What the item invites to (empty when it states nothing of the kind): see ParsedSession.
    sessions: tuple[ParsedSession, ...] = ()
    registration_deadline: datetime.date | None = None
    capacity: int | None = None
    languages: tuple[str, ...] = ()  # ISO 639-1 codes, in the order the text names them
    kind: str = ""  # "webinar", "workshop", "training", "conference" or ""
    event_title: str = ""  # the headline without "Invitation to ... on"


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

# Page debris: captions, navigation and footer links. A prefix is enough for the phrases no
# sentence of a partner's text begins with; single footer words must be the whole line.
_DEBRIS_RE = re.compile(
    r"^(?:decorative\s+(?:photo|image|picture)|photo(?:graph)?\s*[:;]|image\s*[:;]|"
    r"(?:photo|image|picture)s?\s+(?:by|credits?|source)\b|"
    r"skip\s+to\s+(?:main\s+)?content|more\s+on\b|read\s+more|other\s+news|back\s+to\s+(?:the\s+)?top|"
    r"share\s+(?:this|on)\b|print\s+this|follow\s+us\b|"
    r"(?:subscribe|sign\s+up)\s+(?:to|for)\s+(?:the|our)\s+newsletter|"
    r"privacy\s+(?:policy|notice|statement)|cookie\s+(?:policy|settings|preferences)|"
    r"terms\s+(?:of\s+(?:use|service)|and\s+conditions)|legal\s+notice|accessibility\s+statement|"
    r"(?:imprint|impressum|sitemap|site\s+map|top|print|share|privacy|cookies)\W*$)",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?:…][\"”’')\]]*$")
_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_NEWS_HEADER_RE = re.compile(r"^(?P<category>[^|]{1,60}?)\s*\|\s*(?P<date>\d{4}-\d{2}-\d{2})$")
_CONTACT_HEADER_RE = re.compile(
    r"^contacts?(?:\s+(?:information|info|details|us))?\s*[:–-]?\s*(?P<org>[^.]*)$",
    re.IGNORECASE,
)
# Academic and courtesy titles written before a personal name ("Dr.", "Mag.", the compound
# "izr. prof. dr."): one list for the partners' names, the contact's coordinator and sentences.
_HONORIFIC_WORDS = (
    "Assoc", "Assist", "Asst", "Doc", "Izr", "Red", "Prof", "Dr", "Mag", "Mr", "Mrs", "Ms", "Mx", "Dipl", "Ing",
    "Univ",
)
_HONORIFICS = "|".join(_HONORIFIC_WORDS)
# A full stop ends a sentence unless it ends a title such as "Dr." or "Prof.".
_FIRST_SENTENCE_RE = re.compile(
    "".join(rf"(?<!\b{word}\.)" for word in _HONORIFIC_WORDS) + r"(?<=[.!?])\s+(?=[A-Z“\"‘'])"
)
# Titles before a partner's name (capitalised, as a sentence starts); kept out of the name.
_TITLE_RE = re.compile(rf"^(?:(?:{_HONORIFICS})\.\s+)+")
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
# A short form of up to three words led by an all-capital acronym: "KTU Library".
_SHORT_FORM_RE = re.compile(r"^[A-Z][A-Z&.-]*[A-Z](?:\s+[A-Z][\w-]*){1,2}$")
_LEAD_NOUN_RE = re.compile(rf"^(?:The\s+)?(?i:{_LEAD_NOUNS})\s+(?:at|of|in|within)\s+(?:the\s+)?(?=[A-Z])")
_INTRO_CLAUSE_RE = re.compile(rf"^(?:{_INTRO_OPENERS})\b[^,]{{0,100}},\s+(?P<rest>.+)$", re.DOTALL)
# Any other short opening clause before "the <Name>": "Through its Open Science Desk, the X ...".
_GENERIC_CLAUSE_RE = re.compile(r"^(?P<clause>[A-Z][^,]{0,80}),\s+(?P<rest>the\s+[A-Z].+)$", re.DOTALL)
_GENERIC_CLAUSE_MAX_WORDS = 8
_LEADING_THE_RE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE_JOIN_RE = re.compile(rf"{_APOS}s\s+(?=[A-Z])")
# Generic kind nouns beyond _ORG_NOUNS: "Our guild brings together ..." introduces a new
# partner when the current one is not a guild.
_KIND_NOUNS = _ORG_NOUNS | frozenset(
    "guild collective group initiative alliance consortium partnership circle charity enterprise "
    "firm studio reserve park zoo aquarium archive gallery collection cooperative".split()
)
# "Volunteers at the X ...", "Staff and students from the X ...": people or a role before the
# name. The lead noun is a single capitalised word (a name has more), possibly followed by a
# few lower-case words.
_PEOPLE_LEAD_RE = re.compile(
    r"^(?:The\s+)?(?P<noun>[A-Z][a-z]+)(?:\s+(?:and\s+|&\s+)?[a-z]+){0,3}\s+(?:at|from|with)\s+the\s+(?=[A-Z])"
)
# "At the X's Department of Y, our ...", "At X's Laboratory of Y, students ...".
_LOCATION_LEAD_RE = re.compile(
    rf"^(?:At|In|Within)\s+(?:the\s+)?(?P<name>[A-Z][^,]{{2,150}}?),\s+(?P<next>[\w{_APOS[1:-1]}]+)"
)
_NAME_WORD = r"[A-Z][^\W\d_]*[^\W\d_A-Z](?:-[A-Z][^\W\d_]+)?"
# Two or three capitalised words that could be a person's given name(s) and surname.
_PERSONAL_NAME_RE = re.compile(rf"^(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})(?=\s+[a-z]|,)")
_OUR_KIND_RE = re.compile(r"^Our\s+(?P<noun>[a-z]+)\b(?!\s+also\b)")
# Words with which a paragraph speaks about the page itself rather than one partner.
_INTRO_TOPIC_RE = re.compile(r"\b(?:partners?|network|members?|membership)\b", re.IGNORECASE)
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
_PERSON_DESCRIPTION_RE = re.compile(r"^[^,]{3,80}?\s+(?:is|was)\s+an?\s+(?P<phrase>[^,.;]+)")
# Agent nouns ("teacher", "biologist", "historian", "consultant", "volunteer").
_AGENT_NOUN_RE = re.compile(r"(?:ist|er|or|ian|ant|ent|eer|ess)$")
# Agent nouns that describe organisations as often as people.
_SHARED_AGENT_NOUNS = frozenset(
    "member partner provider leader player pioneer sponsor operator publisher producer supporter "
    "contributor distributor manufacturer developer organiser organizer cluster shelter corner "
    "component agent independent".split()
)
_PERSON_PHRASE_STOP_RE = re.compile(
    r",|\s+(?=(?:at|in|of|from|with|who|whose|that|which|based|working|specializing|specialising)\b)"
    r"|\s+(?=[a-z]+(?:ing|ed)\b)"
)
_SELF_DESCRIPTION_RE = re.compile(
    r"^(?:we\s+are|our\s+(?:organi[sz]ation|association|society|group|institute|club)\s+is)\s+(?:an?\s+)"
    r"(?P<phrase>[^,.;]{3,200}?)(?=\s+(?:founded|established|since|based|who|whose|that|which)\b|[,.;]|$)",
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
# Contact block labels, in their usual variants ("Tel.:", "Phone:", "E-mail:", "Email:", ...).
# A label ends with ":" (after an optional "."): "Tel. 01 234" alone is not taken as a label.
_LABEL_END = r"\s*\.?\s*:\s*"
_ADDRESS_RE = re.compile(
    rf"^(?:(?:postal|visiting|office|street|mailing)\s+)?address{_LABEL_END}(?P<value>.*)$", re.IGNORECASE
)
_PHONE_RE = re.compile(
    rf"^(?:phone|tel(?:ephone)?|mobile|mob|gsm|ph){_LABEL_END}(?P<number>[^()]*?)\s*(?:\((?P<person>[^()]+)\))?$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(rf"^(?:e-?\s?mail|mail|e-?mail\s+address){_LABEL_END}(?P<value>.*@.*)$", re.IGNORECASE)
_EMAIL_ADDRESS_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTACT_PERSON_RE = re.compile(rf"^contact\s+person{_LABEL_END}(?P<value>.+)$", re.IGNORECASE)
# "Coordinator: Dr. Name[, Organisation]" on one line.
_COORDINATOR_LABEL_RE = re.compile(
    rf"^(?P<title>(?:[\w-]+\s+){{0,3}}coordinator(?:\s+[\w-]+){{0,3}}){_LABEL_END}(?P<value>.+)$", re.IGNORECASE
)
# "Coordination office, <organisation>": where the coordinator works, not a person.
_COORDINATION_OFFICE_RE = re.compile(
    rf"^(?:(?:network\s+)?coordinat(?:ion|ing)\s+(?:office|centre|center|unit|point|team)|coordinated\s+by|"
    rf"secretariat)(?:\s*[,:]|\s+{_DASH})?\s+(?:the\s+)?(?P<org>\S.*)$",
    re.IGNORECASE,
)
_COORDINATOR_RE = re.compile(r"\bcoordinator\b", re.IGNORECASE)
# "Label: value" or "Label:"; the colon of "https://" does not count.
_LABELLED_LINE_RE = re.compile(r"^(?P<label>[^:]+?)\s*:(?!//)\s*(?P<value>.*)$")
# A mailing list: a named list or a subscription link ("Subscribe to the newsletter").
_MAILING_RE = re.compile(r"\b(?:mail(?:ing)?|newsletters?|subscribe|sign\s+up|list(?:serv)?)\b", re.IGNORECASE)
# The coordinator's titles in any case ("Mag.", "izr. prof. dr."), and degrees after the name.
_HONORIFIC_RE = re.compile(
    rf"^(?P<title>(?:(?:{_HONORIFICS}|phd|msc)\.(?:-ing\.)?\s*|(?:dr|mr|mrs|ms|prof)\s+)+)(?=[A-ZÀ-Ž])",
    re.IGNORECASE,
)
_DEGREE_RE = re.compile(r",?\s+(?P<degree>Ph\.?\s?D\.?|M\.?Sc\.?|B\.?Sc\.?|MBA|MA|DPhil)$")


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


def _is_news_debris_line(line: str) -> bool:
    """Debris in a news item: a short "Key: value" line ("Platform: Microsoft Teams") is one of
    the item's facts, not a caption, unless its key is a caption's ("Photo:", "Image:")."""
    stripped = line.strip()
    if _FACT_RE.match(stripped) and not _DEBRIS_RE.match(stripped):
        return False
    return _is_debris_line(line)


def _drop_debris(paragraphs: list[_Paragraph], is_debris: Callable[[str], bool] = _is_debris_line) -> list[_Paragraph]:
    """Remove debris lines; a paragraph left empty passes its (larger) gap on to the next."""
    kept: list[_Paragraph] = []
    carried_gap = 0
    for paragraph in paragraphs:
        lines = tuple(line for line in paragraph.lines if not is_debris(line))
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
    title: str = ""
    # How the name was read; ``weak`` is a review reason when that evidence is thin, kept apart
    # from ``needs_review`` (a placeholder) so a weakly read name keeps its key and grouping.
    evidence: tuple[str, ...] = ()
    weak: str = ""


REASON_WEAK_NAME = "The name was read without a kind noun, an acronym or a known verb after it; check it."
REASON_PRONOUN_ONLY = "Recognised as a person only by a pronoun; check that this is an individual."


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
    """ "Name – ACR" gives (Name, ACR) when the part after the dash is a single word or a short
    form led by an acronym ("… Centre – KTU Library"); "Aquila – Regional Raptor Society" stays
    one name."""
    parts = _DASH_SPLIT_RE.split(name)
    short = len(parts) == 2 and (_SINGLE_WORD_ACRONYM_RE.match(parts[1]) or _SHORT_FORM_RE.match(parts[1]))
    if short and len(_words(parts[0])) > 1:
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


def _capitalised_run_end(phrase: str) -> int:
    """Where the run of capitalised words (with the connectors a name may contain) ends."""
    for match in re.finditer(r"\S+", phrase):
        word = match.group(0)
        if word[0].islower() and word.lower() not in _NAME_CONNECTORS:
            return match.start()
    return len(phrase)


def _scan_name(phrase: str, *, whole_phrase: bool = False, run_only: bool = False) -> tuple[str, str] | None:
    """Read a name from the start of ``phrase`` up to its predicate.

    With ``whole_phrase`` the phrase is already just the name (from "At the X, ...").
    With ``run_only`` the name also ends at the first lower-case word: after a lead phrase
    ("Volunteers at the X count ...") the verb agrees with the people, not the name, so it
    may be one no word list knows.
    Returns (name, acronym) or None when the opening is not a name.
    """
    phrase = _TITLE_RE.sub("", _LEADING_THE_RE.sub("", phrase.strip()))
    end = len(phrase)
    if not whole_phrase:
        stop = _NAME_STOP_RE.search(phrase)
        end = min(stop.start() if stop else len(phrase), _unlisted_verb_position(phrase))
        if run_only:
            end = min(end, _capitalised_run_end(phrase))
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


def _location_lead(sentence: str) -> str | None:
    """The place in "At (the) X's Department of Y, our ..." when it names an organisation.

    The place must be followed by a lower-case word (the real subject) and contain a
    possessive before a capital or a kind noun, so "In Spring, the ..." is no name.
    """
    match = _LOCATION_LEAD_RE.match(sentence)
    if not match or not match.group("next")[0].islower():
        return None
    place = match.group("name")
    nouns = {word.lower() for word in _words(place)}
    if _POSSESSIVE_JOIN_RE.search(place) or nouns & _KIND_NOUNS:
        return place
    return None


def _people_lead_end(sentence: str) -> int | None:
    """Where the name starts after "Volunteers at the ...", or None without such a lead.

    The lead word must not be a kind noun ("Museum at the ...") or one of the generic lead
    nouns handled by _LEAD_NOUN_RE ("Research at the ...").
    """
    match = _PEOPLE_LEAD_RE.match(sentence)
    if not match:
        return None
    noun = match.group("noun").lower()
    if noun in _KIND_NOUNS or noun in _LEAD_NOUNS.split("|"):
        return None
    return match.end()


def _extract_name(paragraph: str) -> tuple[str, str] | None:
    """Find the partner's name (and acronym) in the opening of its first paragraph."""
    read = _read_name(paragraph)
    return None if read is None else (read[0], read[1])


def _read_name(paragraph: str) -> tuple[str, str, list[str]] | None:
    """``_extract_name`` with the evidence: which lead phrase was stripped before the name."""
    sentence = _first_sentence(paragraph)
    place = _location_lead(sentence)
    if place:
        named = _scan_name(_POSSESSIVE_JOIN_RE.sub(", ", place), whole_phrase=True)
        lead = f"lead phrase '{sentence.split()[0]}' stripped: the name is the place before the comma"
        return None if named is None else (*named, [lead])
    people_end = _people_lead_end(sentence)
    if people_end is not None:
        named = _scan_name(sentence[people_end:], run_only=True)
        lead = f"lead phrase '{sentence[:people_end].strip()}' stripped"
        return None if named is None else (*named, [lead, _name_ending(sentence[people_end:], named)])
    how: list[str] = []
    lead_noun = _LEAD_NOUN_RE.match(sentence)
    if lead_noun:
        how.append(f"lead phrase '{lead_noun.group(0).strip()}' stripped")
        sentence = sentence[lead_noun.end() :]
    intro = _opening_clause(sentence)
    if intro:
        how.append(f"opening clause '{sentence[: intro.start('rest')].strip()}' skipped")
        sentence = intro.group("rest")
    named = _scan_name(sentence)
    return None if named is None else (*named, [*how, _name_ending(sentence, named)])


def _opening_clause(sentence: str) -> re.Match[str] | None:
    """An introductory clause before the subject ("Founded in 1998, the X ..."), or any short
    clause ending in a comma before "the <Capitalised>" ("Through its Open Science Desk, the
    X ..."). The match's ``rest`` group is the sentence from the subject on.

    The short clause must hold a lower-case word no name contains ("its", "to"), so that a
    name in apposition ("Aquila, the Regional Raptor Society, ...") is not skipped.
    """
    intro = _INTRO_CLAUSE_RE.match(sentence)
    if intro:
        return intro
    clause = _GENERIC_CLAUSE_RE.match(sentence)
    if clause is None or len(clause["clause"].split()) > _GENERIC_CLAUSE_MAX_WORDS:
        return None
    words = _words(clause["clause"])
    return clause if any(w[0].islower() and w.lower() not in _NAME_CONNECTORS for w in words) else None


def _name_ending(phrase: str, named: tuple[str, str]) -> str:
    """What ends the name in ``phrase``: its acronym, a known verb or punctuation (strong), or
    only a verb missing from the list / the end of the capitalised words (weak: see
    ``_weak_name``)."""
    name, acronym = named
    if acronym:
        return f"name before its acronym '{acronym}' in the first sentence"
    at = phrase.find(name)
    rest = phrase[at + len(name) :] if at >= 0 else ""
    verb = re.match(rf"\s+({_NAME_VERBS})\b", rest)
    if verb:
        return f"name before '{verb.group(1)}' in the first sentence"
    stop = _NAME_STOP_RE.match(rest)
    if stop and stop.group(0).strip():
        return f"name before '{stop.group(0).strip()}' in the first sentence"
    following = (rest.split() or ["the end of the sentence"])[0]
    return f"name ends before '{following}', a word no list knows"


def _opens_with_personal_name(sentence: str) -> bool:
    """Two or three capitalised words, none a kind noun ("Ana Kovač is ...")."""
    match = _PERSONAL_NAME_RE.match(sentence)
    if not match:
        return False
    return not {word.lower() for word in _words(match.group("name"))} & (_KIND_NOUNS | _NAME_CONNECTORS)


def _describes_a_person(sentence: str) -> bool:
    """ "<Personal name> is a retired physics teacher and amateur astronomer ...": the head noun
    of a conjunct of the description is an agent noun ("-er", "-ist", "-ian" ...) that is not an
    organisation's kind noun nor one that fits organisations as well ("member", "provider")."""
    match = _PERSON_DESCRIPTION_RE.match(sentence)
    if not match or not _opens_with_personal_name(sentence):
        return False
    phrase = _PERSON_PHRASE_STOP_RE.split(match["phrase"], maxsplit=1)[0]
    words = {word.lower() for word in _words(phrase)}
    if words & _KIND_NOUNS:
        return False
    heads = [conjunct.split()[-1].lower() for conjunct in re.split(r"\s+(?:and|or|&)\s+", phrase) if conjunct.split()]
    return any(_AGENT_NOUN_RE.search(head) and head not in _SHARED_AGENT_NOUNS for head in heads)


def _is_individual(paragraph: str) -> bool:
    """The paragraph speaks of a person (see ``_individual_cue``)."""
    return bool(_individual_cue(paragraph))


# ``_individual_cue`` results that rest on a pronoun alone (weak evidence for a named person).
_PRONOUN_CUES = ("'he'/'she' in the first sentence", "the next sentence opens with a personal pronoun")


def _individual_cue(paragraph: str) -> str:
    """Why the paragraph speaks of a person, or "" when it does not.

    That is: an honorific before a personal name ("Dr. Ana Kovač"); a personal name with
    "he"/"she" anywhere in the paragraph; "he"/"she" in the first sentence (and not "we" or
    "its"); or a second sentence that opens with "He"/"She"/"His"/"Her".
    """
    sentence = _first_sentence(paragraph)
    title = _TITLE_RE.match(sentence)
    if title and _opens_with_personal_name(sentence[title.end() :]):
        return f"honorific '{title.group(0).strip()}' before a personal name"
    if _opens_with_personal_name(sentence) and _PERSON_SUBJECT_RE.search(paragraph):
        return "personal name with 'he'/'she' in the first paragraph"
    if _describes_a_person(sentence) and not _ORG_PRONOUN_RE.search(paragraph):
        # "They" or no pronoun at all: the description itself says it is a person.
        return "personal name followed by 'is a <person noun>'"
    if _PERSON_SUBJECT_RE.search(sentence) and not _ORG_PRONOUN_RE.search(sentence):
        # "A retired teacher from X, she has …": a person description and a personal pronoun
        # are enough; otherwise ask for a second pronoun, so that a stray "he" in an
        # organisation's sentence does not make it a person.
        if _PERSON_OPENING_RE.match(sentence) or len(_PERSON_PRONOUN_RE.findall(paragraph)) >= 2:
            return _PRONOUN_CUES[0]
    following = paragraph[len(sentence) :].lstrip()
    return _PRONOUN_CUES[1] if _PERSON_OPENER_RE.match(following) else ""


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
    if match:
        return match.group("noun").lower()
    our = _OUR_KIND_RE.match(sentence)  # "Our guild brings together ..."
    return our.group("noun") if our and our.group("noun") in _KIND_NOUNS else "organisation"


_PLACEHOLDER_LIMIT = 80
_TRAILING_PREPOSITION_RE = re.compile(r"\s+(?:from|in|of|at|on|with|for|across|around|along|near|between)\s+")


def _shorten_phrase(phrase: str, limit: int = _PLACEHOLDER_LIMIT) -> str:
    """Drop trailing prepositional phrases ("… from the Savinja valley") until the phrase fits
    ``limit``; cut at a word boundary when that is not enough."""
    while len(phrase) > limit:
        cuts = [m.start() for m in _TRAILING_PREPOSITION_RE.finditer(phrase) if m.start() > 0]
        if not cuts:
            break
        phrase = phrase[: cuts[-1]]
    return phrase if len(phrase) <= limit else phrase[:limit].rsplit(" ", 1)[0]


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
        head = _shorten_phrase(described.group("phrase").strip())  # "We are a small volunteer group ..."
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
    cue = _individual_cue(paragraph)
    if cue:
        return _identify_person(paragraph, cue)
    read = _read_name(paragraph)
    if read:
        name, acronym, how = read
        weak = REASON_WEAK_NAME if _weak_name(name, acronym, how) else ""
        return _Identity(name, acronym, ORGANISATION, False, "", evidence=tuple(how), weak=weak)
    first_word = (_words(paragraph) or [""])[0].lower()
    if first_word in _PRONOUNS:
        placeholder = "no name found (the paragraph opens with a pronoun): placeholder from its self-description"
        return _Identity(
            _organisation_placeholder(paragraph), "", ORGANISATION, True, REASON_UNNAMED_ORGANISATION,
            evidence=(placeholder,),
        )  # fmt: skip
    opening = " ".join(_words(_first_sentence(paragraph))[:6])
    return _Identity(
        f"Unrecognised partner ({opening}…)", "", ORGANISATION, True, REASON_UNRECOGNISED,
        evidence=("no name found: placeholder from the opening words",),
    )  # fmt: skip


def _identify_person(paragraph: str, cue: str) -> _Identity:
    """An individual: a placeholder from "A <description> …" or the personal name read."""
    placeholder = _person_placeholder(paragraph)
    if placeholder:
        how = (cue, "no name found: placeholder from the opening description")
        return _Identity(placeholder, "", INDIVIDUAL, True, REASON_UNNAMED_PERSON, evidence=how)
    read = _read_name(paragraph)
    if read is None:
        how = (cue, "no name found: placeholder")
        return _Identity("Unnamed individual", "", INDIVIDUAL, True, REASON_UNNAMED_PERSON, evidence=how)
    title = _TITLE_RE.match(_first_sentence(paragraph))
    weak = REASON_PRONOUN_ONLY if cue in _PRONOUN_CUES else ""
    return _Identity(
        read[0], read[1], INDIVIDUAL, False, "", title.group(0).strip() if title else "",
        evidence=(cue, *read[2]), weak=weak,
    )  # fmt: skip


def _weak_name(name: str, acronym: str, how: list[str]) -> bool:
    """A name with no kind noun ("Museum", "Society"), no acronym and no known verb or
    punctuation after it: its end was only guessed."""
    if acronym or {word.lower() for word in _words(name)} & _KIND_NOUNS:
        return False
    return bool(how) and how[-1].endswith("a word no list knows")


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
        if identity.kind == INDIVIDUAL:  # "Kovač also ..." refers to "Ana Kovač"
            return cls((*aliases, identity.name.split()[-1]), frozenset())
        return cls(aliases, _head_nouns(identity.name))


def _head_nouns(name: str) -> frozenset[str]:
    """The kind nouns of a name and its head noun: the last word before "of"/"for"/a comma
    ("Marsh Nature Reserve" -> "reserve", "Institute for X" -> "institute"), with which
    follow-on paragraphs refer back to it ("The reserve's wardens ...")."""
    heads = {word.lower() for word in _words(name) if word.lower() in _ORG_NOUNS}
    first_part = re.split(rf"\s+(?:of|for|at|in|on|and)\s+|,|\s+{_DASH}\s+", name, maxsplit=1)[0]
    words = _words(first_part)
    if len(words) > 1:
        heads.add(_APOS_RE.sub("", words[-1]).lower())
    return frozenset(heads)


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
        pattern = rf"\b(?:[Tt]he|[Oo]ur|[Tt]his)\s+(?i:{re.escape(head)})\b(?!\s+(?:of|for|at|in|on)\b)(?!\s+[A-Z])"
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
    """ "Name (ACR) is ...", "Founded in 1990, the Name is ...", "Volunteers at the Name ...",
    "At Name's Department, ..." or "Dr. Name ..." for another partner."""
    named = _extract_name(paragraph)
    if not named or _mentions_alias(named[0], reference.aliases):
        return False
    sentence = _first_sentence(paragraph)
    if named[1] or _opening_clause(sentence) or _location_lead(sentence):
        return True
    return _people_lead_end(sentence) is not None or bool(_TITLE_RE.match(sentence))


def _introduces_another_kind(paragraph: str, reference: _Reference) -> bool:
    """ "Our guild brings together ..." after a partner that is not a guild."""
    match = _OUR_KIND_RE.match(paragraph)
    return bool(match) and match.group("noun") in _KIND_NOUNS and match.group("noun") not in reference.heads


def _continues_introduction(paragraph: str) -> bool:
    """Before the first partner: a paragraph about the partners or the network that names
    no one ("Partners are listed in alphabetical order ...", "We list partners ...")."""
    if not _INTRO_TOPIC_RE.search(_first_sentence(paragraph)):
        return False
    if _SELF_INTRO_RE.match(paragraph) or _OUR_KIND_RE.match(paragraph) or _is_individual(paragraph):
        return False
    named = _extract_name(paragraph)
    return named is None or all(_INTRO_TOPIC_RE.fullmatch(word) for word in _words(named[0]))


def _text_evidence(paragraph: str, reference: _Reference) -> tuple[int, str]:
    """Negative: the paragraph continues the current partner; positive: it starts a new one.
    With the reason, for the dry run's evidence."""
    window = _opening_window(paragraph)
    if _mentions_alias(window, reference.aliases):
        return _ALIAS_WEIGHT, "mentions the current partner's name or acronym"
    if _mentions_head(window, reference.heads):
        return _HEAD_WEIGHT, "refers to the current partner by its head noun"
    if _SELF_INTRO_RE.match(paragraph):
        return _SELF_INTRO_WEIGHT, "an unnamed partner introduces itself ('We are a …')"
    if _introduces_another_kind(paragraph, reference):
        noun = _OUR_KIND_RE.match(paragraph)
        return _SELF_INTRO_WEIGHT, f"'Our {noun.group('noun') if noun else ''}' of another kind"
    if _location_lead(_first_sentence(paragraph)) and _opens_with_new_name(paragraph, reference):
        return _NEW_NAME_WEIGHT, "paragraph opens with a place naming another partner"  # "At the X's ..."
    if _PERSON_OPENING_RE.match(paragraph) and _is_individual(paragraph):
        return _SELF_INTRO_WEIGHT, "paragraph opens with a person's description"  # "A retired teacher ..., she"
    if _subject_is_pronoun(paragraph):
        return _PRONOUN_WEIGHT, "subject is a pronoun or connective"
    if _opens_with_new_name(paragraph, reference):
        return _NEW_NAME_WEIGHT, "paragraph opens with a name"
    return 0, "nothing ties it to the previous partner"


def _gap_evidence(gap: int, smallest: int, informative: bool) -> tuple[int, str]:
    """Blank lines vote only when the page uses more than one gap size."""
    if not informative:
        return 0, ""
    if gap == smallest:
        return -_GAP_WEIGHT, "narrow blank-line gap"
    return _GAP_WEIGHT, "wider blank-line gap"


def _group_blocks(paragraphs: list[_Paragraph]) -> tuple[list[list[str]], list[str]]:
    """Split the paragraphs into the introduction (first block) and one block per partner.
    Also returns, per block, why it starts ("" for the introduction)."""
    gaps = [paragraph.gap for paragraph in paragraphs[1:]]
    informative = len(set(gaps)) > 1
    smallest = min(gaps, default=0)
    blocks: list[list[str]] = [[paragraphs[0].text]]
    reasons = [""]
    reference = _Reference.for_identity(None)
    for paragraph in paragraphs[1:]:
        if len(blocks) == 1 and _continues_introduction(paragraph.text):
            blocks[0].append(paragraph.text)
            continue
        gap_weight, gap_why = _gap_evidence(paragraph.gap, smallest, informative)
        text_weight, text_why = _text_evidence(paragraph.text, reference)
        if gap_weight + text_weight >= 0:
            why = ", ".join(filter(None, [text_why, gap_why]))
            reasons.append(f"new partner: {'introduction ended; ' if len(blocks) == 1 else ''}{why}")
            blocks.append([paragraph.text])
            reference = _Reference.for_identity(_identify(paragraph.text))
        else:
            blocks[-1].append(paragraph.text)
    return blocks, reasons


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


def _build_partner(paragraphs: list[str], boundary: str = "") -> ParsedPartner:
    """Turn one block of paragraphs into a ParsedPartner; ``boundary`` says why the block starts.

    A weakly read name is flagged for review but keeps its key (a placeholder's key is a hash).
    """
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
        needs_review=identity.needs_review or bool(identity.weak),
        review_reason=identity.review_reason or identity.weak,
        title=identity.title,
        evidence=tuple(filter(None, (boundary, *identity.evidence))),
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


def _split_honorific(name: str) -> tuple[str, str]:
    """(titles, bare name): "Mag. Ieva Kalniņa" gives ("Mag.", "Ieva Kalniņa"); a degree after
    the name ("…, PhD") joins the titles."""
    name = name.strip().rstrip(",;")
    titles: list[str] = []
    if honorific := _HONORIFIC_RE.match(name):
        titles.append(honorific.group("title").strip())
        name = name[honorific.end() :]
    if degree := _DEGREE_RE.search(name):
        titles.append(degree.group("degree"))
        name = name[: degree.start()]
    return " ".join(titles), name.strip()


def _mailing_list_entry(entry: str) -> str:
    """A list's name ("Mailing list of partners:" without its colon), with its address or link
    when the line gives one ("Partners' list: partners@example.org")."""
    labelled = _LABELLED_LINE_RE.match(entry)
    label, value = (labelled.group("label"), labelled.group("value").strip()) if labelled else (entry, "")
    if value and (_EMAIL_ADDRESS_RE.search(value) or value.lower().startswith(("http", "www."))):
        return f"{label.strip()}: {value}"
    return label.strip().rstrip(".") or entry


def _set_coordinator(fields: dict[str, str], title: str, value: str) -> None:
    """ "Coordinator: Dr. Name, Organisation" (or "Name (Organisation)") on one line."""
    name, *rest = [part for part in re.split(r",\s*|\s*\(", value.rstrip(")")) if part.strip()] or [""]
    rest = [part for part in rest if not _DEGREE_RE.fullmatch(" " + part)]
    fields.setdefault("coordinator_title", title.strip())
    fields["coordinator_name"] = name
    if rest:
        fields.setdefault("coordinator_organisation", rest[0].strip())


def _read_contact_label(entry: str, fields: dict[str, str]) -> bool:
    """Store a labelled line ("Tel.: …", "E-mail: …", "Coordination office, …") in ``fields``
    (the first of each label wins); False when the line has no known label."""
    if address := _ADDRESS_RE.match(entry):
        fields.setdefault("address", address.group("value").strip())
    elif phone := _PHONE_RE.match(entry):
        fields.setdefault("phone", phone.group("number").strip())
        if phone.group("person"):
            fields.setdefault("contact_person", phone.group("person").strip())
    elif (email := _EMAIL_RE.match(entry) or _EMAIL_ADDRESS_RE.fullmatch(entry)) and (
        found := _EMAIL_ADDRESS_RE.search(email.group(0))
    ):
        fields.setdefault("email", found.group(0).rstrip("."))
    elif person := _CONTACT_PERSON_RE.match(entry):
        fields.setdefault("contact_person", person.group("value").strip())
    elif office := _COORDINATION_OFFICE_RE.match(entry):
        fields["coordinator_organisation"] = office.group("org").strip().rstrip(".")
    elif coordinator := _COORDINATOR_LABEL_RE.match(entry):
        _set_coordinator(fields, coordinator.group("title"), coordinator.group("value"))
    else:
        return False
    return True


def _read_coordinator_line(entry: str, fields: dict[str, str]) -> bool:
    """The lines after a coordinator title: the name, then the organisation. False when done."""
    if "coordinator_name" not in fields:
        fields["coordinator_name"] = entry
        return True
    fields.setdefault("coordinator_organisation", entry)
    return False


def _parse_contact(lines: list[str]) -> ParsedContact:
    """Read the contact block: labelled lines in any order, a coordinator title followed by the
    name and organisation, mailing lists; footer links and captions are skipped."""
    entries = [line.strip() for line in lines if line.strip()]
    header = _CONTACT_HEADER_RE.match(entries[0])
    fields: dict[str, str] = {"organisation": header.group("org").strip() if header else ""}
    mailing_lists: list[str] = []
    in_coordinator = False
    for index, entry in enumerate(entries[1:], start=1):
        if _read_contact_label(entry, fields):
            continue
        if _MAILING_RE.search(entry) and not _COORDINATOR_RE.search(entry):
            mailing_lists.append(_mailing_list_entry(entry))  # before debris: "Subscribe to the newsletter"
            in_coordinator = False
        elif _DEBRIS_RE.match(entry):
            continue
        elif _COORDINATOR_RE.search(entry) and "coordinator_title" not in fields:
            fields["coordinator_title"] = entry
            in_coordinator = True
        elif in_coordinator:
            in_coordinator = _read_coordinator_line(entry, fields)
        elif index == 1 and not fields["organisation"]:
            fields["organisation"] = entry  # "Contact" on its own line, the organisation below
    honorific, coordinator_name = _split_honorific(fields.get("coordinator_name", ""))
    return ParsedContact(
        organisation=fields["organisation"],
        address=fields.get("address", ""),
        phone=fields.get("phone", ""),
        contact_person=fields.get("contact_person", ""),
        coordinator_title=fields.get("coordinator_title", ""),
        coordinator_name=coordinator_name,
        coordinator_organisation=fields.get("coordinator_organisation", ""),
        mailing_lists=tuple(mailing_lists),
        email=fields.get("email", ""),
        coordinator_honorific=honorific,
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
    blocks, boundaries = _group_blocks(paragraphs)
    partners = [_build_partner(block, why) for block, why in zip(blocks[1:], boundaries[1:], strict=True)]
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


# --------------------------------------------------------------------------------------
# News item: events it invites to (dates, sessions, registration, platform, languages, ...)
# --------------------------------------------------------------------------------------

# Month names are capitalised in English prose; matching them case-sensitively keeps the verb
# "may" out.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"\d{1,2}(?![\d]|[:.]\d)(?:st|nd|rd|th)?"  # not the hour of "12, 15:00"
_DAY_LIST = rf"{_DAY}(?:\s*(?:,\s*and|,|and|&)\s*{_DAY})*"
_DATE_RE = re.compile(
    rf"\b(?:(?P<days_a>{_DAY_LIST})\s+(?:of\s+)?(?P<month_a>{_MONTH})(?:,?\s+(?P<year_a>\d{{4}}))?"
    rf"|(?P<month_b>{_MONTH})\s+(?P<days_b>{_DAY_LIST})(?:,?\s+(?P<year_b>\d{{4}}))?"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))(?![\w-])"
)
_DAY_NUMBER_RE = re.compile(r"\d{1,2}")
# Offsets (minutes east of UTC) of the zone abbreviations European announcements use.
_ZONE_OFFSETS = {
    "CET": 60, "CEST": 120, "EET": 120, "EEST": 180, "WET": 0, "WEST": 60, "BST": 60,
    "GMT": 0, "UTC": 0, "MSK": 180,
    "central european time": 60, "central european summer time": 120,
    "eastern european time": 120, "eastern european summer time": 180,
}
_ZONE = (
    r"(?:UTC|GMT)\s*[+−-]\s*\d{1,2}(?::?\d{2})?|CEST|CET|EEST|EET|WEST|WET|BST|GMT|UTC|MSK"
    r"|(?i:(?:Central|Eastern)\s+European(?:\s+Summer)?\s+Time)"
)
_CLOCK = r"\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?"
_TIME_RE = re.compile(
    rf"(?<![\d.:])(?P<start>{_CLOCK})(?![\d])"
    rf"(?:\s*(?:{_DASH}|to|until|till)\s*(?P<end>{_CLOCK})(?![\d]))?"
    rf"(?:\s*\(?\s*(?P<zone>{_ZONE})\b\)?)?"
)
_CLOCK_PARTS_RE = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?:(?P<ap>[ap])\.?m\.?)?", re.IGNORECASE)
_UTC_OFFSET_RE = re.compile(r"^(?:UTC|GMT)\s*(?P<sign>[+−-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$")
# The text just before a date that makes it a registration deadline ("register by", "registration
# closes on", "deadline:").
_DEADLINE_CUE_RE = re.compile(
    r"\b(?:regist\w*|sign(?:ing)?\s+up|apply|applications?|enrol\w*|deadline)\b[^.;!?]{0,50}?"
    r"(?:\bby|\bbefore|\buntil|\btill|\bno\s+later\s+than|\bclos\w*(?:\s+on)?|\bends?(?:\s+on)?|"
    r"\bdeadline(?:\s+is)?|:)\s*(?:[A-Z][a-z]+day,?\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)
# A date without its own time is a session when its sentence reads like a list of sessions.
_SESSION_LIST_CUE_RE = re.compile(
    r"\b(?:same\s+time|first|second|third|fourth|fifth|last|final|next|repeated|again)\b", re.IGNORECASE
)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])|\n\s*\n")
_CAPACITY_RE = re.compile(
    r"\b(?:limited\s+to|(?:a\s+)?max(?:imum|\.)?(?:\s+of)?|up\s+to|at\s+most|only|capacity\s+(?:of\s+)?)\s*"
    r"(?P<n>\d{1,5})\s+(?:participants|attendees|people|persons|places|seats|spots)\b",
    re.IGNORECASE,
)
# Kinds of event in the order of precedence when two appear at the same place.
_EVENT_KIND_RES = (
    ("webinar", re.compile(r"\bwebinars?\b|\bonline\s+seminars?\b", re.IGNORECASE)),
    ("workshop", re.compile(r"\bworkshops?\b", re.IGNORECASE)),
    ("training", re.compile(r"\btrainings?\b", re.IGNORECASE)),
    ("conference", re.compile(r"\bconferences?\b|\bsymposi(?:um|a)\b", re.IGNORECASE)),
    ("webinar", re.compile(r"\bseminars?\b", re.IGNORECASE)),
)
_EVENT_NOUNS = (
    r"webinars?|seminars?|seminar-discussions?|trainings?|workshops?|courses?|conferences?|symposi(?:um|a)|"
    r"sessions?|meetings?|lectures?|talks?|discussions?|series|events?|programmes?|programs?"
)
# "Invitation to <up to ten words ending in an event noun> on/about <topic>".
# … and the other ways a headline invites: "Join (us for) our webinar series on …", "Register for
# the workshop about …", "You are invited to a training on …".
_INVITATION_RE = re.compile(
    r"^(?:(?:an?\s+)?invitation\s+to|(?:you\s+are\s+)?invited\s+to|join(?:\s+us)?(?:\s+(?:for|at|in))?|"
    r"register\s+(?:now\s+)?for|sign\s+up\s+for|come\s+to|take\s+part\s+in|participate\s+in|attend)\s+"
    rf"(?:[\w-]+\s+){{0,10}}?(?:{_EVENT_NOUNS})\s+(?:on|about)\s+"
    r"(?P<topic>(?![\d])\S.*)$",
    re.IGNORECASE,
)
# "<up to four words ending in an event noun>: <topic>" ("Hands-on workshop: counting …").
_KIND_PREFIX_RE = re.compile(
    rf"^(?:[\w-]+\s+){{0,4}}?(?:{_EVENT_NOUNS})(?:\s*:|\s+{_DASH})\s+(?P<topic>(?![\d])\S.*)$",
    re.IGNORECASE,
)
_LANGUAGE_PHRASE_RE = re.compile(
    r"\b(?:held|conducted|delivered|given|taught|run|take\s+place|takes\s+place|presented)\s+in\s+"
    r"(?P<list>[A-Z][a-z]+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+)[A-Z][a-z]+)*)"
)
_LANGUAGE_ALIASES = {"slovene": "sl", "farsi": "fa", "flemish": "nl"}
# Lead-ins before the names of the event's organisers outside parentheses.
_ORGANISER_LEAD_RE = re.compile(
    r"\b(?:(?:co-)?organi[sz]ed|hosted|run|prepared|offered|held)\s+(?:jointly\s+)?by\s+"
    r"|\b(?:together|jointly)\s+with\s+|\bin\s+(?:co-?operation|collaboration|partnership)\s+with\s+",
    re.IGNORECASE,
)
# A word of a name: a full stop only inside it ("U.S.A") or after an abbreviation of up to three
# letters ("St.", "Co."), so that "… Association. The first session" ends at "Association".
_NAME_WORD_IN_LIST = r"[A-Z](?:[\w’'&-]|\.(?=\w))*(?:(?<![\w’'&-]{4})\.)?"
_NAME_LIST_ITEM_RE = re.compile(
    rf"(?:the\s+)?(?P<name>{_NAME_WORD_IN_LIST}(?:\s+(?:(?:of|for|the|in|on|at|de|du)\s+)?{_NAME_WORD_IN_LIST})*)"
)
_NAME_LIST_SEP_RE = re.compile(r"^(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)")
# The whole clause before "together with": "The City Library of X, together with …".
_SUBJECT_BEFORE_RE = re.compile(
    rf"^\s*(?:[Tt]he\s+)?(?P<name>{_NAME_WORD_IN_LIST}(?:\s+(?:(?:of|for|the|in|on|at|de|du)\s+)?"
    rf"{_NAME_WORD_IN_LIST})*)\s*,?\s*$"
)
# The verb after a sentence's subject that makes the subject the event's organisers: "The X and
# the Y invite teachers to …".
_ORGANISER_VERB_RE = re.compile(
    r"\s+(?:(?:cordially|warmly|kindly)\s+)?(?:invites?|organi[sz]es?|hosts?|offers?|presents?|announces?|"
    r"welcomes?|runs?|holds?)\b"
)
# Keys of the facts that list the organisers ("Organisers: X, Y – the Z society of W").
_ORGANISER_FACT_RE = re.compile(r"^(?:co-?)?(?:organi[sz]ers?|organi[sz]ed\s+by|hosts?|hosted\s+by)$", re.IGNORECASE)
_FACT_LIST_SPLIT_RE = re.compile(r"\s*[,;]\s*(?:and\s+)?|\s+and\s+(?=the\s|[A-Z])")
_FACT_ITEM_GLOSS_RE = re.compile(rf"\s+{_DASH}\s+.*$|\s*\(.*$")
# Keys of the facts that may name the video platform.
_PLATFORM_FACT_RE = re.compile(r"^(?:platform|location|venue|where|online|tool|link)$", re.IGNORECASE)
_PLATFORM_STOPWORDS = frozenset("The This That Our Your Their An A Online Digital Virtual Web One Same".split())
_COUNTRY_ZONE_FILES = ("iso3166.tab", "zone.tab")


@dataclass(frozen=True)
class ParsedSession:
    """One dated session of the event a news item invites to, in the local time the text states.

    ``start``/``end`` are naive (local wall-clock time). ``zone_label`` is the abbreviation as
    written ("CET", "UTC+2"), ``utc_offset_minutes`` its offset (None: the text states no zone).
    ``time_zone`` is an IANA name only when a country the text names observes that offset on
    that date; otherwise it is "" and the writer chooses (the site's zone when its offset agrees).
    ``end`` is None when only a start time is given (the writer adds the stated duration).
    """

    start: datetime.datetime
    end: datetime.datetime | None
    zone_label: str = ""
    utc_offset_minutes: int | None = None
    time_zone: str = ""


@dataclass(frozen=True)
class _DateMention:
    """A date (or a list of days in one month) found in the prose, with its place in the text."""

    start: int
    end: int
    dates: tuple[datetime.date, ...]
    is_deadline: bool


def _parse_prose_date(fragment: str, published: datetime.date) -> datetime.date | None:
    """One date in prose, via dateparser; a date without a year is the next occurrence after the
    publication date."""
    import dateparser  # imported here: loading its language data is slow and only news needs it

    parsed = dateparser.parse(
        fragment,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": datetime.datetime.combine(published, datetime.time()),
            "REQUIRE_PARTS": ["day", "month"],
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    return parsed.date() if parsed else None


def _date_mentions(text: str, published: datetime.date) -> list[_DateMention]:
    """Every date in the text; "3, 10 and 17 March" is one mention of three dates."""
    mentions: list[_DateMention] = []
    for match in _DATE_RE.finditer(text):
        if match["iso"]:
            fragments = [match["iso"]]
        else:
            days = match["days_a"] or match["days_b"]
            month = (match["month_a"] or match["month_b"]).rstrip(".")
            year = match["year_a"] or match["year_b"] or ""
            fragments = [f"{day} {month} {year}".strip() for day in _DAY_NUMBER_RE.findall(days)]
        dates = tuple(d for d in (_parse_prose_date(f, published) for f in fragments) if d)
        if dates:
            before = text[max(0, match.start() - 120) : match.start()]
            mentions.append(_DateMention(match.start(), match.end(), dates, bool(_DEADLINE_CUE_RE.search(before))))
    return mentions


def _clock(value: str) -> datetime.time | None:
    """ "09:30", "9.30", "2 pm", "2:30 p.m." -> a time of day; None if impossible."""
    parts = _CLOCK_PARTS_RE.fullmatch(value.strip())
    if parts is None:
        return None
    hour, minute = int(parts["h"]), int(parts["m"] or 0)
    if parts["ap"]:
        hour = hour % 12 + (12 if parts["ap"].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def _zone_offset(label: str) -> int | None:
    """Minutes east of UTC of "CET", "UTC+2", "GMT-03:30", "Central European Time"."""
    label = " ".join(label.split())
    if not label:
        return None
    fixed = _UTC_OFFSET_RE.match(label)
    if fixed:
        minutes = int(fixed["h"]) * 60 + int(fixed["m"] or 0)
        return -minutes if fixed["sign"] in "-−" else minutes
    return _ZONE_OFFSETS.get(label, _ZONE_OFFSETS.get(label.lower()))


def _country_zones() -> list[tuple[str, str]]:
    """(English country name, IANA zone) for every country tzdata lists, first zone per country."""
    from importlib import resources

    try:
        folder = resources.files("tzdata").joinpath("zoneinfo")
        names_tab, zones_tab = (folder.joinpath(name).read_text("utf-8") for name in _COUNTRY_ZONE_FILES)
    except (ModuleNotFoundError, FileNotFoundError):
        return []
    names = dict(line.split("\t")[:2] for line in names_tab.splitlines() if line and not line.startswith("#"))
    zones: dict[str, str] = {}
    for line in zones_tab.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone = line.split("\t")[:3]
            zones.setdefault(code, zone)
    return [(names[code], zone) for code, zone in zones.items() if code in names]


def _zone_for_offset(text: str, start: datetime.datetime, offset: int) -> str:
    """The zone of the first country the text names that is at ``offset`` on ``start``; ""."""
    import zoneinfo

    named = []
    for country, zone in _country_zones():
        found = re.search(rf"(?<![\w-]){re.escape(country)}(?![\w-])", text)
        if found:
            named.append((found.start(), zone))
    for _position, zone in sorted(named):
        utcoffset = start.replace(tzinfo=zoneinfo.ZoneInfo(zone)).utcoffset()
        if utcoffset is not None and utcoffset.total_seconds() == offset * 60:
            return zone
    return ""


def _sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the sentence around ``position``."""
    start = 0
    for match in _SENTENCE_SPLIT_RE.finditer(text):
        if match.start() >= position:
            return start, match.start()
        start = match.end()
    return start, len(text)


def _time_for(text: str, mention: _DateMention, following: int) -> re.Match[str] | None:
    """The time stated for a date: after it (before the next date, same sentence), else before it
    in its sentence."""
    sentence_start, sentence_end = _sentence_bounds(text, mention.start)
    # Only the start of a time must lie in the range: its zone may follow a split the sentence
    # splitter made after "p.m." ("9 a.m. to 12 p.m. CEST").
    after = _TIME_RE.search(text, mention.end)
    if after and after.start() < min(following, sentence_end):
        return after
    before = [m for m in _TIME_RE.finditer(text, sentence_start) if m.start() < mention.start]
    return before[-1] if before else None


def _find_sessions(text: str, published: datetime.date) -> tuple[tuple[ParsedSession, ...], datetime.date | None]:
    """The sessions the text announces and its registration deadline.

    A date with a time is a session; a date without one takes the time of the session before it
    when its sentence reads like a list of sessions ("the second on 10 March", "at the same
    time"). Dates without any time in the text are no sessions (nothing to put in a calendar).
    """
    mentions = _date_mentions(text, published)
    deadline = next((m.dates[0] for m in mentions if m.is_deadline), None)
    sessions: list[ParsedSession] = []
    previous: re.Match[str] | None = None
    for index, mention in enumerate(mentions):
        if mention.is_deadline:
            continue
        following = mentions[index + 1].start if index + 1 < len(mentions) else len(text)
        timing = _time_for(text, mention, following)
        if timing is None:
            sentence = text[slice(*_sentence_bounds(text, mention.start))]
            if previous is None or not _SESSION_LIST_CUE_RE.search(sentence):
                continue
            timing = previous
        previous = timing
        sessions += [_session(text, day, timing) for day in mention.dates]
    unique = {(s.start, s.end): s for s in sessions if s is not None}
    return tuple(sorted(unique.values(), key=lambda s: s.start)), deadline


def _session(text: str, day: datetime.date, timing: re.Match[str]) -> ParsedSession | None:
    """A session on ``day`` at the time (range and zone) ``timing`` matched."""
    start_time = _clock(timing["start"])
    if start_time is None:
        return None
    start = datetime.datetime.combine(day, start_time)
    end_time = _clock(timing["end"]) if timing["end"] else None
    end = datetime.datetime.combine(day, end_time) if end_time else None
    if end is not None and end <= start:
        end += datetime.timedelta(days=1)  # "22:00–01:00" ends the next day
    label = " ".join((timing["zone"] or "").split())
    offset = _zone_offset(label)
    zone = _zone_for_offset(text, start, offset) if offset is not None else ""
    return ParsedSession(start=start, end=end, zone_label=label, utc_offset_minutes=offset, time_zone=zone)


def _find_capacity(text: str) -> int | None:
    """ "limited to 25 participants (per meeting)", "a maximum of 30 places" -> the number."""
    match = _CAPACITY_RE.search(text)
    return int(match["n"]) if match and int(match["n"]) > 0 else None


def _find_event_kind(title: str, body: str) -> str:
    """webinar / workshop / training / conference: the first named in the headline, else the body."""
    for text in (title, body):
        found = [(m.start(), order, kind) for order, (kind, pattern) in enumerate(_EVENT_KIND_RES)
                 if (m := pattern.search(text))]
        if found:
            return min(found)[2]
    return ""


def event_title_from_headline(headline: str) -> str:
    """The event's own title from an invitation's headline: "Invitation to a series of online
    trainings on open data", "Join our webinar series on open data", "Online training: open
    data" → "Open data". Any other headline is kept as it is."""
    headline = headline.strip()
    match = _INVITATION_RE.match(headline) or _KIND_PREFIX_RE.match(headline)
    if not match:
        return headline
    topic = match["topic"].strip().rstrip(".")
    return topic[0].upper() + topic[1:]


def _language_codes() -> dict[str, str]:
    """English language name (lower case) -> ISO 639-1 code, from Babel's CLDR data."""
    from babel import Locale

    codes = {name.lower(): code for code, name in Locale("en").languages.items() if len(code) == 2}
    return {**codes, **_LANGUAGE_ALIASES}


def _find_languages(facts: dict[str, str], body: str) -> tuple[str, ...]:
    """ISO 639-1 codes of the languages the "Language(s)" fact or a "held in X and Y" phrase names."""
    stated = next((value for key, value in facts.items() if key.lower().startswith("language")), "")
    if not stated:
        phrase = _LANGUAGE_PHRASE_RE.search(body)
        stated = phrase["list"] if phrase else ""
    codes = _language_codes()
    found: list[str] = []
    for word in _WORD_RE.findall(stated):
        code = codes.get(word.lower())
        if code and code not in found:
            found.append(code)
    return tuple(found)


def _name_list(text: str) -> list[str]:
    """The names at the start of ``text``: "the X, Y and the Z of W" -> [X, Y, Z of W]."""
    names: list[str] = []
    position = 0
    while True:
        item = _NAME_LIST_ITEM_RE.match(text, position)
        if item is None:
            return names
        names.append(item["name"].rstrip(".’'"))
        separator = _NAME_LIST_SEP_RE.match(text[item.end() :])
        if separator is None:
            return names
        position = item.end() + separator.end()


def _find_lead_organisers(body: str) -> list[str]:
    """Names after "organised by", "together with", "in cooperation with", and the subject
    before "X, together with Y, invites …"."""
    names: list[str] = []
    for lead in _ORGANISER_LEAD_RE.finditer(body):
        if not lead.group(0).lower().startswith(("organi", "co-", "hosted", "run", "prepared", "offered", "held")):
            sentence_start = _sentence_bounds(body, lead.start())[0]
            subject = _SUBJECT_BEFORE_RE.match(body[sentence_start : lead.start()])
            if subject:
                names.append(subject["name"])
        names += _name_list(body[lead.end() :])
    return names


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
        for match in _PLATFORM_WORD_RE.finditer(text):
            if match.group(1) not in _PLATFORM_STOPWORDS:
                return match.group(1)
    return ""


def _fact_organisers(facts: dict[str, str]) -> list[str]:
    """Names in an "Organisers:" fact; a gloss after a dash or in parentheses is not part of a
    name ("Slobees – the pollinator society of X" → "Slobees")."""
    names: list[str] = []
    for key, value in facts.items():
        if _ORGANISER_FACT_RE.match(key.strip()):
            items = (_FACT_ITEM_GLOSS_RE.sub("", item).strip() for item in _FACT_LIST_SPLIT_RE.split(value))
            names += [_LEADING_THE_RE.sub("", item) for item in items if item]
    return names


def _subject_organisers(body: str) -> list[str]:
    """A sentence whose subject is a list of names and whose verb invites or organises: "The X
    and the Y invite teachers to …" → [X, Y]."""
    names: list[str] = []
    for sentence in _SENTENCE_SPLIT_RE.split(body):
        sentence = _LEADING_THE_RE.sub("", sentence.strip())
        subject = _name_list(sentence)
        # A one-word subject is a name only as an acronym: "We invite", "Participants hold" are not.
        if not subject or not all(" " in name or sum(c.isupper() for c in name) >= 2 for name in subject):
            continue
        rest = sentence[sentence.find(subject[-1]) + len(subject[-1]) :]
        if _ORGANISER_VERB_RE.match(rest):
            names += subject
    return names


def _find_listed_organisations(body: str, facts: dict[str, str] | None = None) -> tuple[str, ...]:
    """The first parenthesis that lists three or more capitalised names ("… and the Society of
    X" counts: the article is dropped), then an "Organisers:" fact, then names after "organised
    by" / "together with" and the subject of "X and Y invite …"."""
    listed: list[str] = []
    for match in _LIST_PAREN_RE.finditer(body):
        items = [_LEADING_THE_RE.sub("", item.strip()) for item in _LIST_SPLIT_RE.split(match.group(1))]
        items = [item for item in items if item]
        if len(items) >= 3 and all(item[0].isupper() for item in items):
            listed = items
            break
    for name in [*_fact_organisers(facts or {}), *_find_lead_organisers(body), *_subject_organisers(body)]:
        if name.casefold() not in {item.casefold() for item in listed}:
            listed.append(name)
    return tuple(listed)


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
    for paragraph in _drop_debris(_split_paragraphs(lines[header_index + 1 :]), _is_news_debris_line):
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
    stated = "\n\n".join([body, *(f"{key}: {value}." for key, value in facts.items())])
    sessions, deadline = _find_sessions(stated, date)
    return ParsedNewsItem(
        title=title,
        category=header.group("category").strip(),
        date=date,
        body=body,
        facts=facts,
        duration_minutes=_parse_duration(facts.get("Duration", "")),
        language=facts.get("Language", ""),
        platform=_find_platform(*(v for k, v in facts.items() if _PLATFORM_FACT_RE.match(k.strip())), body),
        project=project.group(1) if project else "",
        organisations=_find_listed_organisations(body, facts),
        footnote=footnote,
        footnote_term=term.group("term") if term else "",
        footnote_expansion=term.group("expansion").strip() if term else "",
        sessions=sessions,
        registration_deadline=deadline,
        capacity=_find_capacity(stated),
        languages=_find_languages(facts, body),
        kind=_find_event_kind(title, body),
        event_title=event_title_from_headline(title),
    )


def parse_document(text: str) -> ParsedPartnersPage | ParsedNewsItem:
    """Detect the kind of document (a news item has a "Category | date" line) and parse it."""
    lines = _require_text(text)
    if _find_news_header(lines) is not None:
        return parse_news_item(text)
    return parse_partners_page(text)
