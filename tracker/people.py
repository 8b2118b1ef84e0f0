"""Speakers in the database: match an article's people to stored ones, merge, rename.

Within an article, ``resolve.py`` already turned "he" and "the Kremlin assistant" into
"Yury Ushakov". Here that name meets the people already stored:

1. an exact alias match (normalised) that belongs to exactly one person wins;
2. otherwise a fuzzy match on the full name among people sharing a name token,
   with rapidfuzz ``token_sort_ratio`` ≥ :data:`PERSON_MATCH_CUTOFF`;
3. otherwise the one person whose full name is this one spelt another way: every full
   name is also stored under its :func:`spelling_key` (an alias of kind ``spelling``), so
   "Volodymyr Zelensky" finds "Volodymyr Zelenskyy" by one indexed lookup;
4. a surname alone, seen with a role ("Prime Minister Holloway"), is the one stored person
   with that surname whose recorded role agrees (each full name's surname is stored as an
   alias of kind ``surname``, :func:`surname_key`);
5. otherwise a new person.

A surname alone that several stored people share is ambiguous and is never guessed:
it becomes its own person for an editor to merge. Editor decisions (``merge``,
``rename``) are stored as aliases of kind ``editor``, so a later ingest that meets the
old name finds the person the editor chose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from tracker.models import Claim, Person, PersonAlias, Quote, utcnow

# Spelling variants of one name ("Yury Ushakov" / "Yuri Ushakov" = 92, "Sergey Lavrov" /
# "Sergei Lavrov" = 92) score 90+, while different people sharing a surname
# ("Wang Yi" / "Wang Wenbin" = 56, "Joe Biden" / "Hunter Biden" = 73) stay far below.
# Measured on the pairs in tests/test_people.py.
PERSON_MATCH_CUTOFF = 88.0

_NON_WORD = re.compile(r"[^\w]+")


def alias_key(name: str) -> str:
    """Normalised form of a name for lookups: casefolded words joined by one space."""
    return _NON_WORD.sub(" ", name.replace("\u2019", "'").casefold()).strip()


# A romanised name ends a word in -y, -i, -iy, -yy or -ij by the transliteration scheme
# alone: "Zelenskyy" / "Zelensky" / "Zelenskiy", "Dmitry" / "Dmitri", "Navalnyy" / "Navalny".
_TRANSLIT_ENDING = re.compile(r"[iy]+j?$")
# Spelling keys start with a character alias_key never produces, so one can never equal
# the key of a real one-word name ("li na" spelt "lina" is not the person "Lina").
SPELLING_MARK = "~"


def _stem(word: str) -> str:
    stem = _TRANSLIT_ENDING.sub("", word)
    return stem if len(stem) >= 3 else word


def spelling_key(name: str) -> str | None:
    """A full name with transliteration endings and word breaks taken out, or None for a
    one-word name (a surname alone is never matched by spelling).

    Equal for "Volodymyr Zelenskyy" / "Volodymyr Zelensky", "Dmitry Peskov" / "Dmitri
    Peskov", "Xi Jinping" / "Xi Jin-ping"; different for "Mark Kelly" / "Mark Kelley",
    "Maria Garcia" / "Mario Garcia", "Chris Evans" / "Chris Evens", which a fuzzy score
    of 90+ would merge.
    """
    words = alias_key(name).split()
    if len(words) < 2:
        return None
    return SPELLING_MARK + "".join(_stem(w) for w in words)


SURNAME_MARK = "^"
# Regnal numbers after a name are not its surname either ("Henry Ford II").
_NUMERALS = frozenset({"ii", "iii", "iv"})


def surname_key(name: str) -> str | None:
    """The lookup key of a full name's surname (its last word, suffixes aside: "Martin Luther
    King Jr." is a King), or None for a one-word name: the key a surname seen alone with a
    role looks for."""
    from tracker.resolve import NAME_SUFFIXES  # (resolve is extraction: loaded on use)

    words = alias_key(name).split()
    while len(words) > 2 and (words[-1] in NAME_SUFFIXES or words[-1] in _NUMERALS or len(words[-1]) == 1):
        words.pop()
    if len(words) < 2 or len(words[-1]) < 2:
        return None
    return SURNAME_MARK + words[-1]


def alias_rows(person_id: int, alias: str, kind: str = "name") -> list[dict[str, object]]:
    """The person_aliases rows recording ``alias`` for a person: its key, and for a full
    name its spelling key and its surname's key."""
    rows: list[dict[str, object]] = []
    if key := alias_key(alias):
        rows.append({"person_id": person_id, "alias": alias, "alias_key": key, "kind": kind})
    if spelling := spelling_key(alias):
        rows.append({"person_id": person_id, "alias": alias, "alias_key": spelling, "kind": "spelling"})
    if surname := surname_key(alias):
        rows.append({"person_id": person_id, "alias": alias, "alias_key": surname, "kind": "surname"})
    return rows


