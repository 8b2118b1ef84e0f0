"""people.py: matching an article's speakers to stored people, merge and rename."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz
from sqlalchemy import select

from tracker.models import Person
from tracker.people import (
    PERSON_MATCH_CUTOFF,
    PeopleError,
    PersonSeen,
    alias_key,
    get_or_create,
    merge,
    rename,
    seen_from_mentions,
)

# Name pairs that are the same person (transliteration variants) and pairs that are not.
SAME = [
    ("Yury Ushakov", "Yuri Ushakov"),
    ("Sergey Lavrov", "Sergei Lavrov"),
    ("Volodymyr Zelenskyy", "Volodymyr Zelensky"),
    ("Dmitry Peskov", "Dmitri Peskov"),
    ("Xi Jinping", "Xi Jin-ping"),
]
DIFFERENT = [
    ("Wang Yi", "Wang Wenbin"),
    ("Joe Biden", "Hunter Biden"),
    ("Li Shangfu", "Li Qiang"),
    ("Alexander Novak", "Alexei Novak"),
    ("Vladimir Putin", "Vladimir Medinsky"),
]


def test_cutoff_separates_variants_from_different_people() -> None:
    same = [fuzz.token_sort_ratio(alias_key(a), alias_key(b)) for a, b in SAME]
    diff = [fuzz.token_sort_ratio(alias_key(a), alias_key(b)) for a, b in DIFFERENT]
    assert min(same) >= PERSON_MATCH_CUTOFF > max(diff), (same, diff)


def test_alias_key() -> None:
    assert alias_key("  Russian   President, Vladimir Putin ") == "russian president vladimir putin"
    assert alias_key("O’Brien") == alias_key("O'Brien")


def test_variants_resolve_to_one_person(session) -> None:  # type: ignore[no-untyped-def]
    a = get_or_create(session, PersonSeen("Yury Ushakov", ("Ushakov",), "Kremlin aide"))
    b = get_or_create(session, PersonSeen("Yuri Ushakov", ()))
    c = get_or_create(session, PersonSeen("Ushakov", ()))
    assert a.id == b.id == c.id
    assert a.role == "Kremlin aide"


def test_shared_surname_is_not_merged(session) -> None:  # type: ignore[no-untyped-def]
    wy = get_or_create(session, PersonSeen("Wang Yi", ("Wang",)))
    wb = get_or_create(session, PersonSeen("Wang Wenbin", ("Wang",)))
    assert wy.id != wb.id
    # "Wang" alone is now ambiguous: it is not guessed to be either of them
    w = get_or_create(session, PersonSeen("Wang", ()))
    assert w.id not in (wy.id, wb.id)


def test_merge_and_rename_are_kept_for_later_articles(session) -> None:  # type: ignore[no-untyped-def]
    get_or_create(session, PersonSeen("Vladimir Putin", ("Putin",)))
    get_or_create(session, PersonSeen("V. Putin", ()))
    merge(session, "Vladimir Putin", "V. Putin")
    assert get_or_create(session, PersonSeen("V. Putin", ())).name == "Vladimir Putin"
    rename(session, "Vladimir Putin", "Vladimir V. Putin")
    assert get_or_create(session, PersonSeen("Vladimir Putin", ())).name == "Vladimir V. Putin"
    assert session.scalars(select(Person.name)).all() == ["Vladimir V. Putin"]
    with pytest.raises(PeopleError):
        merge(session, "Vladimir V. Putin", "Putin")  # same person already
    with pytest.raises(PeopleError):
        rename(session, "Nobody Here", "X")


def test_seen_from_mentions_keeps_only_name_parts() -> None:
    seen = seen_from_mentions(
        "Yury Ushakov", ["he", "the Kremlin assistant", "Ushakov", "Yury Ushakov"], None
    )
    assert seen.aliases == ("Ushakov", "Yury Ushakov")
