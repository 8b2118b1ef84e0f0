"""Sentence/paragraph bounds, quote-mark pairing and normalise()."""

from __future__ import annotations

from tracker.text import (
    dateline_end,
    is_byline,
    normalise,
    pair_quote_marks,
    paragraph_spans,
    sentence_spans,
)


def test_sentence_spans_respect_abbreviations_and_initials() -> None:
    text = "Mr. Smith met Gov. A.Yu. Vorobyov in the U.S. on Monday. They talked. “Fine.” He left."
    got = [text[a:b] for a, b in sentence_spans(text)]
    assert got == [
        "Mr. Smith met Gov. A.Yu. Vorobyov in the U.S. on Monday.",
        "They talked.",
        "“Fine.”",
        "He left.",
    ]


def test_paragraphs_split_on_blank_lines() -> None:
    text = "\n\n  One. Two.\n\nThree.\n  \nFour."
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["One. Two.", "Three.", "Four."]


def test_headline_kicker_and_dateline_lines_are_paragraphs_in_blank_line_copy() -> None:
    text = (
        "Putin says ties with China 'at their best'\nMOSCOW, March 21 (Reuters) - Putin said so.\n\n"
        "WORLD NEWS\nThe talks went on.\n\nIt rained.\r\nLONDON (AP) — More rain fell."
    )
    assert [text[a:b] for a, b in paragraph_spans(text)] == [
        "Putin says ties with China 'at their best'",
        "MOSCOW, March 21 (Reuters) - Putin said so.",
        "WORLD NEWS",
        "The talks went on.",
        "It rained.",
        "LONDON (AP) — More rain fell.",
    ]


def test_hard_wrapped_copy_keeps_its_paragraphs() -> None:
    text = "Peskov said on Tuesday that the talks with\nPresident Joe Biden would resume\nnext week.\n\nNext."
    assert [text[a:b] for a, b in paragraph_spans(text)] == [text[: text.index("\n\n")], "Next."]


def test_left_mark_used_as_closer() -> None:
    text = "“It was useful, “he said. Then “more” came."
    pairs, warnings = pair_quote_marks(text, is_tag=lambda t, i: t[i:].startswith("he said"))
    assert [text[p.start : p.end] for p in pairs] == ["It was useful,", "more"] and warnings == []


def test_unclosed_mark_ends_with_its_sentence_and_warns() -> None:
    text = "He said: “We will go. Then he left. “Next,” she said."
    pairs, warnings = pair_quote_marks(text)
    assert [text[p.start : p.end] for p in pairs] == ["We will go.", "Next,"]
    assert len(warnings) == 1 and "unclosed" in warnings[0]


def test_multi_paragraph_quotation_is_one() -> None:
    text = "“First part.\n\n“Second part,” he said."
    pairs, _ = pair_quote_marks(text)
    assert len(pairs) == 1 and text[pairs[0].start : pairs[0].end].endswith("Second part,")


def test_guillemets_and_nested_singles() -> None:
    text = "«Le ‘vrai’ test», dit-il. “The ‘real’ test,” he said."
    pairs, _ = pair_quote_marks(text)
    assert [text[p.start : p.end] for p in pairs] == ["Le ‘vrai’ test", "The ‘real’ test,"]


def test_doubles_nested_in_a_single_quotation_belong_to_it() -> None:
    text = "'He told me \"it's over\", and I cried,' she said. The '90s \"boom\" fans' era."
    pairs, _ = pair_quote_marks(text)
    # the British outer quotation keeps its inner words; a pair opening on a digit nests nothing
    assert [text[p.start : p.end] for p in pairs] == [
        'He told me "it\'s over", and I cried,',
        '90s "boom" fans',
        "boom",
    ]


def test_single_mark_quotation_over_paragraphs_is_one() -> None:
    text = "She said: 'First part.\n\n'Second part,' she added. The '90s.\n\n'Next one,' he said."
    pairs, _ = pair_quote_marks(text)
    assert [text[p.start : p.end] for p in pairs] == ["First part.\n\n'Second part,", "Next one,"]


def test_apostrophes_are_not_quotes() -> None:
    pairs, _ = pair_quote_marks("Biden’s plan and the players’ union don’t agree.")
    assert pairs == []


def test_normalise() -> None:
    assert normalise("  “Hello”\u00a0 ‘World’ ") == "\"hello\" 'world'"


def test_datelines() -> None:
    for text, rest in [
        ("WASHINGTON (Reuters) - The Fed will act.", "The Fed"),
        ("MOSCOW, March 3 (Reuters) - Russia said", "Russia"),
        ("BEIJING, Oct 2 (Xinhua) -- China's economy", "China's"),
        ("LONDON — Britain will", "Britain"),
        ("KYIV, Ukraine (AP) — The shelling", "The shelling"),
        ("NEW YORK, Jan. 5 (Reuters) - Stocks fell", "Stocks"),
    ]:
        assert text[dateline_end(text, 0) :].startswith(rest), text
    for text in ["The Fed - as expected - held.", "NATO said on Monday", "U.S. stocks fell - again."]:
        assert dateline_end(text, 0) == 0, text


def test_bylines() -> None:
    assert is_byline("By John Smith", 0, 13)
    assert is_byline("By Jane Doe and Li Wei", 0, 22)
    assert not is_byline("By Monday the talks had failed.", 0, 31)


def test_sentence_bounds_never_reach_into_the_date_line() -> None:
    from tracker.text import sentence_bounds

    text = " date 2023-01-13 Trade rose to $190 billion. Officials said so."
    body = len(" date 2023-01-13")
    s = text.index("$190")
    lo, hi = sentence_bounds(text, s, s + 12, body)
    assert text[lo:hi] == "Trade rose to $190 billion."
    lo, hi = sentence_bounds(text, s, s + 12)  # without body_start the date line is text
    assert text[lo:hi].startswith("date")