# Alias kinds that are lookup keys, not names someone was called.
KEY_KINDS = ("spelling", "surname")


def roles_agree(a: str | None, b: str | None) -> bool:
    """Two recorded roles name the same job: the same head word ("Kremlin spokesman" /
    "spokesman") or head words of one synonym group (tracker/rules/role_synonyms.txt:
    "Prime Minister" / "premier"). "Russian President" and "Russian Foreign Minister"
    share a word, not a job."""
    if not a or not b:
        return False
    from tracker.resolve import role_heads

    return bool(role_heads(a) & role_heads(b))


def _by_surname_and_role(session: Session, name: str, role: str | None) -> int | None:
    """The one stored person whose surname is ``name`` (one word) and whose role agrees
    with ``role``; None without a role, or when none or several fit."""
    key = alias_key(name)
    if not role or not key or " " in key:
        return None
    holders = session.execute(
        select(Person.id, Person.role)
        .join(PersonAlias, PersonAlias.person_id == Person.id)
        .where(PersonAlias.alias_key == SURNAME_MARK + key)
        .distinct()
    ).all()
    fit = {pid for pid, prole in holders if roles_agree(role, prole)}
    return fit.pop() if len(fit) == 1 else None


class PeopleError(Exception):
    """An editor's people command that cannot be carried out."""


@dataclass(frozen=True)
class PersonSeen:
    name: str
    aliases: tuple[str, ...] = ()
    role: str | None = None


def find_person(session: Session, name: str, exact_ids: set[int] | None = None) -> Person | None:
    """The stored person a name refers to, or None when unknown or ambiguous.

    ``exact_ids``: the people already known to hold this exact alias, when the caller
    looked them up (saves the query on the ingest path).
    """
    key = alias_key(name)
    if not key:
        return None
    if exact_ids is None:
        exact_ids = set(session.scalars(select(PersonAlias.person_id).where(PersonAlias.alias_key == key)))
    if len(exact_ids) == 1:
        return session.get(Person, next(iter(exact_ids)))
    if exact_ids:
        exact = session.scalars(
            select(Person).where(Person.id.in_(exact_ids), func.lower(Person.name) == name.lower())
        )
        return exact.first()
    tokens = key.split()
    if len(tokens) < 2:
        return None
    # Candidates share the last name token (or the first, for names written family-name first).
    rows = session.execute(
        select(Person.id, Person.name)
        .join(PersonAlias)
        .where(PersonAlias.alias_key.in_([tokens[-1], tokens[0]]))
        .distinct()
    ).all()
    best, best_score = None, 0.0
    for pid, pname in rows:
        score = fuzz.token_sort_ratio(key, alias_key(pname))
        if score > best_score:
            best, best_score = pid, score
    if best is not None and best_score >= PERSON_MATCH_CUTOFF:
        return session.get(Person, best)
    # The same name spelt another way: the one person holding its spelling key. Stricter
    # than the fuzzy score, so it may look beyond the people sharing a word with the name.
    spelt = set(
        session.scalars(select(PersonAlias.person_id).where(PersonAlias.alias_key == spelling_key(name)))
    )
    return session.get(Person, spelt.pop()) if len(spelt) == 1 else None


def add_alias(session: Session, person: Person, alias: str, kind: str = "name") -> None:
    for row in alias_rows(person.id, alias, kind):
        exists = session.scalar(
            select(PersonAlias.id).where(
                PersonAlias.person_id == person.id, PersonAlias.alias_key == row["alias_key"]
            )
        )
        if exists is None:
            session.add(PersonAlias(**row))


def get_or_create(session: Session, seen: PersonSeen) -> Person:
    """The stored person for a person seen in an article; aliases and role are recorded."""
    person_id, _created = resolve_seen(session, seen)
    person = session.get(Person, person_id)
    assert person is not None
    session.refresh(person)
    return person


