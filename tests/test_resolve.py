"""Within-article resolution: people_in() names, aliases, roles; captions and quotes excluded."""

from __future__ import annotations

from tracker.resolve import people_in, tokenize

ARTICLE = (
    "Russian President Vladimir Putin spoke with Chinese leader Xi Jinping on Monday, Kremlin aide "
    "Yury Ushakov said. Putin congratulated Xi Jinpingon the anniversary.\n\n"
    "Putin and Xi pose in Samarkand. (Photo by Alexandr Demyanchuk/SPUTNIK/AFP)\n\n"
    "“Antonio Guterres has our support,” Ushakov said. Konstantin Kosachev, deputy chairman of the "
    "Federation Council, said ties were strong."
)


def test_people_names_roles_and_aliases() -> None:
    people = {p.name: p for p in people_in(ARTICLE)}
    assert people["Yury Ushakov"].role == "Kremlin aide"
    assert people["Konstantin Kosachev"].role == "deputy chairman of the Federation Council"
    assert people["Vladimir Putin"].role == "Russian President"
    assert "Putin" in people["Vladimir Putin"].aliases


def test_quoted_and_caption_names_are_not_people() -> None:
    names = {p.name for p in people_in(ARTICLE)}
    assert "Antonio Guterres" not in names
    assert "Alexandr Demyanchuk" not in names
    assert "Xi Jinpingon" not in names


def test_titles_and_honorifics_leave_the_name() -> None:
    text = (
        "WASHINGTON (Reuters) - Fed Chair Jerome Powell said rates would rise. "
        "Ms. Lael Brainard agreed. Russia's Ministry of Defence said it was ready. "
        "European Commission President Ursula von der Leyen said the EU was ready."
    )
    people = {p.name: p for p in people_in(text)}
    assert people["Jerome Powell"].role == "Fed Chair"
    assert people["Lael Brainard"].role is None
    assert people["Ministry of Defence"].kind == "organisation"
    assert people["Ursula von der Leyen"].role == "European Commission President"
    assert not any(name.startswith(("WASHINGTON", "Reuters")) for name in people)


def test_byline_is_not_a_person() -> None:
    text = "By John Smith\n\nLONDON (Reuters) - Prices rose, Governor Andrew Bailey said."
    assert [p.name for p in people_in(text)] == ["Andrew Bailey"]


def test_soft_hyphens_and_zero_width_spaces_do_not_split_names() -> None:
    text = "Kremlin spokesman Dmitry Pes\u00adkov\u200b met Maria Zakharova."
    toks = tokenize(text)
    assert [text[t.start : t.end] for t in toks][3:5] == ["Pes\u00adkov", "met"]
    assert toks[3].low == "peskov"
    assert [p.name for p in people_in(text)][:1] == ["Dmitry Peskov"]


def test_quoted_nickname_stays_inside_the_name() -> None:
    text = (
        "Dwayne “The Rock” Johnson said he would not run. Earvin ‘Magic’ Johnson, known to fans "
        "as the “Showtime King,” said he agreed."
    )
    people = {p.name: p for p in people_in(text)}
    assert "Dwayne Johnson" in people
    assert people["Dwayne Johnson"].role is None
    assert not any("Rock" in name or "Showtime" in name for name in people)


def test_an_age_and_post_nominal_letters_are_not_a_role_or_a_name() -> None:
    text = (
        "Mark Dawson, 41, admitted dangerous driving. Amelia Stone KC said her client was "
        "ashamed. Jane Smith MP said the sentence was too short."
    )
    people = {p.name: p for p in people_in(text)}
    assert people["Mark Dawson"].role is None
    assert {"Amelia Stone", "Jane Smith"} <= set(people)
