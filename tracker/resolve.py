"""Within-article speaker resolution: mentions → canonical people and organisations. Pure.

Contract:

* ``people_in(text) -> list[Person]``: the people (and speaking organisations) named in an
  article, each with its canonical name, the other forms it appears under and the first role
  or title seen with it. Names inside quotations and photo captions/credit lines don't count.
* ``Resolver(text, quoted)`` is the working object the quote extractor uses: it builds the
  article's register of names once, parses speaker mentions around a reporting verb
  (``mention_before``/``mention_after``) and resolves a mention ("he", "the Kremlin assistant",
  "Ushakov", "Xi Jinpingon") to a canonical name, or None when the article does not support one.
  It never guesses: an unknown pronoun or descriptor resolves to None. ``quoted`` are the
  spans its tokens skip, from ``hidden_spans``: quotation contents, plus the marks of a quoted
  nickname inside a name ("Dwayne “The Rock” Johnson" is Dwayne Johnson).

Names are found from evidence, not from a gazetteer: a capitalised run counts as a person when
a title or role precedes it ("Kremlin aide Yury Ushakov"), an appositive follows it
("Hugh Hill, a doctor,"), or it is the subject of a reporting verb. Shorter forms and glued
typos ("Xi Jinpingon", "UkraineWang") are matched to those names afterwards.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from tracker.rules import lines as _rule_lines
from tracker.rules import load_toml
from tracker.text import dateline_end, is_byline, paragraph_spans, sentence_spans, span_index

# ---------------------------------------------------------------------------------------------
# rules


def _marked_lines(name: str, genders: dict[str, str]) -> list[str]:
    """Items of a word list whose lines may end in a gender mark ("spokeswoman =f")."""
    items: list[str] = []
    for line in _rule_lines(name):
        words = [w for w in line.split() if not w.startswith("=")]
        item = " ".join(words).lower()
        for w in line.split():
            if w in ("=f", "=m"):
                genders[item] = w[1]
        items.append(item)
    return items


def _plural(noun: str) -> str:
    """English plural of a role or organisation noun ("official" → "officials", "company" →
    "companies", "church" → "churches")."""
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    return _Rules()


class _Rules:
    """Word lists from tracker/rules, loaded once."""

    def __init__(self) -> None:
        lines = _rule_lines("reporting_verbs.txt")
        verbs = [" ".join(w for w in v.lower().split() if not w.startswith("=")) for v in lines]
        # "continued =tag": a cue for a quotation in marks only ("she continued: “…”"), never
        # for a clause without marks ("prices continued to rise after …" reports nobody)
        self.tag_only = frozenset(v for v, line in zip(verbs, lines, strict=True) if "=tag" in line.split())
        self.verbs = frozenset(v for v in verbs if " " not in v)
        self.phrasal: dict[str, frozenset[str]] = {}
        for v in verbs:
            if " " in v:
                first, second = v.split(" ", 1)
                self.phrasal[first] = self.phrasal.get(first, frozenset()) | {second}
        # title/role word → "f" or "m" where the word itself marks a sex ("Ms", "spokeswoman")
        self.genders: dict[str, str] = {}
        self.verbish = self.verbs | frozenset(self.phrasal)
        self.titles = frozenset(_marked_lines("titles.txt", self.genders))
        self.roles = frozenset(r for r in _marked_lines("roles.txt", self.genders) if " " not in r)
        # Plural heads ("officials said", "sources said"): a speaker the article leaves unnamed.
        groups: set[str] = set()
        for r in self.roles:
            groups.add(_plural(r))
        groups |= {w.lower() for w in _GROUP_WORDS}
        self.modifiers = frozenset(m.lower() for m in _rule_lines("modifiers.txt"))
        self.org_words = frozenset(o.lower() for o in _rule_lines("organisations.txt"))
        # "Unions said", "banks warned": plural organisations the article leaves unnamed
        groups |= {_plural(o) for o in self.org_words if " " not in o}
        self.groups = frozenset(groups - self.roles)
        companies = load_toml("companies.toml")
        self.company_heads = frozenset(companies["heads"])
        self.company_suffixes = frozenset(companies["suffixes"])
        self.pronouns: dict[str, str] = {}
        for line in _rule_lines("pronouns.txt"):
            form, *kinds = line.split()
            self.pronouns[form.lower()] = "".join(kinds)
        self.captions = tuple(_rule_lines("captions.txt"))
        self.caption_re = re.compile("|".join(re.escape(c) for c in self.captions))
        # trailers and link lines: only at the start of a paragraph ("Reporting by …")
        credits = _rule_lines("credit_lines.txt")
        self.credit_re = re.compile(r"[(\[]?(?:" + "|".join(re.escape(c) for c in credits) + ")")
        # given name → "f" / "m" ("Helen Ward" is a woman before any title says so)
        self.first_names: dict[str, str] = {}
        for line in _rule_lines("first_names.txt"):
            word, mark = line.split()
            self.first_names[word.lower()] = mark.lstrip("=")
        # links between a speaker's head noun and a phrase after it ("an official at the
        # ministry"), with whether the link makes the speaker anonymous ("familiar with")
        self.links: dict[tuple[str, ...], bool] = {}
        asides: list[str] = []
        for line in _rule_lines("speaker_links.txt"):
            words = tuple(w for w in line.split() if not w.startswith("="))
            if "=aside" in line.split():
                asides.append(" ".join(words))
            else:
                self.links[words] = "=anon" in line.split()
        self.link_first = frozenset(w[0] for w in self.links)
        self.asides = tuple(asides)
        self.synonyms: dict[str, int] = {}
        for gid, line in enumerate(_rule_lines("role_synonyms.txt")):
            for word in line.split():
                self.synonyms[word.lower()] = gid


# Capitalised words that open sentences or phrases but never belong to a name.
_CAP_STOP = frozenset(
    """
    the a an in on at but and or if when while as after before during since despite given however
    meanwhile also last next this that these those it he she they we i you his her its their our my
    your there here yes no thus then now so for from to of with by under over according why what who
    how where which not all some many most both each every any one two three afterwards earlier later
    today yesterday tomorrow source sources details background quote more photo file archive
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december mr mrs ms dr asked speaking writing stressing
    recently finally first second third other another such even still just only again instead
    """.split()
)
# Honorifics name no role: "Ms Jones" has no role, only a sex (titles.txt marks it).
_HONORIFICS = frozenset("mr mrs ms miss mx mme mlle madam messrs".split())
# How many speakers/subjects back a pronoun looks for one of its sex (bounded: hostile input).
_PRONOUN_LOOKBACK = 40
# Group nouns without a singular in roles.txt that report speech ("police said").
_GROUP_WORDS = frozenset(
    "people police authorities militants rebels protesters organisers organizers".split()
)
# "one" opens an anonymous descriptor ("one senior Conservative told the BBC").
_DETERMINERS = frozenset("the a an one his her its their our my your".split())
_INDEFINITE = frozenset("a an one".split())
# Quantifiers opening a plural speaker ("three sources familiar with …", "several officials").
_QUANTIFIERS = frozenset("two three four five six seven eight nine ten several some many".split())
# "one of the sources", "two of the officials": a partitive names nobody.
_PARTITIVES = frozenset("one two three some several".split())
# Tokens between a link and the reporting verb ("at the ministry of economic affairs").
_MAX_POSTMODIFIER = 8
# Links a named head takes ("John Thune of South Dakota", "Anna Berg at Leeds University");
# "in"/"with" after a name are circumstances ("Smith in a statement").
_NAME_LINKS = frozenset({("of",), ("at",), ("from",)})
# Words that end a post-modifier looking back: a clause, not a noun phrase, lies before them.
_CLAUSE_WORDS = frozenset("that who which whose whom where when while because if".split())
# A descriptor owned by someone else ("his spokesman", "Mr Johnson's lawyer") names another,
# unnamed person: it never resolves to the latest speaker, nor to the owner.
_POSSESSIVE_DETERMINERS = frozenset("his her its their our my your".split())
# Heads of descriptors that are anonymous by construction ("a Downing Street source",
# "one insider"): never resolved to a person named nearby.
_ANONYMOUS_HEADS = frozenset("source sources insider insiders person figure".split())
# Abbreviated titles written with a period ("Mr. Smith", "Sen. Warren").
_TITLE_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt adm maj st rev fr det insp supt".split()
)
# Generational suffixes: part of a name, never the name ("Martin Luther King Jr.").
NAME_SUFFIXES = frozenset("jr sr".split())
_PARTICLES = frozenset("de da van von der den del della di du la le al bin ibn ben ter ten dos das".split())
_DOCUMENT_NOUNS = frozenset("message letter statement note communique communiqué decree post".split())
# Lowercase words glued to the end of a name by copy-paste ("Xi Jinpingon", "Wangwho").
_GLUE_WORDS = frozenset(
    "on in of at to and or who which said says has had is was will would for from with by as the".split()
)
_GLUE_SUFFIXES = tuple(_GLUE_WORDS)
# Adverbs and auxiliaries that sit between a speaker and the reporting verb ("he also said",
# "Smith has repeatedly said").
_BETWEEN = frozenset(
    """also later then again further previously earlier recently had has have would will could
    once repeatedly separately subsequently additionally publicly privately simply only even""".split()
)
# Verbs that put their subject after them ("…,” said Wang Yi); "urged Moscow" is an object.
_INVERTING = frozenset(
    "said says added adds noted stressed explained concluded wrote asked replied insisted argued "
    "warned recalled continued declared announced remarked observed explained commented".split()
)
# Quote marks a sentence may open with; a sentence opening inside a quotation continues the
# speech around it.
_OPENING_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e"
# Sentences inside one quotation looked through when counting how far back a speaker is.
_MAX_QUOTED_SENTENCES = 50
# Auxiliaries and copulas: an appositive holding one is a clause, not a role.
_FINITE = frozenset("is are was were will would can could should may might must has have had".split())
# Longer capitalised runs are headings or shouting, not names.
_MAX_NAME_WORDS = 8
# rapidfuzz is skipped above this many distinct name words (a list, not an article).
_MAX_FUZZY_NAMES = 300
# Last words of places and things named after people ("Victoria Station", "Elizabeth Line"):
# a given name before them names no person.
_PLACE_HEADS = frozenset(
    """street road avenue lane square station line bridge park river valley lake island airport
    stadium arena hall centre center hospital building tower port bay county city town""".split()
)
# Letters written after a British or Commonwealth name: silk, parliament, honours ("Amelia
# Stone KC", "Jane Smith MP", "Tom Reed OBE"). Capitals only, as written.
_POSTNOMINALS = frozenset("KC QC SC MP MEP MSP MLA OBE CBE MBE DBE KBE".split())
# Heads of descriptors for a body of any kind ("the group said", "the charity said"): the
# article often names it by one word that marks nothing ("Greenpeace", "Oxfam").
_BODY_HEADS = frozenset("group organisation organization charity association".split())
_GENERIC_HEADS = frozenset(
    "official source person man woman figure spokesperson spokesman spokeswoman year-old".split()
)
# An age standing for a person ("the 45-year-old said", "said the 63-year-old"): sports,
# courts and human-interest copy refer back to someone by age; it never contradicts a role.
_AGE = re.compile(r"\d{1,3}-year-old")
# Conjunctions that open a subordinate or contrasting clause whose own subject may report speech
# ("shares fell after the company warned that …", "When Smith said …, nobody listened"). "if"
# and "unless" are left out: a condition reports nothing; "and" and "as" are left out too: "Smith
# and Jones said" is one plural subject, "as the minister said" a comment on what came before.
# Object pronouns that stand for a source after "according to" ("According to him, …"), with
# what they may refer to as in pronouns.txt. Not speakers before a verb ("her" is also a
# possessive), so they are kept out of that list.
OBJECT_PRONOUNS = {"him": "m", "her": "f", "them": "og"}
SUBORDINATORS = frozenset(
    "after before when whenever while because since although though until once whereas but".split()
)
_PREPOSITIONS = frozenset("of in on at to for with by from and or about into over than as".split())

# A token name matched through rapidfuzz.ratio counts as a misspelling of a known name token at
# or above this score. Measured on 15 misspelled/transliterated pairs (Zelenskyy/Zelensky 94.1,
# Medvedjev/Medvedev 94.1, Netanyahou 94.7; Lavorv/Lavrov only 83.3) against 20 pairs of
# different real surnames (Johnson/Johnston 93.3, Sanders/Saunders 93.3, Davis/Davies 90.9):
# 94 keeps every negative out and still catches the common transliteration variants.
MISSPELLING_CUTOFF = 94.0
# Fuzzy matching is only tried on tokens at least this long: short names differ by one letter.
MISSPELLING_MIN_LENGTH = 7

# One token a match, with the whitespace before it captured so that ``findall`` (no match
# objects) gives the offsets by adding lengths. Possessive quantifiers: nothing to backtrack.
_TOKEN = re.compile(
    r"""
    ([\s\u200b\u2060\ufeff]*+)          # zero-width spaces from web copy count as space
    ( \w++(?:[\u2019'\-.\u00ad]\w++)*+  # words, with inner apostrophes, hyphens, dots and
                                         # soft hyphens (web copy: "Pes\u00adkov")
    | \S )                               # any other single non-space character
    """,
    re.VERBOSE,
)
_CAMEL = re.compile(r"(?<=[a-z\u00e0-\u00ff])(?=[A-Z])")


class Token:
    """A word or punctuation character with its offsets; ``low`` drops a possessive "’s".

    A slotted class rather than a frozen dataclass: tokenising is the hot path. The derived
    fields depend only on the token's text and come from a bounded per-process cache.
    """

    __slots__ = ("start", "end", "text", "low", "is_word", "is_cap")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.low, self.is_word, self.is_cap = _token_info(text)

    def __repr__(self) -> str:
        return f"Token({self.start}, {self.end}, {self.text!r})"


_INFO: dict[str, tuple[str, bool, bool]] = {}
_MAX_INFO = 200_000  # distinct token texts cached (a few MB); cleared when full


def _token_info(text: str) -> tuple[str, bool, bool]:
    info = _INFO.get(text)
    if info is None:
        low = text.lower()
        if "\u00ad" in low:
            low = low.replace("\u00ad", "")  # a soft hyphen is invisible: "nego\u00adtiations"
        if low.endswith(("\u2019s", "'s")):
            low = low[:-2]
        first = text[:1]
        info = (low, first.isalnum(), first.isupper())
        if len(_INFO) >= _MAX_INFO:
            _INFO.clear()
        _INFO[text] = info
    return info


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    end = len(text) if end is None else end
    out: list[Token] = []
    append = out.append
    new = Token.__new__
    get = _INFO.get
    pos = start
    for space, word in _TOKEN.findall(text, start, end):
        pos += len(space)
        tok = new(Token)
        tok.start = pos
        pos += len(word)
        tok.end = pos
        tok.text = word
        tok.low, tok.is_word, tok.is_cap = get(word) or _token_info(word)
        append(tok)
    return out


def tokenize_outside(text: str, spans: list[tuple[int, int]]) -> list[Token]:
    """Tokens of ``text`` outside the sorted ``spans`` (tokenises only the gaps)."""
    out: list[Token] = []
    pos = 0
    for a, b in spans:
        if a > pos:
            out.extend(tokenize(text, pos, a))
        pos = max(pos, b)
    if pos < len(text):
        out.extend(tokenize(text, pos, len(text)))
    return out


def outside(tokens: list[Token], spans: list[tuple[int, int]]) -> list[Token]:
    """Tokens not starting inside any of the sorted, non-overlapping ``spans`` (one linear walk)."""
    if not spans or not tokens:
        return tokens
    out: list[Token] = []
    k = bisect.bisect_right(spans, (tokens[0].start, float("inf"))) - 1
    k = max(k, 0)
    n = len(spans)
    for t in tokens:
        while k < n and spans[k][1] <= t.start:
            k += 1
        if k < n and spans[k][0] <= t.start < spans[k][1]:
            continue
        out.append(t)
    return out


def verb_at(tokens: list[Token], i: int) -> int:
    """Number of tokens of the reporting verb starting at ``i`` (0 when there is none).

    Verbs are lowercase in running text; "States" in "the United States" is not a verb.
    """
    tok = tokens[i]
    rules = _rules()
    low = tok.low
    if low not in rules.verbish or (tok.is_cap and i > 0) or low != tok.text.lower():
        return 0  # one set lookup rejects almost every token
    if low in rules.phrasal and i + 1 < len(tokens) and tokens[i + 1].text.lower() in rules.phrasal[low]:
        return 2
    return 1 if low in rules.verbs else 0


# ---------------------------------------------------------------------------------------------
# mentions


@dataclass(frozen=True)
class Mention:
    """A speaker mention as written. ``kind``: name | pronoun | descriptor | document | group
    (a plural head, "officials": kept as written, never resolved to one person)."""

    start: int
    end: int
    text: str
    kind: str
    name: tuple[str, ...] = ()  # name tokens for kind == "name" (titles stripped, glue fixed)
    role: str | None = None  # title/role/appositive seen with this mention
    head: str | None = None  # head noun of a descriptor
    words: tuple[str, ...] = ()  # lowercased words of the mention (for role matching)
    indefinite: bool = False
    owner: str | None = None  # "Johnson" in "Mr Johnson's spokesman", "his" in "his aide"
    anonymous: bool = False  # "sources familiar with …", "an official, who asked not to be named,"


@dataclass(frozen=True)
class Person:
    """A person or organisation seen in an article (``PersonMention``-like for the pipeline)."""

    name: str
    aliases: tuple[str, ...]
    role: str | None
    kind: str = "person"  # "person" | "organisation"


def _is_name_token(tok: Token) -> bool:
    return tok.is_word and tok.is_cap and tok.low not in _CAP_STOP


def _split_role(words: list[Token]) -> tuple[list[Token], list[Token]]:
    """Split a capitalised run into (role/title words, name words): "Russian President | Vladimir Putin"."""
    rules = _rules()
    # "National Bureau of Statistics", "Federal Office for Migration": an organisation named
    # "HEAD of/for …" keeps the title-like words before its head; none of them is a role.
    org_at = -1
    for k in range(len(words) - 2):  # most runs are two or three words: a short loop
        if words[k + 1].low in ("of", "for") and words[k].low in rules.org_words and words[k + 2].is_cap:
            org_at = k
            break
    i = 0
    while i < len(words) - 1 and (
        (words[i].low.rstrip(".") in rules.titles and (org_at < 0 or i > org_at))
        or words[i].low in rules.modifiers
        or words[i].low in _CAP_STOP
    ):
        if words[i].low in rules.org_words and words[i + 1].low in ("of", "for"):
            break  # "Department of Health", "Office for National Statistics": one name
        i += 1
    # "Russia's Ministry of Defence", "Apple's Tim Cook": a possessive names the owner.
    for k in range(len(words) - 2, i - 1, -1):
        if words[k].text.endswith(("\u2019s", "'s")):
            i = k + 1
            break
    # "Bank of England Governor Andrew Bailey", "Health Secretary Wes Streeting": the name is
    # what follows the last title word, a suffix not counting ("Martin Luther King Jr.").
    n = len(words)
    while n > 1 and words[n - 1].low.rstrip(".") in NAME_SUFFIXES:
        n -= 1
    for k in range(n - 2, i - 1, -1):
        if org_at >= 0 and k <= org_at + 2:
            break  # "Office for National Statistics": the word after "for" is the name's own
        if words[k].low.rstrip(".") in rules.titles and words[k].is_cap:
            i = k + 1
            break
    return words[:i], words[i:]


def dotted(tok: Token) -> bool:
    """A word whose following period is part of it: "Mr", "Sen", "U.S", "U.N", an initial
    ("Joseph R. Biden") or a name suffix ("Jr.")."""
    return (
        tok.low in _TITLE_ABBREVIATIONS
        or tok.low in NAME_SUFFIXES
        or (tok.is_cap and ("." in tok.text and len(tok.text) <= 5 or len(tok.text) == 1 and tok.is_word))
    )


def _phrase_tokens(tokens: list[Token], lo: int, hi: int) -> tuple[int, int]:
    """Widen/limit a candidate noun phrase: tokens[lo:hi] → the maximal mention ending at hi."""
    rules = _rules()
    i = hi
    while i > lo:
        t = tokens[i - 1]
        low = t.low.rstrip(".")
        if t.text == "." and i - 2 >= lo and dotted(tokens[i - 2]):
            i -= 1  # "Mr." / "Sen." / "U.S."
            continue
        if t.low in SUBORDINATORS:
            break  # "When Smith said …", "After Acme Corp warned …": the clause opener is no name
        if t.is_word and (
            t.is_cap
            or low in rules.roles
            or low in rules.titles
            or low in rules.modifiers
            or low in rules.org_words
            or low in _PARTICLES
            or (i == hi and low in rules.groups)
        ):
            i -= 1
            continue
        if low in ("of", "for") and i - 2 >= lo and tokens[i - 2].is_cap and tokens[i].is_cap:
            i -= 1  # "Bank of England Governor …", "Ministry of Defence"
            continue
        if t.is_word and (t.low in _DETERMINERS or (t.low in _QUANTIFIERS and i < hi)):
            i -= 1  # "the official", "three sources"
            break
        if t.is_word and t.text.endswith(("\u2019s", "'s")) and i < hi:
            i -= 1  # "the airport's chief executive", "the company's founder"
            continue
        if t.is_word and t.text.islower() and "-" in t.text or (t.is_word and t.low in _ADJ_OK):
            i -= 1
            continue
        break
    return _org_compound(tokens, lo, i, hi), hi


# Lowercase nouns an organisation head takes after "the" ("the transport ministry", "the state
# statistics agency"): noun compounds no word list can enumerate, kept short so that a clause
# before the head ("the rates the bank said") is never swallowed.
_MAX_COMPOUND_NOUNS = 2


def _org_compound(tokens: list[Token], lo: int, i: int, hi: int) -> int:
    """Start of "the NOUN (NOUN) HEAD" when the phrase tokens[i:hi] ends in an organisation
    head and one or two lowercase nouns after "the" stand before it; else ``i``."""
    if i >= hi or tokens[hi - 1].low not in _rules().org_words or tokens[i].low in _DETERMINERS:
        return i
    j = i
    while (
        j > lo
        and i - j < _MAX_COMPOUND_NOUNS
        and tokens[j - 1].is_word
        and tokens[j - 1].text.islower()
        and tokens[j - 1].low not in _DETERMINERS
        and tokens[j - 1].low not in _PREPOSITIONS
        and tokens[j - 1].low not in _CAP_STOP
        and not verb_at(tokens, j - 1)
    ):
        j -= 1
    if j < i and j - 1 >= lo and tokens[j - 1].low == "the":
        return j - 1
    return i


# Lowercase modifiers allowed inside a descriptor ("a senior Russian official").
_ADJ_OK = frozenset(
    "senior top former chief deputy leading prominent local regional foreign defence defense "
    "finance economy trade interior justice health education energy military security national "
    "federal state presidential government opposition ruling new outgoing incoming acting "
    "interim veteran longtime long-time retired independent private public assistant "
    # the lowercase middles of corporate and official titles ("chief financial officer",
    # "chief operating officer", "chief medical officer", "general counsel")
    "financial operating investment medical technology technical scientific commercial "
    "marketing legal political economic executive general "
    # "the study's lead author", "the lead negotiator", "lead prosecutor Anna Kay"
    "lead "
    # "the central bank", the commonest unnamed speaker in economic copy
    "central".split()
)


def _make_mention(text: str, tokens: list[Token], lo: int, hi: int) -> Mention | None:
    """Classify tokens[lo:hi] as a pronoun, descriptor or name mention."""
    if lo >= hi:
        return None
    rules = _rules()
    if hi - lo == 1:
        # Fast path for the commonest case, a lone capitalised word ("Putin", "Gazprom"); the
        # same result as the general path below.
        t = tokens[lo]
        low = t.low.rstrip(".")
        if (
            t.is_cap
            and t.is_word
            and (low not in _CAP_STOP or _is_acronym(t.text))
            and low not in rules.titles
            and low not in rules.modifiers
            and t.low not in rules.pronouns
            and t.low not in _DETERMINERS
            and low not in _PARTICLES
            and t.low not in rules.groups
        ):
            return Mention(t.start, t.end, t.text, "name", (_clean_name(t.text),), None, low, (low,))
    toks = tokens[lo:hi]
    start, end = toks[0].start, toks[-1].end
    surface = text[start:end]
    words = tuple(t.low.rstrip(".") for t in toks if t.is_word)
    if len(toks) == 1 and toks[0].low in rules.pronouns:
        return Mention(start, end, surface, "pronoun", words=words)
    det = toks[0].low in _DETERMINERS
    body = [t for t in toks[1:] if t.is_word] if det else [t for t in toks if t.is_word]
    if not body:
        return None
    caps = [t for t in body if t.is_cap]
    # Name words are the trailing capitalised run after titles/modifiers.
    j = len(body)
    while j > 0 and (
        body[j - 1].is_cap
        or body[j - 1].low in _PARTICLES
        or (body[j - 1].low in ("of", "for") and j >= 2 and body[j - 2].low in rules.org_words)
    ):
        j -= 1
    run = body[j:]
    while len(run) >= 3 and run[-1].text in _POSTNOMINALS:
        run = run[:-1]  # "Amelia Stone KC", "Jane Smith MP": letters after the name are not it
    role_words, name_words = _split_role(run) if run else ([], [])
    if (
        name_words
        and (
            name_words[-1].low in rules.titles
            or (
                name_words[-1].low in rules.modifiers
                # "UN", "EU" are modifiers; "Un" of "Kim Jong Un" is a name
                and (len(name_words[-1].low) > 2 or name_words[-1].text.isupper())
                # … before a role ("a UN official"); alone ("said the EU", "NATO said") an
                # acronym names the body itself
                and not (len(name_words) == len(body) == 1 and _is_acronym(name_words[0].text))
            )
            or name_words[-1].low in rules.groups  # "Senate Republicans", "Tories"
        )
        and not any(w.low in rules.org_words for w in name_words)  # "Ministry of Defence"
    ) or (len(name_words) == 1 and name_words[0].low in rules.groups):  # "Police said", "Unions"
        name_words = []
    head = body[-1].low.rstrip(".")
    role_part = [t for t in body[:j] + role_words if t.low.rstrip(".") not in _HONORIFICS]
    role = text[role_part[0].start : role_part[-1].end] if role_part else None
    org_body = body[1:] if body and body[0].text.endswith(("'s", "\u2019s")) else body
    whole_org = " ".join(t.low for t in org_body) in rules.org_words  # "White House", "Downing Street"
    if len(org_body) >= 2 and all(t.is_cap for t in org_body) and (head in rules.org_words or whole_org):
        # A proper organisation name: "the Russian Foreign Ministry", "the U.S. State
        # Department", "the European Commission" are named whole, adjectives and all
        # ("China's Commerce Ministry" without the possessive). Words come from the text,
        # so "U.S." keeps the full stop the tokeniser split off.
        names = tuple(text[org_body[0].start : end].split())
        return Mention(start, end, surface, "name", names, None, head, words)
    if name_words and not (det and len(caps) == len(body) and head in rules.org_words):
        names = tuple(_clean_name(n.text) for n in name_words)
        if all(n.lower() in _CAP_STOP and not _is_acronym(n) for n in names):
            return None
        m_start = toks[0].start if not det else toks[0].start
        return Mention(m_start, end, text[m_start:end], "name", names, role, head, words)
    if head in _DOCUMENT_NOUNS:
        return Mention(start, end, surface, "document", head=head, words=words)
    if det and len(body) == 1 and _AGE.fullmatch(head):
        indefinite = toks[0].low in _INDEFINITE  # "a 45-year-old said" names nobody yet
        return Mention(start, end, surface, "descriptor", head="year-old", words=words, indefinite=indefinite)
    if head in rules.groups and not (
        det and toks[0].low != "the" and toks[0].low not in _POSSESSIVE_DETERMINERS
    ):
        # "officials", "the authorities", "her critics", "his lawyers"; not "a officials"
        owner = toks[0].low if toks[0].low in _POSSESSIVE_DETERMINERS else None
        return Mention(start, end, surface, "group", head=head, words=words, owner=owner)
    base = head.rsplit("-", 1)[-1]  # "the co-author", "the vice-president": a prefixed role
    if head in rules.roles or head in rules.org_words or head in rules.titles or base in rules.roles:
        indefinite = toks[0].low in _INDEFINITE
        owner = toks[0].low if toks[0].low in _POSSESSIVE_DETERMINERS else None
        for t in body[:-1]:
            if t.is_cap and t.text.endswith(("\u2019s", "'s")):
                owner = t.low  # "Mr Johnson's spokesman", "the Kremlin's spokesman"
        return Mention(
            start,
            end,
            surface,
            "descriptor",
            role=None,
            head=head,
            words=words,
            indefinite=indefinite,
            owner=owner,
        )
    return None


# An acronym is 2-6 capitals ("WHO", "ECB", "IMF"); it names an organisation even when it
# spells a stop word, and may stand for one named in full earlier.
_ACRONYM_LENGTH = (2, 6)
# Words an acronym leaves out ("Office for National Statistics" is ONS).
_ACRONYM_SKIPS = frozenset("of for and the on in".split())


def _is_acronym(word: str) -> bool:
    return _ACRONYM_LENGTH[0] <= len(word) <= _ACRONYM_LENGTH[1] and word.isalpha() and word.isupper()


# Words of a company's stock around its name ("shares in Unilever", "Apple stock", "a stake in Arm").
_STOCK_WORDS = frozenset("shares stock stocks stake".split())


# A company reporting its results ("Apple on Thursday reported quarterly revenue of …").
_RESULT_VERBS = frozenset("reported reports posted posts".split())
_RESULT_NOUNS = frozenset("revenue revenues sales profit profits earnings loss losses income results".split())
_DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Heads of an appositive that make the name before it a company ("Tesco, Britain's biggest
# supermarket,"), beside companies.toml's heads.
_COMPANY_APPOSITIVES = frozenset("supermarket grocer bank miner producer maker exporter".split())


def _traded(toks: list[Token], lo: int, j: int) -> bool:
    """True when the name tokens[lo:j] is a company by its stock: "Shares in Unilever", "shares
    of Apple", "a stake in Arm", "Unilever shares", "Nvidia's stock"; by its results: "Apple on
    Thursday reported quarterly revenue of …"; or by an appositive: "Tesco, Britain's biggest
    supermarket, said". From business copy, where a company is often named this way before
    "the company said"."""
    if lo >= 2 and toks[lo - 1].low in ("in", "of") and toks[lo - 2].low in _STOCK_WORDS:
        return True
    n = len(toks)
    if j < n and toks[j].low in _STOCK_WORDS and toks[j].text.islower():
        return True
    if j < n and toks[j - 1].text.endswith(("'s", "\u2019s")) and _corporate_officer(toks, j):
        return True  # "Unilever's chief financial officer", "Shell's CFO": a company's officer
    k = j + 2 if j + 1 < n and toks[j].low == "on" and toks[j + 1].low in _DAYS else j
    if k < n and toks[k].low in _RESULT_VERBS and any(t.low in _RESULT_NOUNS for t in toks[k + 1 : k + 5]):
        return True
    if j < n and toks[j].text == ",":
        close = next((i for i in range(j + 1, min(n, j + 8)) if toks[i].text in ",;."), None)
        if close is not None and close > j + 1:
            head = toks[close - 1].low
            return head in _COMPANY_APPOSITIVES or head in _rules().company_heads
    return False


# Officers only a company has ("Unilever's chief financial officer, Fernando Fernandez,"):
# a possessive before one names a company. "chief executive" is left out: Hong Kong has one.
_CORPORATE_OFFICERS = frozenset("ceo cfo coo".split())
_CORPORATE_CHIEFS = frozenset("financial operating".split())


def _corporate_officer(toks: list[Token], j: int) -> bool:
    t = toks[j]
    if t.low in _CORPORATE_OFFICERS:
        return True
    return t.low == "chief" and j + 1 < len(toks) and toks[j + 1].low in _CORPORATE_CHIEFS


def _clean_name(word: str) -> str:
    word = word.replace("\u00ad", "")
    if word.endswith(("\u2019s", "'s")):
        word = word[:-2]
    # "Putin." loses the sentence's full stop; "U.S." and "A.Yu." keep their own.
    return word if "." in word[:-1] else word.rstrip(".")


def mention_before(text: str, tokens: list[Token], v: int, floor: int = 0) -> Mention | None:
    """The speaker mention ending just before the verb at token ``v`` ("Kosachev said",
    "Konstantin Kosachev, deputy chairman of the Council, said", "he also said")."""
    i = v
    while i > floor and tokens[i - 1].low in _BETWEEN:
        i -= 1
    if (
        i - 3 > floor
        and tokens[i - 1].text == ")"
        and tokens[i - 3].text == "("
        and _is_acronym(tokens[i - 2].text)
    ):
        i -= 3  # "The Office for Budget Responsibility (OBR) forecast": the acronym in brackets
    if i <= floor:
        return None
    if _adverb_aside(tokens, floor, i):
        # "Acme's founder, Tom Hale, however, said" / "John Smith, too, said": the subject is
        # what stands before the aside
        return mention_before(text, tokens, i - 2, floor) or mention_before(text, tokens, i - 3, floor)
    prev = tokens[i - 1]
    if prev.low in _rules().pronouns and prev.is_word:
        return _make_mention(text, tokens, i - 1, i)
    if prev.text == ",":
        # Appositive: "NAME, a doctor, said" / "NAME, who ..., said".
        k = i - 2
        limit = max(floor, i - 25)
        while (
            k > limit
            and tokens[k].text not in ',;:"“”()'
            and (tokens[k].text != "." or dotted(tokens[k - 1]))
        ):
            k -= 1  # "Its author, Dr. Hannah Lee, said": the title's period is not a sentence end
        if k > floor and tokens[k].text == ",":
            lo, hi = _phrase_tokens(tokens, floor, k)
            m = _make_mention(text, tokens, lo, hi)
            inner = _make_mention(text, tokens, k + 1, i - 1)
            if inner is not None and inner.kind == "name" and i - k > 4:
                # "The study's lead author, Dr Priya Nair of the University of Edinburgh, said"
                inner = _wider(_postmodified(text, tokens, k + 1, i - 1), inner)
            # "An official at the ministry, who asked not to be named, said"; "The head of the
            # port authority, Jan Peeters, said".
            m = _wider(_postmodified(text, tokens, floor, k), m)
            if m is not None and m.kind in ("descriptor", "group") and _is_aside(text, tokens, k + 1, i - 1):
                # "An official at the ministry, who asked not to be named, said"
                return _anonymous(m)
            if m is not None and m.kind == "descriptor" and inner is not None and inner.kind == "name":
                # "The Russian President, Vladimir Putin, said": the appositive is the name; the
                # mention as written spans both.
                role = _appositive_role(m.text) or inner.role
                surface = text[m.start : inner.end]
                return Mention(
                    m.start, inner.end, surface, "name", inner.name, role, inner.head, m.words + inner.words
                )
            if m is not None and m.kind in ("name", "descriptor"):
                appos = text[tokens[k + 1].start : tokens[i - 2].end]
                return _with_role(m, _appositive_role(appos)) if m.kind == "name" else m
            if m is None and inner is not None and inner.kind == "name":
                # "The new party treasurer, Simon Hart, said": a role noun the lists lack. The
                # name between the commas is the speaker only when the phrase before it looks
                # like a role: a few words opening with "the" at the start of the clause.
                role = _role_phrase(tokens, floor, k)
                if role is not None:
                    return _with_role(inner, text[role[0] : role[1]])
        return None
    lo, hi = _phrase_tokens(tokens, floor, i)
    return _wider(_postmodified(text, tokens, floor, i), _make_mention(text, tokens, lo, hi))


def _adverb_aside(tokens: list[Token], floor: int, i: int) -> bool:
    """True when tokens[i-3:i] are ", ADVERB ," ("however", "too", "meanwhile"): one lowercase
    word between commas that is not a role noun (", spokesman," would be an appositive)."""
    if i - 3 <= floor or tokens[i - 1].text != "," or tokens[i - 3].text != ",":
        return False
    t = tokens[i - 2]
    return t.is_word and t.text.islower() and t.low not in _rules().roles and not verb_at(tokens, i - 2)


def _wider(ext: Mention | None, m: Mention | None) -> Mention | None:
    """The post-modified mention when it reaches as far left as the plain one: "an official at
    the ministry" over "the ministry", "John Thune | of South Dakota" over a capitalised run."""
    if ext is not None and (m is None or ext.start <= m.start):
        return ext
    return m


def _anonymous(m: Mention) -> Mention:
    return replace(m, anonymous=True)


def _is_aside(text: str, tokens: list[Token], a: int, b: int) -> bool:
    """True when tokens[a:b] ("who asked not to be named") say the speaker is kept anonymous."""
    if a >= b:
        return False
    aside = text[tokens[a].start : tokens[b - 1].end].lower()
    return any(p in aside for p in _rules().asides)


def _postmodified(text: str, tokens: list[Token], floor: int, hi: int) -> Mention | None:
    """A speaker with a phrase after its head, ending at token ``hi``: "an official at the
    ministry", "three sources familiar with the discussion", "one of the sources", "John Thune
    of South Dakota". The widest such mention (its head a descriptor, a group, or a name with
    of/at/from), or None. Links marked anonymous in speaker_links.txt, and partitives, make the
    mention anonymous."""
    rules = _rules()
    lo_bound = max(floor, hi - _MAX_POSTMODIFIER)
    if not any(tokens[x].low in rules.link_first for x in range(lo_bound, hi)):
        return None  # the usual case: no link word right before the verb
    best: Mention | None = None
    j = hi - 1
    while j > floor and hi - j <= _MAX_POSTMODIFIER:
        t = tokens[j]
        if not t.is_word or t.low in _CLAUSE_WORDS or verb_at(tokens, j):
            break
        for size in (4, 3, 2, 1):
            link = tuple(x.low for x in tokens[j : j + size])
            if j + size >= hi or link not in rules.links or not tokens[j].text.islower():
                continue
            before, after = tokens[j - 1], tokens[j + size]
            if before.is_cap and after.is_cap and before.low in _rules().titles | rules.org_words:
                break  # "Secretary of State Marco Rubio", "Ministry of Defence": one capitalised name
            found = _postmodifier_head(text, tokens, floor, j, link)
            if found is not None and found[0].kind == "name" and _titled_run(tokens, j + size, hi):
                found = None  # "Secretary | of State Marco Rubio": the title belongs to the name after
            if found is not None:
                head, partitive = found
                end = tokens[hi - 1].end
                words = head.words + tuple(x.low for x in tokens[j:hi] if x.is_word)
                anon = rules.links[link] or partitive or head.anonymous
                best = replace(
                    head,
                    end=end,
                    text=text[head.start : end],
                    words=words,
                    indefinite=head.indefinite or partitive,
                    anonymous=anon,
                )
            break
        j -= 1
    return best


def _titled_run(tokens: list[Token], a: int, b: int) -> bool:
    """A bare capitalised phrase holding a title ("England Governor Andrew Bailey"): the name
    of someone else, not a phrase about the head ("the Federal Reserve" opens with "the")."""
    if a >= b or tokens[a].low in _DETERMINERS:
        return False
    titles = _rules().titles
    return any(t.is_cap and t.low.rstrip(".") in titles for t in tokens[a:b])


def _postmodifier_head(
    text: str, tokens: list[Token], floor: int, j: int, link: tuple[str, ...]
) -> tuple[Mention, bool] | None:
    """The head before the link at token ``j`` and whether it is a partitive ("one of")."""
    if link == ("of",) and j - 1 >= floor and tokens[j - 1].low in _PARTITIVES:
        p = tokens[j - 1]
        if j - 1 == floor or not tokens[j - 2].is_word or tokens[j - 2].low in _DETERMINERS:
            return Mention(p.start, p.end, p.text, "descriptor", head=p.low, words=(p.low,)), True
    lo, _ = _phrase_tokens(tokens, floor, j)
    if lo >= j:
        return None
    head = _make_mention(text, tokens, lo, j)
    if head is None:
        return None
    if head.kind in ("descriptor", "group"):
        return head, False
    if head.kind == "name" and link in _NAME_LINKS and len(head.name) >= 2 and not _org_like(head.name):
        # a person's full name, not "Bank | of England Governor Andrew Bailey"
        return head, False
    return None


def _role_phrase(tokens: list[Token], floor: int, k: int) -> tuple[int, int] | None:
    """Offsets of "new party treasurer" in "[floor] The new party treasurer [k]," — a short
    noun phrase opening with "the" at ``floor`` or after a comma, with no verb or function word
    in it; None otherwise."""
    lo = k - 1
    while lo > floor and k - lo <= _MAX_ROLE_WORDS and tokens[lo - 1].is_word:
        if tokens[lo - 1].low == "the":
            break
        lo -= 1
    if lo - 1 < floor or tokens[lo - 1].low != "the" or lo >= k:
        return None
    if lo - 1 > floor and tokens[lo - 2].text != ",":
        return None
    words = tokens[lo:k]
    for x, t in enumerate(words):
        if t.low in _CAP_STOP or t.low in _PREPOSITIONS or verb_at(tokens, lo + x):
            return None
    return words[0].start, words[-1].end


# Words in a role phrase that opens a sentence ("The new party treasurer, …").
_MAX_ROLE_WORDS = 5


# Nouns of published numbers: "official data" and "customs figures" are sources no one speaks.
_DATA_NOUNS = frozenset("data figures statistics estimates".split())
# Nouns whose possessive may open a descriptor after "the" ("the country's health ministry").
_OWNER_NOUNS = frozenset("country nation state city region province government company".split())


def _data_noun_at(tokens: list[Token], k: int, i: int) -> int | None:
    """Index of a data noun ending the lowercase words from tokens[k] ("official data",
    "customs figures", "the latest data"), at most two words after tokens[i]; None if none."""
    if any(t.is_cap for t in tokens[k:i]):
        return None
    for d in range(i, min(len(tokens), i + 3)):
        t = tokens[d]
        if not (t.is_word and t.text.islower()):
            return None
        if t.low in _DATA_NOUNS:
            return d
    return None


def _noun_before_head(tokens: list[Token], i: int, rules: _Rules) -> bool:
    """Whether tokens[i] is a lowercase noun modifying an organisation or role head at most two
    words on ("statistics" in "the statistics agency", "disaster management agency")."""
    n = len(tokens)
    for x in range(i, min(n, i + 3)):
        t = tokens[x]
        if not (t.is_word and t.text.islower() and t.text.isalpha()):
            return False
        if x > i and (t.low in rules.org_words or t.low in rules.roles):
            return True
    return False


def mention_after(text: str, tokens: list[Token], k: int) -> Mention | None:
    """The speaker mention starting at token ``k`` after an inverted verb ("said Wang Yi, who",
    "stressed the Kremlin assistant", "said Hugh Hill, a doctor")."""
    rules = _rules()
    n = len(tokens)
    i = k
    if i < n and tokens[i].low in rules.pronouns and tokens[i].is_word:
        return _make_mention(text, tokens, i, i + 1)
    if i < n and (tokens[i].low in _DETERMINERS or tokens[i].low in _QUANTIFIERS):
        i += 1  # "the ministry", "two people familiar with …"
    while i < n and i - k < 8:
        t = tokens[i]
        low = t.low.rstrip(".")
        if t.is_word and (
            t.is_cap
            or low in rules.roles
            or low in rules.titles
            or low in rules.modifiers
            or low in _ADJ_OK
            or low in rules.org_words
            or low in rules.groups
            or (t.is_word and "-" in low and low.rsplit("-", 1)[-1] in rules.roles)  # "co-author"
            or (i == k + 1 and _AGE.fullmatch(low) is not None)  # "said the 63-year-old"
        ):
            i += 1
        elif (
            low in ("of", "for")
            and i > k
            and tokens[i - 1].is_cap
            and (tokens[i - 1].low in rules.org_words or tokens[i - 1].low.rstrip(".") in rules.titles)
            and i + 1 < n
            and tokens[i + 1].is_cap
        ):  # "Bank of England", "Secretary of State"; not "John Thune of South Dakota"
            i += 1
        elif t.text == "." and i > k and dotted(tokens[i - 1]) and i + 1 < n and tokens[i + 1].is_cap:
            i += 1
        elif t.is_word and low in _PARTICLES and i + 1 < n and tokens[i + 1].is_cap:
            i += 1
        elif _noun_before_head(tokens, i, rules):
            i += 1  # "the statistics agency", "the disaster management agency"
        elif i == k + 1 and tokens[k].low == "the" and low.rstrip("s").rstrip("'’") in _OWNER_NOUNS:
            i += 1  # "the country's disaster management agency", "the city's mayor"
        elif (
            low == "of"
            and i > k
            and tokens[i - 1].low in rules.roles
            and i + 1 < n
            and (tokens[i + 1].is_cap or tokens[i + 1].low in _ADJ_OK or tokens[i + 1].low == "the")
        ):
            i += 2 if tokens[i + 1].low != "the" else 3
        else:
            break
    if i < n and tokens[i].low in _DOCUMENT_NOUNS and tokens[i - 1].low in _DETERMINERS:
        i += 1  # "indicates the message published by the Kremlin"
    elif (d := _data_noun_at(tokens, k, i)) is not None:
        # "according to official data", "according to customs figures": numbers, not a speaker
        # (with a name, "LSEG data", the name is the source)
        a, b = tokens[k].start, tokens[d].end
        words = tuple(t.low for t in tokens[k : d + 1] if t.is_word)
        return Mention(a, b, text[a:b], "descriptor", head=tokens[d].low, words=words, anonymous=True)
    m = _make_mention(text, tokens, k, i)
    if m is not None and m.kind == "descriptor" and i + 2 < n and tokens[i].text == ",":
        named = _named_appositive(text, tokens, i, m)
        if named is not None:
            return named  # "said the spokeswoman, Laura Kent, when asked …"
    if m is not None and m.kind in ("descriptor", "group") and i < n:
        m = _linked_after(text, tokens, i, m)
    if m is not None and m.kind == "document" and i + 1 < n:
        # "according to a statement from the ministry", "a letter signed by …": the source is
        # who issued the document ("the message published by the Kremlin" may be Putin's)
        j = i + 1 if tokens[i].low in ("issued", "released", "signed") else i
        if j + 1 < n and tokens[j].low in ("from", "by"):
            src = mention_after(text, tokens, j + 1)
            if src is not None and src.kind in ("name", "descriptor", "group"):
                return src
    if m is not None and m.kind == "name" and i + 1 < n and tokens[i].text == ",":
        # "said Hugh Hill, a doctor at the clinic."
        j = i + 1
        while j < n and j - i < 20 and tokens[j].text not in ',.;:"“”()':
            j += 1
        if any(tokens[x].low in _FINITE and tokens[x].text.islower() for x in range(i + 1, j)):
            return m  # "According to Dmitry Peskov, the talks will take place …": a clause
        if tokens[i + 1].low in _INDEFINITE or tokens[i + 1].low == "the" or tokens[i + 1].low in rules.roles:
            return _with_role(m, _appositive_role(text[tokens[i + 1].start : tokens[j - 1].end]))
    return m


def _named_appositive(text: str, tokens: list[Token], i: int, m: Mention) -> Mention | None:
    """ "the spokeswoman, Laura Kent," after an inverted verb: the name between the comma at
    token ``i`` and the next comma or full stop is the speaker, the descriptor its role (as
    "The Russian President, Vladimir Putin, said" before a verb; "a spokesman, John Lee," too).
    Only a role head: "the ministry, Reuters …" names no one."""
    rules = _rules()
    if m.owner is not None or not (m.head in rules.roles or m.head in rules.titles):
        return None
    n = len(tokens)
    j = i + 1
    while j < n and j - i <= _MAX_NAME_WORDS and (tokens[j].is_cap or tokens[j].low in _PARTICLES):
        j += 1
    if j == i + 1 or (j < n and tokens[j].text not in ",.;"):
        return None
    inner = _make_mention(text, tokens, i + 1, j)
    if inner is None or inner.kind != "name":
        return None
    role = _appositive_role(m.text) or inner.role
    return Mention(
        m.start,
        inner.end,
        text[m.start : inner.end],
        "name",
        inner.name,
        role,
        inner.head,
        m.words + inner.words,
    )


def _linked_after(text: str, tokens: list[Token], i: int, m: Mention) -> Mention:
    """``m`` widened over a link phrase starting at token ``i`` ("according to two people |
    familiar with its thinking", "a source | close to the talks"), anonymous when the link says
    so (speaker_links.txt); ``m`` unchanged when no link follows."""
    rules = _rules()
    for size in (4, 3, 2, 1):
        link = tuple(t.low for t in tokens[i : i + size])
        if len(link) == size and link in rules.links and rules.links[link]:
            j = i + size
            while j < len(tokens) and j - i < _MAX_POSTMODIFIER and tokens[j].is_word:
                j += 1
            end = tokens[j - 1].end
            return replace(m, end=end, text=text[m.start : end], anonymous=True)
    return m


# Participles opening an appositive that names or places someone ("Tyson Fury, known to fans as
# …", "Ali, born in Cairo,"): a circumstance, not a role.
_NAMING_WORDS = frozenset("known nicknamed dubbed called named born aged".split())


def _appositive_role(appos: str) -> str | None:
    """Role from an appositive: "a doctor" → "doctor"; relative clauses ("who …") are not roles."""
    words = appos.split()
    if not words or words[0].lower() in ("who", "which", "whose", "whom", "where", "when"):
        return None
    first = words[0]
    if first.isdigit():
        return None  # "Mark Dawson, 41, admitted": an age, not a role
    if first.islower() and (first.endswith("ing") or first in _PREPOSITIONS or first in _NAMING_WORDS):
        return None  # "Janet Yellen, speaking in Brussels, said": circumstance, not a role
    if len(words) == 1 and first.islower() and first.rstrip(".") not in _rules().roles:
        return None  # "Warren, however, argued", "Smith, too, said": an adverb, not a role
    if words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    role = " ".join(words)
    # "Minister of Defence and a member of the State Council" → the first role only.
    for sep in (" and a ", " and an ", " and the ", " and also "):
        cut = role.find(sep)
        if cut > 0:
            role = role[:cut]
    return role.strip(" ,") or None


def _with_role(m: Mention, role: str | None) -> Mention:
    if not role:
        return m
    return Mention(
        m.start, m.end, m.text, m.kind, m.name, role, m.head, m.words, m.indefinite, m.owner, m.anonymous
    )


# ---------------------------------------------------------------------------------------------
# quoted names inside a name or a phrase

# A quoted nickname is short and written as a name ("The Rock", "Gypsy King", "Iron Lady").
_MAX_NICKNAME_WORDS = 4
# Small words a nickname keeps lowercase ("Sultan of Swing").
_NICKNAME_JOINERS = frozenset("of the and de la von van".split())
# The words before a quoted nickname that name it as one ("known to fans as the", "dubbed").
_NAMING_BEFORE = re.compile(
    r"""\b(?: nicknamed | dubbed | called | aka | a\.k\.a\. | alias
           | known (?: \s+ \w+ ){0,3} \s+ as )
        (?: \s+ (?: the | a | an ) )? \s* $""",
    re.VERBOSE | re.IGNORECASE,
)
# A capitalised word right before an opening mark, and one right after a closing mark:
# "Dwayne “The Rock” Johnson", "Earvin 'Magic' Johnson".
_NAME_WORD_BEFORE = re.compile(r"(?:^|\s)(?P<word>[A-Z][\w.'\u2019\-]*)\s+$")
_NAME_WORD_AFTER = re.compile(r"\s+[A-Z]")
# Characters looked at around the marks (a name word, or "known to fans as the").
_NICKNAME_CONTEXT = 40


def embedded_name(text: str, open_at: int, close_at: int | None, start: int, end: int) -> bool:
    """True for a quoted nickname inside a name ("Dwayne “The Rock” Johnson") or after a naming
    phrase ("known to fans as the “Gypsy King”, said"): a name written in marks, never a
    quotation, whose marks must not cut the speaker's name or appositive in two."""
    if close_at is None:
        return False
    words = text[start:end].rstrip(",;").split()
    if not words or len(words) > _MAX_NICKNAME_WORDS or words[-1][-1:] in ".!?\u2026":
        return False
    if not words[0][:1].isupper() or any(
        not w[:1].isupper() and w.lower() not in _NICKNAME_JOINERS for w in words
    ):
        return False
    before = text[max(0, open_at - _NICKNAME_CONTEXT) : open_at]
    if _NAMING_BEFORE.search(before):
        return True
    word = _NAME_WORD_BEFORE.search(before)
    return (
        word is not None
        and word["word"].lower() not in _CAP_STOP
        and _NAME_WORD_AFTER.match(text, close_at + 1) is not None
    )


def hidden_spans(text: str, pairs: list[tuple[int, int | None, int, int]]) -> list[tuple[int, int]]:
    """Spans the resolver's tokens skip, from (open, close, start, end) quote-mark pairs: every
    quotation's content, and for an embedded nickname its marks as well, so that "Dwayne “The
    Rock” Johnson" reads as one name. A comma typed inside the closing mark ("the “Gypsy
    King,” said") stays visible: it still closes the appositive."""
    out: list[tuple[int, int]] = []
    for open_at, close_at, start, end in pairs:
        if close_at is not None and embedded_name(text, open_at, close_at, start, end):
            inner = len(text[start:end].rstrip(",;"))
            out.append((open_at, start + inner))
            if start + inner < end:
                out.append((close_at, close_at + 1))
            else:
                out[-1] = (open_at, close_at + 1)
        else:
            out.append((start, end))
    return out


# ---------------------------------------------------------------------------------------------
# the article's register of names


@dataclass
class _Entity:
    name: tuple[str, ...]
    kind: str  # person | organisation
    forms: set[str] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)
    role_keys: set[str] = field(default_factory=set)
    first: int = 0
    evidence: bool = False
    in_body: bool = False  # seen outside captions
    gender: str = ""  # "f" / "m" once a title, role or pronoun told it; "" unknown
    titled: bool = False  # the sex comes from a title or role word, not from a pronoun
    company: bool = False  # its shares trade ("Shares in Unilever rose"): "the company" may be it

    @property
    def canonical(self) -> str:
        # A middle initial keeps its period: "John F. Kennedy", as he is written.
        return " ".join(
            f"{w}." if len(w) == 1 and w.isupper() and 0 < i < len(self.name) - 1 else w
            for i, w in enumerate(self.name)
        )


def _role_keys(words: list[str] | tuple[str, ...]) -> set[str]:
    """Words, bigrams and "x_of_y" trigrams of a role, mapped through the synonym groups."""
    syn = _rules().synonyms
    ws = [w.lower().strip(".,") for w in words if w]
    keys: set[str] = set()
    grams = list(ws)
    grams += [f"{a}_{b}" for a, b in zip(ws, ws[1:], strict=False)]
    grams += [f"{a}_{b}_{c}" for a, b, c in zip(ws, ws[1:], ws[2:], strict=False)]
    for g in grams:
        keys.add(g)
        if g in syn:
            keys.add(f"#{syn[g]}")
    return keys


def role_heads(role: str) -> set[str]:
    """A role's head ("spokesman" of "Kremlin spokesman", "chairman" of "deputy chairman
    of the Federation Council", "prime_minister" and "minister" of "Prime Minister") and
    their synonym groups: two roles sharing one name the same job."""
    ws = [w for w in (w.lower().strip(".,") for w in role.split()) if w]
    if "of" in ws[1:]:
        ws = ws[: ws.index("of", 1)]
    if not ws:
        return set()
    heads = {ws[-1]} | ({f"{ws[-2]}_{ws[-1]}"} if len(ws) > 1 else set())
    syn = _rules().synonyms
    return heads | {f"#{syn[h]}" for h in heads if h in syn}


def _descriptor_role(m: Mention) -> str | None:
    """The role a definite descriptor gives the person it names, when the article names no
    other: "The prime minister pledged …" after "Holloway told lawmakers" makes Holloway the
    prime minister. Ages ("the 45-year-old"), owned ("her lawyer") and indefinite phrases
    give none."""
    rules = _rules()
    head = (m.head or "").rstrip(".")
    if m.indefinite or m.owner is not None or not (head in rules.roles or head in rules.titles):
        return None
    words = m.text.split()
    if words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    return " ".join(words) or None


def _gender_of(m: Mention) -> str:
    """ "f"/"m" when a title or role word of the mention tells the sex ("Ms", "spokeswoman")."""
    genders = _rules().genders
    names = {w.lower() for w in m.name}
    words = [w for w in m.words if w not in names]
    if m.role:
        words += [w.lower().strip(".,") for w in m.role.split()]
    for w in words:
        g = genders.get(w)
        if g:
            return g
    return ""


def _lower(words: tuple[str, ...]) -> set[str]:
    return {w.lower().rstrip(".") for w in words}


def _org_like(words: tuple[str, ...]) -> bool:
    org = _rules().org_words
    low = [w.lower() for w in words]
    return any(w in org for w in low) or " ".join(low) in org


class Resolver:
    """Register of names for one article, plus salience for pronouns and descriptors."""

    def __init__(self, text: str, quoted: list[tuple[int, int]]) -> None:
        self.text = text
        self.quoted = sorted(quoted)
        self.paras = paragraph_spans(text)
        self.sentences = sentence_spans(text)
        self.caption_paras = {i for i, (a, b) in enumerate(self.paras) if self._is_caption(a, b)}
        self.entities: list[_Entity] = []
        self._by_name: dict[tuple[str, ...], _Entity] = {}
        # timeline of (position, entity, weight): weight 2 = speaker, 1 = sentence subject
        self.timeline: list[tuple[int, _Entity, int]] = []
        self._mentions: list[tuple[int, _Entity]] = []
        self.name_mentions: list[tuple[Mention, _Entity]] = []  # outside captions, in order
        self._sentence_tokens: list[list[Token]] = []
        self._known: set[str] = set()  # every word of every registered name
        self._by_word: dict[str, list[_Entity]] = {}
        self._positions: dict[int, list[int]] = {}  # id(entity) → sorted mention offsets
        self._unglued: dict[str, list[str]] = {}
        # a bare surname two named people share ("Smith disagreed"), with those people
        self._ambiguous: list[tuple[int, list[_Entity]]] = []
        self._traded: set[tuple[str, ...]] = set()  # lowercased names whose shares are mentioned
        # One tokenisation of the whole text, quotation contents left out: every window the
        # extractor looks at is a slice of this list.
        # Wire datelines ("WASHINGTON (Reuters) -") are left out the same way: never a speaker,
        # never part of a reported clause.
        skip = self.quoted
        datelines = [(a, e) for a, _ in self.paras if (e := dateline_end(text, a)) > a]
        if datelines:
            skip = sorted(self.quoted + datelines)
        self.tokens = tokenize_outside(text, skip)
        self._starts = [t.start for t in self.tokens]
        self._build()

    def window(self, a: int, b: int) -> list[Token]:
        """Tokens outside quotations starting in [a, b)."""
        return self.tokens[bisect.bisect_left(self._starts, a) : bisect.bisect_left(self._starts, b)]

    # -- article structure ----------------------------------------------------------------

    def _is_caption(self, a: int, b: int) -> bool:
        para = self.text[a:b]
        # A dateline's agency is no photo credit: "MOSCOW, January 15. /TASS/. Trade …"
        body = self.text[dateline_end(self.text, a) : b]
        rules = _rules()
        return (
            rules.caption_re.search(body) is not None
            or rules.credit_re.match(para) is not None
            or is_byline(self.text, a, b)
        )

    def in_caption(self, pos: int) -> bool:
        return bool(self.caption_paras) and span_index(self.paras, pos) in self.caption_paras

    def in_quote(self, pos: int) -> bool:
        i = span_index(self.quoted, pos)
        return i >= 0 and self.quoted[i][0] <= pos < self.quoted[i][1]

    def sentence_tokens(self, s: int) -> list[Token]:
        """Tokens of sentence ``s`` outside quotations (names quoted are never speakers)."""
        return self._sentence_tokens[s]

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        text = self.text
        runs: list[tuple[Mention, bool, bool]] = []  # mention, has evidence, in caption
        for a, b in self.sentences:
            toks = self.window(a, b)
            self._sentence_tokens.append(toks)
            caption = self.in_caption(a)
            i = 0
            n = len(toks)
            titles = _rules().titles
            while i < n:
                t = toks[i]
                if not t.is_cap or (
                    not (t.is_word and t.low not in _CAP_STOP) and t.low.rstrip(".") not in titles
                ):
                    i += 1
                    continue
                j = i
                while j < n and (
                    (toks[j].is_word and toks[j].is_cap)
                    or (
                        toks[j].low in _PARTICLES
                        and j + 1 < n
                        and (
                            toks[j + 1].is_cap
                            or (toks[j + 1].low in _PARTICLES and j + 2 < n and toks[j + 2].is_cap)
                        )
                    )
                    or (
                        toks[j].low in ("of", "for")
                        and j > i
                        and (toks[j - 1].low in _rules().org_words or toks[j - 1].low in _rules().titles)
                        and j + 1 < n
                        and toks[j + 1].is_cap
                    )
                    or (
                        toks[j].text == "."
                        and j > i
                        and dotted(toks[j - 1])
                        and j + 1 < n
                        and toks[j + 1].is_cap
                    )
                ):
                    j += 1
                if j - i > _MAX_NAME_WORDS:
                    i = j  # a heading or a shouting line, not a name
                    continue
                lo = i
                # role words before the run: "Kremlin aide Yury Ushakov", "the Russian President, …"
                while (
                    lo > 0
                    and toks[lo - 1].is_word
                    and (
                        toks[lo - 1].low in _rules().roles
                        or toks[lo - 1].low in _ADJ_OK
                        or (lo < i and toks[lo - 1].low in _rules().modifiers)
                        or (lo < i and toks[lo - 1].is_cap and toks[lo - 1].low not in _CAP_STOP)
                    )
                ):
                    lo -= 1
                m = _make_mention(text, toks, lo, j)
                if m is not None and m.kind == "name":
                    m = self._fix_appositive(toks, j, m)
                    ev = self._evidence(toks, lo, j, m)
                    if _traded(toks, lo, j):
                        ev = True  # "Shares in Unilever rose", "Unilever shares fell": a company
                        self._traded.add(tuple(w.lower() for w in m.name))
                    runs.append((m, ev, caption))
                i = max(j, i + 1)
        # Pass 1: names with evidence (and every multi-word name) become entities.
        for m, ev, cap in runs:
            if ev or len(m.name) >= 2:
                self._register(m, ev, cap)
        # Pass 2: fix glued typos against known name words, then record every mention.
        found: dict[tuple[str, ...], _Entity] = {}  # a name repeats: look it up once
        for m, ev, cap in runs:
            ent = found.get(m.name)
            if ent is None:
                ent = self._entity_for(m.name)
                if ent is None and ev:
                    ent = self._register(m, ev, cap)
                    found.clear()  # a new entity can change what a short name means
                if ent is not None:
                    found[m.name] = ent
            if ent is None:
                if not cap and len(m.name) == 1:
                    shared = self._candidates(m.name)
                    if len(shared) > 1:
                        self._ambiguous.append((m.start, shared))
                continue
            if m.role and m.role not in ent.roles:
                ent.roles.append(m.role)
                ent.role_keys |= _role_keys(m.role.split())
            if not ent.titled:
                g = _gender_of(m)
                if g:
                    ent.gender, ent.titled = g, True
            ent.forms.add(m.text if m.text[:1].isupper() else m.text)
            if not cap:
                ent.in_body = True
                self._mentions.append((m.start, ent))
                self.name_mentions.append((m, ent))
                self._positions.setdefault(id(ent), []).append(m.start)
        self._mentions.sort(key=lambda x: x[0])
        self.name_mentions.sort(key=lambda x: x[0].start)
        first_names = _rules().first_names
        for e in self.entities:
            if e.kind == "person" and e.evidence and _org_like(e.name):
                e.kind = "organisation"
            if tuple(w.lower() for w in e.name) in self._traded:
                e.kind, e.company = "organisation", True
            if e.kind == "person" and not e.titled and len(e.name) >= 2:
                # A given name tells the sex as a title does ("Helen Ward", "Wes Streeting").
                g = first_names.get(e.name[0].lower(), "")
                if g:
                    e.gender, e.titled = g, True

    def _fix_appositive(self, toks: list[Token], j: int, m: Mention) -> Mention:
        """Record "Li Shangfu, Minister of Defence and …" / "Kosachev, deputy chairman of …"."""
        n = len(toks)
        lo = bisect.bisect_left([t.start for t in toks[max(0, j - 12) : j]], m.start) + max(0, j - 12)
        if lo >= 1 and toks[lo - 1].low in _DETERMINERS:
            lo -= 1
        if lo >= 2 and toks[lo - 2].low == "according" and toks[lo - 1].low == "to":
            return m  # "According to the Ministry of Defence, the drills ended": a clause follows
        if j + 1 < n and toks[j].text == ",":
            k = j + 1
            while k < n and k - j < 20 and toks[k].text not in ',.;:()"“”':
                k += 1
            if k > j + 1 and not any(verb_at(toks, x) for x in range(j + 1, k)):
                # ("China, the Kremlin said": a clause, not an appositive)
                first = toks[j + 1]
                head = first.low.rsplit("-", 1)[-1]  # "vice-president", "co-founder"
                looks_role = (
                    first.low in _INDEFINITE
                    or first.low == "the"
                    or head in _rules().roles
                    or first.low in _ADJ_OK
                    or head.rstrip(".") in _rules().titles
                )
                if looks_role:
                    role = _appositive_role(self.text[first.start : toks[k - 1].end])
                    if role and not m.role:
                        return _with_role(m, role)
        return m

    def _evidence(self, toks: list[Token], lo: int, j: int, m: Mention) -> bool:
        if m.role or not _HONORIFICS.isdisjoint(m.words):
            return True
        n = len(toks)
        if j + 2 < n and toks[j].text == "," and toks[j + 1].text.isdigit() and toks[j + 2].text == ",":
            return True  # "Okonkwo, 61, has watched": an age is given for people only
        if lo >= 2 and toks[lo - 1].text == "," and toks[lo - 2].low in _rules().roles and j < n:
            if toks[j].text == ",":
                return True  # "Her husband, David, runs", "The health secretary, Sajid Javid, told"
        if j < n and verb_at(toks, j):
            return True
        k = j
        while k < n and toks[k].low in _BETWEEN:
            k += 1
        if k < n and verb_at(toks, k):
            return True
        if lo > 0 and verb_at(toks, lo - 1) and toks[lo - 1].low in _INVERTING:
            return True
        by = lo - 2 if lo >= 2 and toks[lo - 1].low in _DETERMINERS else lo - 1
        if by >= 1 and toks[by].low == "by" and verb_at(toks, by - 1):
            return True  # the agent of a passive: "it was announced by the Kremlin that …"
        if j + 1 < n and toks[j].text == "," and toks[j + 1].low in ("who", "whose"):
            return True
        return self._named_subject(toks, lo, j, m)

    @staticmethod
    def _named_subject(toks: list[Token], lo: int, j: int, m: Mention) -> bool:
        """A full name opening a clause with a known given name ("Maria Lopez and her husband …
        lost their home", "Erling Haaland was substituted"): a person, as a title would show.
        Places named after people ("Victoria Station was closed") are left out by their head."""
        if len(m.name) < 2 or m.name[0].lower() not in _rules().first_names:
            return False
        if lo > 0 and toks[lo - 1].text not in ",;:":
            return False
        if j >= len(toks) or not (toks[j].is_word and toks[j].text.islower()):
            return False
        return m.name[-1].lower() not in _PLACE_HEADS and not _org_like(m.name)

    def _register(self, m: Mention, ev: bool, cap: bool) -> _Entity | None:
        name = self._canonical_tokens(m.name)
        ent = self._by_name.get(tuple(w.lower() for w in name))
        if ent is None:
            # A longer form of an existing single-word entity ("Putin" → "Vladimir Putin").
            if len(name) > 1:
                for w in {name[0].lower(), name[-1].lower()}:
                    single = self._by_name.get((w,))
                    if single is not None and len(single.name) == 1:
                        self._by_name.pop((w,), None)
                        single.name = name
                        self._by_name[tuple(x.lower() for x in name)] = single
                        self._index(single)
                        ent = single
                        break
        if ent is None:
            if len(name) == 1:
                expanded = self._expansion(name[0]) if _is_acronym(name[0]) else None
                if expanded is not None:
                    expanded.evidence = expanded.evidence or ev
                    return expanded  # "The ECB added" after "the European Central Bank said"
                if len(self._candidates(name)) > 1:
                    return None  # "Ms Smith" when Sarah and Robert Smith are both named
                found = self._entity_for(name)
                if found is not None:
                    found.evidence = found.evidence or ev  # "Okonkwo, 61," after "Margaret Okonkwo"
                    return found
            ent = _Entity(name, "organisation" if _org_like(name) else "person", first=m.start)
            self.entities.append(ent)
            self._by_name[tuple(w.lower() for w in name)] = ent
            self._index(ent)
        ent.evidence = ent.evidence or ev
        return ent

    def _canonical_tokens(self, name: tuple[str, ...]) -> tuple[str, ...]:
        known = self._known
        if all(w in known for w in name):
            return name  # the usual case: every word already belongs to a registered name
        fixed: list[str] = []
        for w in name:
            fixed.extend(self._unglue(w))
        return tuple(fixed) if fixed else name

    def _index(self, ent: _Entity) -> None:
        for w in ent.name:
            self._known.add(w)
            bucket = self._by_word.setdefault(w.lower(), [])
            if ent not in bucket:
                bucket.append(ent)
        self._unglued.clear()  # new name words can change how a glued word splits

    def _unglue(self, word: str) -> list[str]:
        cached = self._unglued.get(word)
        if cached is None:
            cached = self._unglued[word] = self._unglue_uncached(word)
        return cached

    def _unglue_uncached(self, word: str) -> list[str]:
        known = self._known
        if word in known:
            return [word]
        parts = _CAMEL.split(word)
        if len(parts) > 1 and parts[-1] in known:
            return [parts[-1]]  # "UkraineWang": the glued left part is the end of a sentence
        if word.endswith(_GLUE_SUFFIXES):
            for glue in _GLUE_WORDS:
                if word.endswith(glue) and word[: -len(glue)] in known:
                    return [word[: -len(glue)]]  # "Xi Jinpingon", "Wangwho"
        if len(word) >= MISSPELLING_MIN_LENGTH and len(known) <= _MAX_FUZZY_NAMES:
            from rapidfuzz import fuzz, process

            best = process.extractOne(word, known, scorer=fuzz.ratio, score_cutoff=MISSPELLING_CUTOFF)
            if best is not None and best[0][:2] == word[:2]:
                return [best[0]]
        return [word]

    def _last_before(self, ents: list[_Entity], pos: int) -> _Entity | None:
        best: tuple[int, _Entity] | None = None
        for e in ents:
            ps = self._positions.get(id(e), [])
            i = bisect.bisect_left(ps, pos) - 1
            if i >= 0 and (best is None or ps[i] > best[0]):
                best = (ps[i], e)
        return best[1] if best else None

    def _candidates(self, name: tuple[str, ...]) -> list[_Entity]:
        key = tuple(w.lower() for w in self._canonical_tokens(name))
        if not key:
            return []
        return [e for e in self._by_word.get(key[0], []) if self._matches(e, key)]

    def _entity_for(self, name: tuple[str, ...], pos: int | None = None, sex: str = "") -> _Entity | None:
        """The entity a name (possibly one word, possibly glued) refers to.

        Two people sharing the word ("Sarah Smith", "Robert Smith"): "Ms Smith" takes the one of
        that sex; a bare "Smith" with nothing to tell them apart stays unresolved (None), since
        a wrong speaker costs more than a missing one.
        """
        if not name:
            return None
        name = self._canonical_tokens(name)
        key = tuple(w.lower() for w in name)
        if key in self._by_name:
            return self._by_name[key]
        cands = [e for e in self._by_word.get(key[0], []) if self._matches(e, key)]
        if len(cands) <= 1:
            return cands[0] if cands else None
        if pos is None:
            return None
        if sex:
            same = [e for e in cands if e.gender == sex]
            # "Ms Smith": the one of that sex, else the only one not known to be of the other
            cands = same or [e for e in cands if not e.gender]
        return cands[0] if len(cands) == 1 else None

    @staticmethod
    def _matches(e: _Entity, key: tuple[str, ...]) -> bool:
        low = tuple(w.lower() for w in e.name)
        if len(key) == 1:
            return key[0] in (low[0], low[-1])
        return len(key) < len(low) and (low[-len(key) :] == key or low[: len(key)] == key)

    # -- resolving ----------------------------------------------------------------------------

    def note(self, pos: int, canonical: str | None, weight: int) -> None:
        """Record that ``canonical`` spoke (weight 2) or was a sentence subject (1) at ``pos``."""
        if canonical is None:
            return
        ent = self._by_name.get(tuple(canonical.lower().split()))
        if ent is None or self.in_caption(pos):
            return
        if weight == 1 and not ent.evidence:
            return  # a capitalised run nobody introduced as a person ("Moscow Already Kiev")
        bisect.insort(self.timeline, (pos, ent, weight), key=lambda x: x[0])

    def latest(self, pos: int) -> tuple[int, _Entity] | None:
        """The latest speaker or subject recorded before ``pos``."""
        i = bisect.bisect_left(self.timeline, pos, key=lambda x: x[0]) - 1
        return (self.timeline[i][0], self.timeline[i][1]) if i >= 0 else None

    def _shared_subject(self, pos: int) -> list[_Entity] | None:
        """People behind an ambiguous bare surname in this or the previous sentence, when no
        speaker or subject was recorded after it."""
        i = bisect.bisect_left(self._ambiguous, pos, key=lambda x: x[0]) - 1
        if i < 0:
            return None
        at, shared = self._ambiguous[i]
        if span_index(self.sentences, pos) - span_index(self.sentences, at) > 1:
            return None
        latest = self.latest(pos)
        if latest is not None and latest[0] > at:
            return None
        return shared

    def _salient(self, pos: int, kinds: str) -> _Entity | None:
        """The latest speaker or sentence subject before ``pos`` compatible with ``kinds``.

        "she"/"he" skip people known to be of the other sex (a title such as "Ms" or
        "spokeswoman", or the other pronoun used for them before) and prefer the latest person
        whose title or role shows their sex; with no such evidence they take the latest person
        not excluded. A sex known only from an earlier pronoun excludes but does not attract:
        news switches between two men with "he" all the time.
        """
        want_org = "o" in kinds
        want_person = "m" in kinds or "f" in kinds or "p" in kinds
        sex = kinds if kinds in ("m", "f") else ""
        i = bisect.bisect_left(self.timeline, pos, key=lambda x: x[0]) - 1
        unmarked: _Entity | None = None
        stop = max(-1, i - _PRONOUN_LOOKBACK)
        here = span_index(self.sentences, pos)
        while i > stop:
            at, e = self.timeline[i][0], self.timeline[i][1]
            i -= 1
            if e.kind == "organisation" and want_org:
                return e
            if e.kind == "person" and want_person:
                if not sex or (e.gender == sex and e.titled):
                    return e
                if e.gender in ("", sex) and unmarked is None:
                    if self._sentences_apart(span_index(self.sentences, at), here) <= 1 and (
                        sex == "m" or not self._marked_in_paragraph(pos, sex, e)
                    ):
                        # "he" and the speaker or subject of this or the previous sentence: "The
                        # health secretary, Sajid Javid, told MPs … He said" beats a "Sir Graham"
                        # named further back. "she" only when no woman titled or named as one
                        # appears earlier in the paragraph: in political copy a person of unmarked
                        # sex is usually a man ("Streeting met Emma Runswick, the BMA chairwoman.
                        # “…,” Streeting said. “…,” she said"), but a woman titled paragraphs
                        # back is not the one meant.
                        return e
                    unmarked = e
        if sex:
            # A person titled with that sex named recently ("Emma Runswick, the BMA chairwoman")
            # beats a latest speaker whose sex is unknown.
            i = bisect.bisect_left(self._mentions, pos, key=lambda x: x[0]) - 1
            stop = max(-1, i - _PRONOUN_LOOKBACK)
            while i > stop:
                e = self._mentions[i][1]
                i -= 1
                if e.kind == "person" and e.titled and e.gender == sex and e.evidence:
                    return e
        if unmarked is not None:
            return unmarked
        # Nothing spoke yet: a lone candidate in the article so far is unambiguous (a lone one
        # of the right sex among several is too).
        fits: dict[int, _Entity] = {}
        i = bisect.bisect_left(self._mentions, pos, key=lambda x: x[0]) - 1
        while i >= 0 and len(fits) <= _PRONOUN_LOOKBACK:
            e = self._mentions[i][1]
            if (e.kind == "organisation" and want_org) or (e.kind == "person" and want_person and e.evidence):
                if not (sex and e.gender and e.gender != sex):
                    fits[id(e)] = e
            i -= 1
        if len(fits) == 1:
            return next(iter(fits.values()))
        marked = [e for e in fits.values() if sex and e.gender == sex]
        return marked[0] if len(marked) == 1 else None

    def _sentences_apart(self, a: int, b: int) -> int:
        """Sentences from sentence ``a`` to ``b``, not counting those that open inside a
        quotation: a quotation of three sentences and its "he said" are one step, not three.
        Stops counting at 2 (callers ask "this or the previous sentence")."""
        n = 0
        for s in range(b, a, -1):
            if b - s > _MAX_QUOTED_SENTENCES:
                return 2
            start = self.sentences[s][0]
            while start < self.sentences[s][1] and self.text[start] in _OPENING_MARKS:
                start += 1
            if not self.in_quote(start):
                n += 1
                if n >= 2:
                    return n
        return n

    def _marked_in_paragraph(self, pos: int, sex: str, other: _Entity) -> bool:
        """A person of ``sex`` shown by a title, role or given name, other than ``other``,
        named earlier in the paragraph of ``pos``."""
        para = span_index(self.paras, pos)
        lo = self.paras[para][0] if para >= 0 else 0
        i = bisect.bisect_left(self._mentions, pos, key=lambda x: x[0]) - 1
        stop = max(-1, i - _PRONOUN_LOOKBACK)
        while i > stop and self._mentions[i][0] >= lo:
            e = self._mentions[i][1]
            i -= 1
            if e is not other and e.kind == "person" and e.titled and e.gender == sex and e.evidence:
                return True
        return False

    def resolve(self, m: Mention, pos: int | None = None) -> tuple[str | None, str | None]:
        """(canonical name, role) for a mention at ``pos``; (None, None) when unsupported."""
        pos = m.start if pos is None else pos
        ent: _Entity | None = None
        if m.anonymous and m.kind != "name":
            return None, None  # "sources familiar with …", "an official, who asked not to be named,"
        if m.kind == "name":
            sex = _gender_of(m)
            ent = self._entity_for(m.name, pos, sex)
            if ent is None and len(self._candidates(m.name)) > 1:
                return None, None  # a surname two people share, nothing to tell them apart
            if ent is not None and sex and not ent.gender:
                ent.gender, ent.titled = sex, True
            if ent is None and len(m.name) == 1 and _is_acronym(m.name[0]):
                ent = self._expansion(m.name[0])  # "The WHO added" after "the World Health Organization"
            if ent is None:
                # A name seen only here ("…,” said Smith.") is its own canonical form.
                name = self._canonical_tokens(m.name)
                return " ".join(name), m.role
        elif m.kind == "pronoun":
            kinds = _rules().pronouns.get(m.text.lower()) or OBJECT_PRONOUNS.get(m.text.lower(), "")
            shared = self._shared_subject(pos)
            if shared is not None:
                # "Smith disagreed. “…,” she said": the pronoun picks among the people sharing
                # the surname by sex, or stays unresolved
                fit = [e for e in shared if kinds in ("m", "f") and e.gender == kinds]
                ent = fit[0] if len(fit) == 1 else None
                return (ent.canonical, ent.roles[0] if ent.roles else None) if ent else (None, None)
            ent = self._salient(pos, kinds)
            if ent is None and kinds == "o":
                ent = self._unmarked_speaker(pos)  # "Oxfam said …. “…,” it added"
            if ent is not None and ent.kind == "person" and not ent.gender and kinds in ("m", "f"):
                ent.gender = kinds  # "she said" settles the sex for later pronouns
        elif m.kind == "document":
            ent = self._salient(pos, "p")
        elif m.kind == "descriptor":
            ent = self._resolve_descriptor(m, pos)
        if ent is None:
            return None, None
        if m.kind == "name" and m.role:
            if m.role not in ent.roles:
                ent.roles.append(m.role)  # "the prime minister, Keir Starmer, said"
                ent.role_keys |= _role_keys(m.role.split())
            return ent.canonical, m.role
        role = ent.roles[0] if ent.roles else None
        if role is None and m.kind == "descriptor" and ent.kind == "person":
            role = _descriptor_role(m)
        return ent.canonical, role

    def _expansion(self, acronym: str) -> _Entity | None:
        """The one organisation named in the article whose initials spell ``acronym``
        ("World Health Organization" for "WHO", "European Central Bank" for "ECB")."""
        found = [
            e
            for e in self.entities
            if e.kind == "organisation"
            and "".join(w[0] for w in e.name if w.lower() not in _ACRONYM_SKIPS).upper() == acronym
        ]
        return found[0] if len(found) == 1 else None

    def _resolve_descriptor(self, m: Mention, pos: int) -> _Entity | None:
        rules = _rules()
        head = m.head or ""
        if head in rules.org_words and head not in rules.roles:
            orgs = [e for e in self._by_word.get(head, []) if e.kind == "organisation"]
            if not orgs and head in rules.company_heads:
                # "Toyota Motor Corp said …; the automaker said": the latest company named
                orgs = [
                    e
                    for e in self.entities
                    if e.kind == "organisation"
                    and (e.company or not rules.company_suffixes.isdisjoint(_lower(e.name)))
                ]
            found = self._last_before(orgs, max(pos, m.end))
            body = head in _BODY_HEADS or head in rules.company_heads
            if found is None and body and not m.indefinite and m.owner is None:
                # "Thames Water said …. “…,” the utility said": named by words that mark nothing
                found = self._unmarked_speaker(pos, whole=True)
            return found
        if m.indefinite:
            if head in _ANONYMOUS_HEADS or m.words[:1] == ("one",):
                return None  # "one senior Conservative", "a Downing Street source"
            return self._cataphor(pos)
        keys = _role_keys(m.words)
        head_keys = _role_keys([head])
        if m.owner is not None:
            # "Mr Johnson's spokesman" is not Mr Johnson, nor the latest speaker: only a person
            # recorded with that owner in their role ("Kremlin spokesman Dmitry Peskov").
            if m.owner in _POSSESSIVE_DETERMINERS:
                return None
            owned = [
                e
                for e in self.entities
                if e.kind == "person" and head_keys & e.role_keys and m.owner in e.role_keys
            ]
            return self._last_before(owned, pos)
        scored: list[tuple[int, int, _Entity]] = []
        for e in self.entities:
            if e.kind != "person" or not (head_keys & e.role_keys):
                continue
            ps = self._positions.get(id(e), [])
            i = bisect.bisect_left(ps, pos) - 1
            if i >= 0:
                scored.append((len(keys & e.role_keys), ps[i], e))
        if scored:
            scored.sort(key=lambda x: (x[0], x[1]))
            return scored[-1][2]
        # No recorded role matches: a definite descriptor ("the official", "the Chinese foreign
        # minister") is the latest speaker whose recorded role does not contradict it.
        i = bisect.bisect_left(self.timeline, pos, key=lambda x: x[0]) - 1
        while i >= 0:
            e = self.timeline[i][1]
            i -= 1
            if e.kind != "person":
                continue
            agrees = not e.role_keys or e.role_keys & head_keys or self._role_agrees(e, keys)
            return e if head in _GENERIC_HEADS or agrees else None
        return None

    def _unmarked_speaker(self, pos: int, whole: bool = False) -> _Entity | None:
        """The latest speaker before ``pos`` when it may be a body named by one word with nothing
        marking a person ("Greenpeace said …. “…,” the group said"): an organisation, or a
        one-word name with no title, role or sex, which then becomes an organisation. With
        ``whole`` (a descriptor that says it is a body: "the utility"), a longer name not
        opening with a given name counts too ("Thames Water"). A latest speaker who is plainly
        a person gives None."""
        i = bisect.bisect_left(self.timeline, pos, key=lambda x: x[0]) - 1
        while i >= 0:
            _, e, weight = self.timeline[i]
            i -= 1
            if weight < 2:
                continue
            if e.kind == "organisation":
                return e
            short = len(e.name) == 1 or (whole and e.name[0].lower() not in _rules().first_names)
            if short and not e.titled and not e.roles and not e.gender:
                e.kind = "organisation"
                return e
            return None
        return None

    @staticmethod
    def _role_agrees(e: _Entity, keys: set[str]) -> bool:
        synonyms = {k for k in keys if k.startswith("#")}
        return bool(synonyms & e.role_keys)

    def _cataphor(self, pos: int) -> _Entity | None:
        """ "a senior Russian official said …" — the named person with a role in the next sentence."""
        s = span_index(self.sentences, pos)
        if s < 0:
            return None
        end = self.sentences[min(s + 1, len(self.sentences) - 1)][1]
        i = bisect.bisect_right(self._mentions, pos, key=lambda x: x[0])
        while i < len(self._mentions) and self._mentions[i][0] < end:
            at, e = self._mentions[i]
            if e.kind == "person" and e.roles and self._speaks_after(at):
                return e
            i += 1
        return None

    def _speaks_after(self, pos: int) -> bool:
        """True when a reporting verb follows ``pos`` in its sentence: the person named there
        goes on to speak ("Maros Sefcovic, vice-president of the Commission, said …"), not
        merely to appear ("Antony Blinken is due in Cairo"), which names no unnamed source."""
        s = span_index(self.sentences, pos)
        toks = self._sentence_tokens[s] if s >= 0 else []
        return any(t.start > pos and verb_at(toks, k) for k, t in enumerate(toks))

    def people(self) -> list[Person]:
        out: list[Person] = []
        for e in sorted(self.entities, key=lambda e: e.first):
            if not e.in_body or not e.evidence:
                continue
            aliases = tuple(sorted(f for f in e.forms if f != e.canonical))
            out.append(Person(e.canonical, aliases, e.roles[0] if e.roles else None, e.kind))
        return out


def people_in(text: str) -> list[Person]:
    """People and organisations named in ``text`` (outside quotations and captions), in order of
    first appearance, with the forms they appear under and the first role seen."""
    from tracker.text import pair_quote_marks

    pairs, _ = pair_quote_marks(text)
    return Resolver(text, hidden_spans(text, [(p.open, p.close, p.start, p.end) for p in pairs])).people()