def resolve_seen(session: Session, seen: PersonSeen) -> tuple[int, bool]:
    """The id of the stored person for ``seen`` and whether it is new; records aliases and role.

    On the ingest path, so it uses a handful of Core statements: one lookup of every
    alias key at once, an insert of the new ones, and the fuzzy search only when no
    alias is known.
    """
    rows = {r["alias_key"]: r for a in (seen.name, *seen.aliases) for r in alias_rows(0, a)}
    keys = list(rows)
    by_key: dict[str, set[int]] = {}
    with session.no_autoflush:
        for k, pid in session.execute(
            select(PersonAlias.alias_key, PersonAlias.person_id).where(PersonAlias.alias_key.in_(keys))
        ):
            by_key.setdefault(k, set()).add(pid)
    person_id: int | None = None
    name_key = alias_key(seen.name)
    if len(by_key.get(name_key, ())) == 1:
        person_id = next(iter(by_key[name_key]))
    else:
        found = find_person(session, seen.name, by_key.get(name_key, set()))
        if found is None:
            for alias in seen.aliases:
                # a fuller variant seen in the same article may already be stored
                if (
                    len(alias_key(alias).split()) >= 2
                    and (found := find_person(session, alias, by_key.get(alias_key(alias), set())))
                    is not None
                ):
                    break
        person_id = found.id if found is not None else None
        if person_id is None and not by_key.get(name_key):
            person_id = _by_surname_and_role(session, seen.name, seen.role)
    created = person_id is None
    if person_id is None:
        person_id = session.execute(
            insert(Person).values(name=seen.name, role=seen.role, created_at=utcnow()).returning(Person.id)
        ).scalar_one()
    elif seen.role:
        set_role(session, person_id, seen.role)
    new = [{**r, "person_id": person_id} for k, r in rows.items() if person_id not in by_key.get(k, ())]
    if new:
        session.execute(insert(PersonAlias), new)
    return person_id, created


def set_role(session: Session, person_id: int, role: str) -> None:
    """Record the role a person was last seen with.

    On the ingest path: a Core statement on the table, built once and run on the
    connection (building it and the ORM's session path cost more than the UPDATE)."""
    session.connection().execute(_SET_ROLE, {"b_id": person_id, "b_role": role})


_people = Person.__table__
_SET_ROLE = (
    update(_people)
    .where(_people.c.id == bindparam("b_id"), _people.c.role.is_distinct_from(bindparam("b_role")))
    .values(role=bindparam("b_role"))
)


def person_by_name(session: Session, name: str) -> Person:
    person = session.scalar(select(Person).where(func.lower(Person.name) == name.lower()))
    if person is None:
        person = find_person(session, name)
    if person is None:
        raise PeopleError(f"no speaker named {name!r} (see 'tracker speakers')")
    return person


def merge(session: Session, keep: str, drop: str) -> Person:
    """Fold person ``drop`` into ``keep``: quotes, claims and aliases move; ``drop`` goes."""
    kept, dropped = person_by_name(session, keep), person_by_name(session, drop)
    if kept.id == dropped.id:
        raise PeopleError(f"{keep!r} and {drop!r} are already the same speaker ({kept.name})")
    from tracker.link import move_speaker  # (link builds on people, not the other way)

    session.execute(update(Quote).where(Quote.person_id == dropped.id).values(person_id=kept.id))
    move_speaker(session, dropped.id, kept.id)
    session.execute(update(Claim).where(Claim.person_id == dropped.id).values(person_id=kept.id))
    aliases = [(a.alias, a.kind) for a in dropped.aliases]
    dropped_name = dropped.name
    session.delete(dropped)  # its aliases go with it (cascade)
    session.flush()
    for alias, kind in aliases:
        add_alias(session, kept, alias, "editor" if alias == dropped_name else kind)
    if not kept.role and dropped.role:
        kept.role = dropped.role
    session.flush()
    return kept


def rename(session: Session, old: str, new: str) -> Person:
    """Give a person a new canonical name; the old one stays as an alias."""
    person = person_by_name(session, old)
    clash = session.scalar(
        select(Person).where(func.lower(Person.name) == new.lower(), Person.id != person.id)
    )
    if clash is not None:
        raise PeopleError(f"{new!r} is another speaker already; use 'tracker speakers merge'")
    previous = person.name
    person.name = new
    session.flush()
    add_alias(session, person, previous, "editor")
    add_alias(session, person, new, "editor")
    session.flush()
    return person


def seen_from_mentions(name: str, mentions: Iterable[str], role: str | None) -> PersonSeen:
    """A person seen in an article, keeping only mentions that are parts of the name.

    "Putin" and "President Vladimir Putin" are name variants of "Vladimir Putin";
    "he" and "the official" are not aliases anyone should look up.
    """
    name_tokens = set(alias_key(name).split())
    aliases = []
    for m in mentions:
        toks = alias_key(m).split()
        if toks and set(toks) <= name_tokens and m[:1].isupper():
            aliases.append(m)
    return PersonSeen(name=name, aliases=tuple(dict.fromkeys(aliases)), role=role)
