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
    roles_agree,
    seen_from_mentions,
    spelling_key,
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


@pytest.mark.parametrize(
    ("stored", "seen"),
    [
        ("Volodymyr Zelenskyy", "Volodymyr Zelensky"),  # no article used "Zelensky" alone
        ("Volodymyr Zelensky", "Volodymyr Zelenskiy"),
        ("Dmitry Peskov", "Dmitri Peskov"),
        ("Alexei Navalny", "Alexei Navalnyy"),
        ("Xi Jinping", "Xi Jin-ping"),
    ],
)
def test_spelling_variants_of_a_full_name_are_one_person(session, stored: str, seen: str) -> None:  # type: ignore[no-untyped-def]
    a = get_or_create(session, PersonSeen(stored, (), "official"))
    b = get_or_create(session, PersonSeen(seen, ()))
    assert b.id == a.id and b.name == stored
    # the new spelling is recorded, so the next article finds it by its own key
    assert alias_key(seen) in {x.alias_key for x in b.aliases}


@pytest.mark.parametrize(
    ("stored", "seen"),
    [
        ("Mark Kelly", "Mark Kelley"),  # fuzzy 95: a different senator's surname
        ("Maria Garcia", "Mario Garcia"),  # fuzzy 92
        ("Chris Evans", "Chris Evens"),  # fuzzy 91
        ("Zelensky", "Volodymyr Zelensky"),  # a surname alone is never matched by spelling
    ],
)
def test_similar_names_of_different_people_stay_apart(session, stored: str, seen: str) -> None:  # type: ignore[no-untyped-def]
    a = get_or_create(session, PersonSeen(stored, ()))
    b = get_or_create(session, PersonSeen(seen, ()))
    assert a.id != b.id


def test_spelling_key() -> None:
    assert spelling_key("Volodymyr Zelenskyy") == spelling_key("Volodymyr  zelensky") == "~volodymyrzelensk"
    assert spelling_key("Xi Jinping") == spelling_key("Xi Jin-ping")
    assert spelling_key("Yi") is None  # one word: no spelling alias
    # short words keep their ending: "Li" and "Ly" are different names
    assert spelling_key("Li Wei") != spelling_key("Ly Wei")


def test_spelling_aliases_stay_out_of_the_speakers_list(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from tracker.cli import main

    (tmp_path / "a.txt").write_text(
        'Ukrainian President Volodymyr Zelenskyy said "the line is holding".\n', encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text(
        '"We need more air defence," Volodymyr Zelensky told reporters in Kyiv.\n', encoding="utf-8"
    )
    db = str(tmp_path / "t.db")
    r = CliRunner().invoke(main, ["--db", db, "ingest", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["--db", db, "speakers", "--format", "json"])
    assert r.exit_code == 0, r.output
    import json

    people = [json.loads(line) for line in r.output.splitlines()]  # JSON lines
    assert [(p["name"], p["quotes"], p["aliases"]) for p in people] == [
        ("Volodymyr Zelenskyy", 2, "Volodymyr Zelensky")
    ]


def test_upgrade_records_spelling_aliases_of_people_already_stored(db_url: str) -> None:
    """Migration 0009: people stored before it are found by their spelling key too."""
    from sqlalchemy import insert as sa_insert

    from tracker.db import connect, make_engine, resolve_url, session_factory, upgrade
    from tracker.models import PersonAlias

    engine = make_engine(resolve_url(db_url))
    upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(
            sa_insert(Person.__table__), [{"id": 1, "name": "Alexei Navalny"}, {"id": 2, "name": "Navalny"}]
        )
        conn.execute(
            sa_insert(PersonAlias.__table__),
            [
                {"person_id": 1, "alias": "Alexei Navalny", "alias_key": "alexei navalny", "kind": "name"},
                {"person_id": 2, "alias": "Navalny", "alias_key": "navalny", "kind": "name"},
            ],
        )
    engine.dispose()
    engine = connect(db_url)  # upgrades to head
    try:
        with session_factory(engine)() as session:
            kinds = session.execute(
                select(PersonAlias.alias_key, PersonAlias.kind).order_by(PersonAlias.id)
            ).all()
            assert [tuple(k) for k in kinds] == [
                ("alexei navalny", "name"),
                ("navalny", "name"),
                ("~alexenavaln", "spelling"),  # -ei and -y endings off; a one-word name gets none
                ("^navalny", "surname"),
            ]
            assert get_or_create(session, PersonSeen("Alexei Navalnyy", ())).id == 1
    finally:
        engine.dispose()


def test_a_surname_alone_with_an_agreeing_role_is_the_stored_person(session) -> None:  # type: ignore[no-untyped-def]
    pm = get_or_create(session, PersonSeen("Jane Holloway", (), "Prime Minister"))
    get_or_create(session, PersonSeen("Tom Holloway", (), "striker"))
    get_or_create(session, PersonSeen("Dmitry Peskov", (), "Kremlin spokesman"))
    # "Premier Holloway said …" in an article that never gives her first name
    assert get_or_create(session, PersonSeen("Holloway", (), "premier")).id == pm.id
    assert get_or_create(session, PersonSeen("Peskov", (), "spokesman")).name == "Dmitry Peskov"


def test_a_surname_alone_is_not_guessed_without_an_agreeing_role(session) -> None:  # type: ignore[no-untyped-def]
    known = {
        get_or_create(session, PersonSeen("Jane Holloway", (), "Prime Minister")).id,
        get_or_create(session, PersonSeen("Alan Holloway", (), "Foreign Minister")).id,
        get_or_create(session, PersonSeen("Martin Luther King Jr.", (), "pastor")).id,
    }
    for seen in (
        PersonSeen("Holloway", ()),  # no role: could be anyone called Holloway
        PersonSeen("Holloway", (), "coach"),  # a job neither stored Holloway has
        PersonSeen("Holloway", (), "minister"),  # both are ministers: ambiguous
        PersonSeen("Jr", (), "pastor"),  # a suffix is no surname
    ):
        assert get_or_create(session, seen).id not in known, seen
    assert get_or_create(session, PersonSeen("King", (), "pastor")).id in known


def test_roles_agree() -> None:
    assert roles_agree("Prime Minister", "premier")
    assert roles_agree("Kremlin spokesman", "spokeswoman")
    assert roles_agree("deputy chairman of the Federation Council", "chairman")
    assert roles_agree("minister of defence", "Defence Minister")
    assert not roles_agree("Russian President", "Russian Foreign Minister")
    assert not roles_agree("striker", "goalkeeper")
    assert not roles_agree(None, "premier")


def test_a_surname_named_by_its_role_later_in_the_article_joins_the_stored_person(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """End to end: the second outlet never gives her first name, only 'The prime minister'."""
    import json

    from click.testing import CliRunner

    from tracker.cli import main

    (tmp_path / "a.txt").write_text(
        '"We will never negotiate with terrorists," Prime Minister Jane Holloway told parliament.\n',
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        'Holloway told lawmakers: "We will never negotiate with terrorists." '
        'The prime minister pledged to use "every tool available".\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "t.db")
    r = CliRunner().invoke(main, ["--db", db, "ingest", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["--db", db, "speakers", "--format", "json"])
    people = [json.loads(line) for line in r.output.splitlines()]
    assert [(p["name"], p["quotes"], p["aliases"]) for p in people] == [("Jane Holloway", 3, "Holloway")]
