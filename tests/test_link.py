"""Linking: repeated quotes, figure groups, conflict flags, reviews, and the CLI over them.

The article sets below are written by hand, so the truth is known from reading them:
which quotations are the same, which figures cannot both be true. Rows are inserted
through the ORM (extraction is tested elsewhere), then linked one article at a time as
ingest does. Precision and recall are printed (run with -s) and asserted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tracker import link
from tracker.models import (
    Article,
    Claim,
    ClaimGroupMember,
    Flag,
    FlagReview,
    Person,
    PersonAlias,
    Quote,
    QuoteGroupMember,
    Source,
)

CASES = Path(__file__).parent / "cases"

# --------------------------------------------------------------------------- helpers


def _person(session, name: str) -> int:  # type: ignore[no-untyped-def]
    pid = session.scalar(select(Person.id).where(Person.name == name))
    if pid is None:
        p = Person(name=name)
        session.add(p)
        session.flush()
        session.add(PersonAlias(person_id=p.id, alias=name, alias_key=name.lower()))
        session.add(PersonAlias(person_id=p.id, alias=name.split()[-1], alias_key=name.split()[-1].lower()))
        pid = p.id
    return pid


def add_article(
    session: Any,
    source: str,
    date: str,
    text: str,
    claims: list[dict[str, Any]] = (),  # type: ignore[assignment]
    quotes: list[dict[str, Any]] = (),  # type: ignore[assignment]
    link_now: bool = True,
) -> int:
    """Store an article with the given claims/quotes (spans found in the text) and link it."""
    src = session.scalar(select(Source).where(Source.name == source))
    if src is None:
        src = Source(name=source)
        session.add(src)
        session.flush()
    art = Article(
        sha256=hashlib.sha256(f"{source}|{date}|{text}".encode()).hexdigest(),
        text=text,
        location=f"{source.lower().replace(' ', '-')}/{date}.txt",
        published=dt.date.fromisoformat(date),
        source_id=src.id,
        extractor_version="test",
    )
    session.add(art)
    session.flush()
    for q in quotes:
        start = text.index(q["text"])
        session.add(
            Quote(
                article_id=art.id,
                person_id=_person(session, q["speaker"]) if q.get("speaker") else None,
                kind=q.get("kind", "direct"),
                text=q["text"],
                start_char=start,
                end_char=start + len(q["text"]),
            )
        )
    for c in claims:
        start = text.index(c["surface"])
        year = c.get("year")
        session.add(
            Claim(
                article_id=art.id,
                person_id=_person(session, c["speaker"]) if c.get("speaker") else None,
                surface=c["surface"],
                start_char=start,
                end_char=start + len(c["surface"]),
                value=c["value"],
                low=c.get("low"),
                high=c.get("high"),
                unit=c.get("unit", "USD"),
                quantity_kind=c.get("kind", "money"),
                hedge=c.get("hedge"),
                metric=c.get("metric", "bilateral trade"),
                entities=c.get("entities", "China; Russia"),
                period=str(year) if year else None,
                period_start=dt.date(year, 1, 1) if year else None,
                period_end=dt.date(year, 12, 31) if year else None,
                is_target=c.get("target", False),
            )
        )
    session.flush()
    if link_now:
        link.link_article(session, art.id)
    return art.id


B = 1e9
M = 1e6

# The conflict corpus: Russia-China figures as outlets report them. Truth, from reading:
#   2022 trade: $190bn / $190.27bn vs "nearly $185 billion"      -> conflict
#   2023 trade: "exceeded 200 billion dollars" / $240.1bn vs "about $176 billion" -> conflict
#   2020 trade: $104bn vs "nearly $108 billion" / $107.8bn        -> conflict
#   2023 oil exports: 107 million tons / 107.02 million tonnes vs 86 million tons -> conflict
#   2021 trade $147bn vs $146.9bn (rounding), gas 22.7 bcm vs 22.7 billion cubic metres
#   (unit variants), target $200bn by 2024 vs actual $245bn in 2024, US-China $690bn vs
#   Russia-China $190bn, oil exports vs oil imports: no conflict.
CORPUS: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    (
        "Reuters",
        "2023-01-13",
        "Bilateral trade between Russia and China reached $190 billion in 2022, customs data showed. "
        "Trade had grown to $147 billion in 2021.",
        [
            {"surface": "$190 billion", "value": 190 * B, "year": 2022},
            {"surface": "$147 billion", "value": 147 * B, "year": 2021},
        ],
    ),
    (
        "TASS",
        "2023-03-02",
        "Trade between Russia and China was nearly $185 billion last year, Deputy Prime Minister "
        "Alexei Overchuk said.",
        [
            {
                "surface": "nearly $185 billion",
                "value": 185 * B,
                "hedge": "nearly",
                "year": 2022,
                "speaker": "Alexei Overchuk",
            }
        ],
    ),
    (
        "Xinhua",
        "2023-01-14",
        "China-Russia trade hit a record $190.27 billion in 2022. "
        "Bilateral trade was $146.9 billion in 2021.",
        [
            {"surface": "$190.27 billion", "value": 190.27 * B, "year": 2022},
            {"surface": "$146.9 billion", "value": 146.9 * B, "year": 2021},
        ],
    ),
    (
        "Global Times",
        "2024-01-12",
        "Russia-China trade exceeded 200 billion dollars in 2023, an official said.",
        [{"surface": "exceeded 200 billion dollars", "value": 200 * B, "hedge": "more than", "year": 2023}],
    ),
    (
        "RT",
        "2024-01-13",
        "Chinese customs put trade with Russia at $240.1 billion for 2023.",
        [{"surface": "$240.1 billion", "value": 240.1 * B, "year": 2023}],
    ),
    (
        "Kommersant",
        "2024-02-01",
        "Russian-Chinese trade amounted to about $176 billion in 2023, according to the ministry.",
        [{"surface": "about $176 billion", "value": 176 * B, "hedge": "about", "year": 2023}],
    ),
    (
        "Interfax",
        "2021-01-20",
        "Trade between Russia and China fell to $104 billion in 2020.",
        [{"surface": "$104 billion", "value": 104 * B, "year": 2020}],
    ),
    (
        "CGTN",
        "2021-01-15",
        "Bilateral trade was nearly $108 billion in 2020. China's exports to Russia rose to $50.6 billion.",
        [
            # No entities in the sentence: linking borrows them from the article's other figure.
            {
                "surface": "nearly $108 billion",
                "value": 108 * B,
                "hedge": "nearly",
                "year": 2020,
                "entities": None,
            },
            {"surface": "$50.6 billion", "value": 50.6 * B, "metric": "export", "year": 2020},
        ],
    ),
    (
        "Vedomosti",
        "2021-02-01",
        "Russian-Chinese trade totalled $107.8 billion in 2020.",
        [{"surface": "$107.8 billion", "value": 107.8 * B, "year": 2020}],
    ),
    (
        "Reuters",
        "2019-06-05",
        "Russia and China aim to raise bilateral trade to $200 billion by 2024.",
        [{"surface": "$200 billion", "value": 200 * B, "year": 2024, "target": True}],
    ),
    (
        "TASS",
        "2025-01-14",
        "Russia-China trade reached $245 billion in 2024.",
        [{"surface": "$245 billion", "value": 245 * B, "year": 2024}],
    ),
    (
        "Gazprom",
        "2024-01-03",
        "Gazprom delivered 22.7 bcm of gas to China in 2023.",
        [
            {
                "surface": "22.7 bcm",
                "value": 22.7 * B,
                "unit": "m3",
                "kind": "volume",
                "metric": "gas delivery",
                "year": 2023,
            }
        ],
    ),
    (
        "Interfax",
        "2024-01-05",
        "Russia supplied 22.7 billion cubic metres of gas to China via Power of Siberia in 2023.",
        [
            {
                "surface": "22.7 billion cubic metres",
                "value": 22.7 * B,
                "unit": "m3",
                "kind": "volume",
                "metric": "gas delivery",
                "year": 2023,
            }
        ],
    ),
    (
        "Reuters",
        "2024-01-20",
        "Russian oil exports to China reached 107 million tons in 2023. China's oil imports from "
        "Russia were 107.02 million tonnes.",
        [
            {
                "surface": "107 million tons",
                "value": 107 * M,
                "unit": "t",
                "kind": "mass",
                "metric": "oil export",
                "year": 2023,
            },
            {
                "surface": "107.02 million tonnes",
                "value": 107.02 * M,
                "unit": "t",
                "kind": "mass",
                "metric": "oil import",
                "year": 2023,
            },
        ],
    ),
    (
        "Neftegaz",
        "2024-02-10",
        "Russia shipped 107.02 million tonnes of crude oil to China in 2023.",
        [
            {
                "surface": "107.02 million tonnes",
                "value": 107.02 * M,
                "unit": "t",
                "kind": "mass",
                "metric": "crude oil export",
                "year": 2023,
            }
        ],
    ),
    (
        "Oilprice",
        "2024-03-01",
        "Russian crude oil exports to China were 86 million tons in 2023, a trader said.",
        [
            {
                "surface": "86 million tons",
                "value": 86 * M,
                "unit": "t",
                "kind": "mass",
                "metric": "oil export",
                "year": 2023,
            }
        ],
    ),
    (
        "CNBC",
        "2023-02-07",
        "US-China trade was $690 billion in 2022.",
        [{"surface": "$690 billion", "value": 690 * B, "entities": "China; United States", "year": 2022}],
    ),
]

# (outlet, surface) pairs that cannot both be true: the truth for pair precision/recall.
TRUE_CONFLICT_PAIRS = {
    frozenset(p)
    for p in [
        (("Reuters", "$190 billion"), ("TASS", "nearly $185 billion")),
        (("Xinhua", "$190.27 billion"), ("TASS", "nearly $185 billion")),
        (("Global Times", "exceeded 200 billion dollars"), ("Kommersant", "about $176 billion")),
        (("RT", "$240.1 billion"), ("Kommersant", "about $176 billion")),
        (("Interfax", "$104 billion"), ("CGTN", "nearly $108 billion")),
        (("Interfax", "$104 billion"), ("Vedomosti", "$107.8 billion")),
        (("Reuters", "107 million tons"), ("Oilprice", "86 million tons")),
        (("Neftegaz", "107.02 million tonnes"), ("Oilprice", "86 million tons")),
    ]
}
# (metric, period) of the flags an editor should see.
TRUE_FLAGS = {
    ("bilateral trade", "2022"),
    ("bilateral trade", "2023"),
    ("bilateral trade", "2020"),
    ("oil export", "2023"),
}


def load_corpus(session: Any, link_now: bool = True) -> None:
    for source, date, text, claims in CORPUS:
        add_article(session, source, date, text, claims=claims, link_now=link_now)


def conflict_pairs(session: Any) -> set[frozenset[tuple[str, str]]]:
    """Conflicting (outlet, surface) pairs implied by the stored flags."""
    pairs = set()
    for rec in link.conflicts(session, status=None):
        claims = [c for c in rec["claims"] if c["in_conflict"]]
        for a, b in itertools.combinations(claims, 2):
            ca = link.interval(_row(a))
            cb = link.interval(_row(b))
            if a["article"] != b["article"] and (ca[1] < cb[0] or cb[1] < ca[0]):
                pairs.add(frozenset({(a["outlet"], a["surface"]), (b["outlet"], b["surface"])}))
    return pairs


class _row:
    def __init__(self, d: dict[str, Any]) -> None:
        self.value, self.surface, self.hedge = d["value"], d["surface"], d["hedge"]
        self.low, self.high = d["low"], d["high"]


def prf(found: set[Any], truth: set[Any]) -> tuple[float, float]:
    tp = len(found & truth)
    return (tp / len(found) if found else 1.0), (tp / len(truth) if truth else 1.0)


# --------------------------------------------------------------------------- figures


def test_interval_readings() -> None:
    class C:
        def __init__(self, surface: str, value: float, hedge: str | None = None) -> None:
            self.surface, self.value, self.hedge, self.low, self.high = surface, value, hedge, None, None

    lo, hi = link.interval(C("$190 billion", 190 * B))
    assert lo < 189.6 * B and hi > 190.4 * B and hi < 191.5 * B
    lo, hi = link.interval(C("nearly $108 billion", 108 * B, "nearly"))
    assert lo < 107.8 * B < hi and 104.5 * B < lo
    lo, hi = link.interval(C("exceeded 200 billion dollars", 200 * B, "more than"))
    assert hi == float("inf") and 199 * B < lo <= 200 * B
    lo, hi = link.interval(C("up to 50 bcm", 50 * B, "up to"))
    assert lo == float("-inf")
    assert link.rounding_step("$107.8 billion", 107.8 * B) == pytest.approx(0.1 * B)
    assert link.rounding_step("1,200 tonnes", 1200) == pytest.approx(1)


@pytest.mark.parametrize(
    "a,b,same",
    [
        ("bilateral trade", "bilateral trade", True),
        ("oil export", "crude oil export", True),
        ("gas delivery", "gas deliveries", True),
        ("oil export", "oil import", False),
        ("lng export", "oil export", False),
        ("gdp", "gdp growth", False),
        ("bilateral trade", "foreign trade", False),
    ],
)
def test_metric_pairs(a: str, b: str, same: bool) -> None:
    assert (link.metric_similarity(a, b) >= link.METRIC_CUTOFF) is same


def test_conflict_flags_precision_recall(session) -> None:  # type: ignore[no-untyped-def]
    load_corpus(session)
    flags = link.conflicts(session, status=None)
    found = {(f["metric"], f["period"]) for f in flags}
    # The oil flag's metric is whichever wording came first; normalise it for the comparison.
    found = {("oil export" if "oil export" in m else m, p) for m, p in found}
    fp, fr = prf(found, TRUE_FLAGS)
    pairs = conflict_pairs(session)
    pp, pr = prf(pairs, TRUE_CONFLICT_PAIRS)
    print(
        f"\nconflict flags: precision {fp:.2f} recall {fr:.2f} ({len(found)} flags, {len(TRUE_FLAGS)} true)"
    )
    n_true = len(TRUE_CONFLICT_PAIRS)
    print(f"conflicting pairs: precision {pp:.2f} recall {pr:.2f} ({len(pairs)} found, {n_true} true)")
    assert found == TRUE_FLAGS
    assert pairs == TRUE_CONFLICT_PAIRS
    # Most severe first; the 2023 trade gap (176 vs 240.1) is the largest.
    assert [f["severity"] for f in flags] == sorted((f["severity"] for f in flags), reverse=True)
    assert flags[0]["period"] == "2023"
    f2022 = next(f for f in flags if f["period"] == "2022")
    assert "nearly $185 billion" in f2022["explanation"] and "Alexei Overchuk" in f2022["explanation"]
    assert "TASS" in f2022["explanation"] and "2023-03-02" in f2022["explanation"]
    tass = next(c for c in f2022["claims"] if c["outlet"] == "TASS")
    assert tass["sentence"].startswith("Trade between Russia and China was nearly $185 billion")
    assert tass["hedge"] == "nearly" and tass["speaker"] == "Alexei Overchuk"


def test_rebuild_matches_incremental(session) -> None:  # type: ignore[no-untyped-def]
    load_corpus(session)
    before = {(f["metric"], f["period"], f["severity"]) for f in link.conflicts(session, status=None)}
    groups_before = _claim_partition(session)
    link.rebuild(session)
    after = {(f["metric"], f["period"], f["severity"]) for f in link.conflicts(session, status=None)}
    assert before == after
    assert _claim_partition(session) == groups_before
    # Linking from scratch in one rebuild (no incremental history) gives the same flags too.


def test_rebuild_from_unlinked(session) -> None:  # type: ignore[no-untyped-def]
    load_corpus(session, link_now=False)
    assert link.conflicts(session, status=None) == []
    link.rebuild(session)
    found = {
        ("oil export" if "oil export" in f["metric"] else f["metric"], f["period"])
        for f in link.conflicts(session)
    }
    assert found == TRUE_FLAGS
    assert conflict_pairs(session) == TRUE_CONFLICT_PAIRS


def _claim_partition(session) -> set[frozenset[int]]:  # type: ignore[no-untyped-def]
    groups: dict[int, set[int]] = {}
    for cid, gid in session.execute(select(ClaimGroupMember.claim_id, ClaimGroupMember.group_id)):
        groups.setdefault(gid, set()).add(cid)
    return {frozenset(g) for g in groups.values()}


def test_link_article_is_idempotent(session) -> None:  # type: ignore[no-untyped-def]
    load_corpus(session)
    n = session.scalar(select(func.count()).select_from(Flag))
    art = session.scalar(select(Article.id).where(Article.location == "tass/2023-03-02.txt"))
    res = link.link_article(session, art)
    assert res.claims == 0 and res.quotes == 0
    assert session.scalar(select(func.count()).select_from(Flag)) == n


def test_review_kept_until_evidence_changes(session) -> None:  # type: ignore[no-untyped-def]
    load_corpus(session)
    flag = next(f for f in link.conflicts(session) if f["period"] == "2022")
    link.review(session, flag["id"], "dismiss", "TASS rounds differently", "ed")
    link.rebuild(session)  # same evidence: the decision stands
    assert session.get(Flag, flag["id"]).status == "dismissed"
    # New evidence for the same group: a fourth outlet with another 2022 figure.
    add_article(
        session,
        "Kommersant",
        "2023-04-01",
        "Trade between Russia and China reached $172 billion in 2022.",
        claims=[{"surface": "$172 billion", "value": 172 * B, "year": 2022}],
    )
    f = session.get(Flag, flag["id"])
    assert f.status == "open"
    history = link.show_flag(session, flag["id"])["history"]
    assert [h["action"] for h in history] == ["dismiss", "auto-reopen"]
    assert history[0]["by"] == "ed" and history[0]["note"] == "TASS rounds differently"
    assert "$172 billion" in history[1]["note"]
    # Nothing is overwritten: the first decision is still there after more decisions.
    link.review(session, flag["id"], "confirm", "checked with customs data", "chief")
    assert session.scalar(select(func.count()).where(FlagReview.flag_id == flag["id"])) == 3
    with pytest.raises(link.LinkError):
        link.review(session, flag["id"], "approve", None, "ed")
    with pytest.raises(link.LinkError):
        link.review(session, 99999, "confirm", None, "ed")


def test_incremental_cost_does_not_scan(session) -> None:  # type: ignore[no-untyped-def]
    """A new article touches only its own blocks: groups elsewhere are left alone."""
    load_corpus(session)
    res = link.link_article(
        session,
        add_article(
            session,
            "BBC",
            "2024-05-01",
            "Russia-China trade reached $190 billion in 2022.",
            claims=[{"surface": "$190 billion", "value": 190 * B, "year": 2022}],
            link_now=False,
        ),
    )
    assert res.claims == 1 and res.claims_grouped == 1 and res.claim_groups == 1


# --------------------------------------------------------------------------- quotes


def test_quote_pair_cutoffs() -> None:
    """Precision/recall of quote links (blocking + scoring) on the labelled pairs."""
    pairs = json.loads((CASES / "link_quote_pairs.json").read_text())["pairs"]
    tp = fp = fn = 0
    for p in pairs:
        a, b = link.normalise_quote(p["a"]), link.normalise_quote(p["b"])
        ka, kb = link.quote_keys(a), link.quote_keys(b)
        blocked = len(ka & kb) >= link.min_shared_keys(len(ka), len(kb))
        linked = link.quote_similarity(a, b)[1] is not None and blocked
        tp += linked and p["same"]
        fp += linked and not p["same"]
        fn += (not linked) and p["same"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nquote pairs: precision {precision:.2f} recall {recall:.2f} on {len(pairs)} pairs")
    assert precision >= 0.95 and recall >= 0.85


PUTIN = "Vladimir Putin"
WANG = "Wang Yi"
NOVAK = "Alexander Novak"

# Quotations repeated across 3+ outlets with variations, and same-speaker distractors.
# Truth: label -> the (outlet, text) appearances of one quotation.
QUOTE_SETS: dict[str, list[tuple[str, str, str, str]]] = {
    "dictate": [
        (
            "Reuters",
            "2023-03-21",
            PUTIN,
            "Russia and China will never allow anyone to dictate to them how to build their relations.",
        ),
        (
            "TASS",
            "2023-03-21",
            PUTIN,
            "Russia and China will never allow anyone to dictate to them how to build their relations",
        ),
        (
            "AP",
            "2023-03-22",
            PUTIN,
            "Russia and China will never let anyone dictate to them how to build their relations.",
        ),
        (
            "Bloomberg",
            "2023-03-23",
            PUTIN,
            "never allow anyone to dictate to them how to build their relations",
        ),
    ],
    "limits": [
        ("Xinhua", "2023-03-20", WANG, "Our cooperation has no limits, no forbidden zones and no ceiling."),
        ("CGTN", "2023-03-20", WANG, "our cooperation has no limits, no forbidden zones and no ceiling"),
        ("Reuters", "2023-03-21", WANG, "Our cooperation has no limits, no forbidden zones, and no ceiling!"),
    ],
    "gas": [
        (
            "Interfax",
            "2023-04-02",
            NOVAK,
            "We see no obstacles to increasing gas supplies to China via the Far Eastern route.",
        ),
        (
            "RIA",
            "2023-04-02",
            NOVAK,
            "We see no obstacles to increasing gas supplies to China through the Far Eastern route.",
        ),
        ("Reuters", "2023-04-03", NOVAK, "increasing gas supplies to China via the Far Eastern route"),
    ],
    "putin-other": [
        (
            "Kremlin",
            "2023-03-21",
            PUTIN,
            "Russia and China are not creating a military alliance, there is nothing secret here.",
        ),
    ],
    "putin-other2": [
        ("AP", "2023-03-22", PUTIN, "Trade between our countries will exceed 200 billion dollars this year."),
    ],
    "novak-other": [
        (
            "Interfax",
            "2023-04-02",
            NOVAK,
            "Gas supplies to China via the Far Eastern route will start in 2027.",
        ),
    ],
    "wang-other": [
        (
            "Xinhua",
            "2023-03-20",
            WANG,
            "Relations between China and Russia are not directed against any third party.",
        ),
    ],
}


def load_quotes(session: Any) -> dict[int, str]:
    """Store every appearance (one article per outlet and date); returns quote id -> label."""
    by_article: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for label, apps in QUOTE_SETS.items():
        for outlet, date, speaker, text in apps:
            by_article.setdefault((outlet, date), []).append((label, speaker, text))
    truth: dict[int, str] = {}
    for (outlet, date), items in sorted(by_article.items(), key=lambda kv: kv[0][1]):
        body = " ".join(f"{speaker} said: “{text}”" for _, speaker, text in items)
        art = add_article(
            session,
            outlet,
            date,
            body,
            quotes=[{"text": t, "speaker": s} for _, s, t in items],
            link_now=True,
        )
        for qid, text in session.execute(select(Quote.id, Quote.text).where(Quote.article_id == art)):
            truth[qid] = next(lbl for lbl, _, t in items if t == text)
    return truth


def _quote_pairs(groups: dict[int, str]) -> set[frozenset[int]]:
    by: dict[str, list[int]] = {}
    for qid, g in groups.items():
        by.setdefault(str(g), []).append(qid)
    return {frozenset(p) for ids in by.values() for p in itertools.combinations(ids, 2)}


def test_repeated_quotes_precision_recall(session) -> None:  # type: ignore[no-untyped-def]
    truth = load_quotes(session)
    found = dict(session.execute(select(QuoteGroupMember.quote_id, QuoteGroupMember.group_id)).all())
    assert set(found) == set(truth)
    p, r = prf(_quote_pairs(found), _quote_pairs(truth))
    print(f"\nquote links on the repeated-quote set: precision {p:.2f} recall {r:.2f}")
    assert p == 1.0 and r == 1.0
    rows = link.distinct_quotes(session, speaker="Putin")
    assert [(row["appearances"], row["outlets"]) for row in rows] == [(4, 4), (1, 1), (1, 1)]
    assert rows[0]["first_date"] == dt.date(2023, 3, 21) and rows[0]["first_outlet"] in {"Reuters", "TASS"}
    assert rows[0]["quote"].startswith("Russia and China will never allow anyone")
    shown = link.show_quote(session, rows[0]["id"])
    assert len(shown["appearances"]) == 4
    assert {a["outlet"] for a in shown["appearances"]} == {"Reuters", "TASS", "AP", "Bloomberg"}
    frag = next(a for a in shown["appearances"] if a["outlet"] == "Bloomberg")
    assert frag["relation"] == "fragment" and frag["text"] in frag["context"]
    # A rebuild reproduces the same grouping.
    link.rebuild(session)
    again = dict(session.execute(select(QuoteGroupMember.quote_id, QuoteGroupMember.group_id)).all())
    assert _quote_pairs(again) == _quote_pairs(found)


def test_rebuild_groups_quotes_in_a_forked_process_as_in_this_one(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Large rebuilds group quotes in a forked child; the grouping and rows are the same."""
    load_quotes(session)
    load_corpus(session)

    def snapshot() -> tuple[set[frozenset[int]], list[tuple[Any, ...]], set[frozenset[int]]]:
        groups = dict(session.execute(select(QuoteGroupMember.quote_id, QuoteGroupMember.group_id)).all())
        members = session.execute(
            select(
                QuoteGroupMember.quote_id,
                QuoteGroupMember.matched_quote_id,
                QuoteGroupMember.relation,
                QuoteGroupMember.norm,
                QuoteGroupMember.n_keys,
            ).order_by(QuoteGroupMember.quote_id)
        ).all()
        return _quote_pairs(groups), [tuple(m) for m in members], _claim_partition(session)

    monkeypatch.setattr(link, "BACKGROUND_MIN_QUOTES", 10**9)
    link.rebuild(session)
    here = snapshot()
    forks: list[int] = []
    start = link._Background.__init__

    def counting(self, fn, *args, background=True):  # type: ignore[no-untyped-def]
        start(self, fn, *args, background=background)
        forks.append(self.proc is not None)

    monkeypatch.setattr(link._Background, "__init__", counting)
    monkeypatch.setattr(link, "BACKGROUND_MIN_QUOTES", 1)
    link.rebuild(session)
    assert forks == [True]
    assert snapshot() == here
    assert here[0], "the sets hold repeated quotes"


def _dies_in_a_child(parent: int, emit) -> str:  # type: ignore[no-untyped-def]
    import os

    emit("early part")
    if os.getpid() != parent:
        os._exit(3)  # like an out-of-memory kill: no answer
    emit("late part")
    return "computed in the parent"


def _fails(x: int, emit) -> int:  # type: ignore[no-untyped-def]
    emit(x)
    raise ValueError(f"bad input {x}")


def _counts(n: int, emit) -> int:  # type: ignore[no-untyped-def]
    for i in range(n):
        emit(i)
    return n


def test_background_work_survives_a_dead_child_and_reports_errors() -> None:
    import os

    for background in (True, False):
        parts: list[int] = []
        job = link._Background(_counts, 5, background=background)
        assert (job.proc is not None) is background
        assert job.result(parts.append) == 5
        assert parts == [0, 1, 2, 3, 4]  # every part, in order, before the result
    parts2: list[str] = []
    restarts: list[bool] = []

    def restart() -> None:
        restarts.append(True)
        parts2.clear()

    job = link._Background(_dies_in_a_child, os.getpid())
    assert job.result(parts2.append, restart) == "computed in the parent"
    assert job.proc.exitcode == 3 and restarts == [True]
    assert parts2 == ["early part", "late part"]  # the dead child's part was undone, then redone
    with pytest.raises(RuntimeError, match="bad input 7"):
        link._Background(_fails, 7).result(lambda part: None)


# --------------------------------------------------------------------------- CLI


def _run(args: list[str]) -> Any:
    from tracker.cli import main

    return CliRunner().invoke(main, args, catch_exceptions=False)


def _seed(db_url: str) -> None:
    from tracker.db import connect, session_factory

    engine = connect(db_url)
    with session_factory(engine)() as s, s.begin():
        load_corpus(s)
        load_quotes(s)
    engine.dispose()


def test_cli_conflicts_review_show(db_url: str) -> None:
    _seed(db_url)
    r = _run(["conflicts", "--db", db_url, "--format", "json"])
    assert r.exit_code == 0, r.output
    flags = [json.loads(line) for line in r.output.splitlines()]
    assert len(flags) == 4
    assert set(flags[0]) == {"id", "status", "metric", "period", "severity", "explanation", "claims"}
    assert set(flags[0]["claims"][0]) >= {
        "article",
        "date",
        "surface",
        "value",
        "unit",
        "hedge",
        "speaker",
        "start",
        "end",
    }
    assert all(f["status"] == "open" for f in flags)
    f2022 = next(f for f in flags if f["period"] == "2022")
    tass = next(c for c in f2022["claims"] if c["article"] == "tass/2023-03-02.txt")
    assert tass["surface"] == "nearly $185 billion" and tass["speaker"] == "Alexei Overchuk"
    assert tass["value"] == 185e9 and tass["unit"] == "USD" and tass["date"] == "2023-03-02"

    r = _run(["conflicts", "--db", db_url, "--format", "json", "--metric", "oil"])
    assert [json.loads(x)["period"] for x in r.output.splitlines()] == ["2023"]
    r = _run(["conflicts", "--db", db_url, "--format", "json", "--since", "2024-01-01"])
    assert {json.loads(x)["period"] for x in r.output.splitlines()} == {"2023"}
    r = _run(["conflicts", "--db", db_url, "--format", "csv"])
    assert r.exit_code == 0 and r.output.splitlines()[0].startswith("flag,status,metric,severity,article")
    r = _run(["conflicts", "--db", db_url])
    assert r.exit_code == 0 and "nearly $185 billion" in r.output

    r = _run(["review", str(f2022["id"]), "--dismiss", "--note", "rounding", "--by", "ed", "--db", db_url])
    assert r.exit_code == 0, r.output
    r = _run(["conflicts", "--db", db_url, "--format", "json"])
    assert f2022["id"] not in {json.loads(x)["id"] for x in r.output.splitlines()}
    r = _run(["conflicts", "--db", db_url, "--format", "json", "--status", "dismissed"])
    assert [json.loads(x)["id"] for x in r.output.splitlines()] == [f2022["id"]]
    r = _run(["show", "flag", str(f2022["id"]), "--db", db_url])
    assert r.exit_code == 0 and "dismiss" in r.output and "rounding" in r.output and "ed" in r.output
    r = _run(["show", "flag", str(f2022["id"]), "--db", db_url, "--format", "json"])
    rec = json.loads(r.output)
    assert rec["history"][0]["note"] == "rounding"

    r = _run(["review", "999", "--confirm", "--db", db_url])
    assert r.exit_code == 1 and "no flag 999" in r.output
    r = _run(["review", str(f2022["id"]), "--db", db_url])
    assert r.exit_code == 2

    r = _run(["link", "--rebuild", "--db", db_url])
    assert r.exit_code == 0, r.output
    r = _run(["conflicts", "--db", db_url, "--format", "json", "--status", "dismissed"])
    assert [json.loads(x)["id"] for x in r.output.splitlines()] == [f2022["id"]]


def test_cli_quotes_and_show_quote(db_url: str) -> None:
    _seed(db_url)
    r = _run(["quotes", "--speaker", "Putin", "--db", db_url, "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.output.splitlines()]
    assert rows[0]["appearances"] == 4 and rows[0]["first_date"] == "2023-03-21"
    r = _run(["show", "quote", str(rows[0]["id"]), "--db", db_url])
    assert r.exit_code == 0
    for outlet in ("Reuters", "TASS", "AP", "Bloomberg"):
        assert outlet in r.output
    r = _run(["show", "quote", str(rows[0]["id"]), "--db", db_url, "--format", "json"])
    apps = [json.loads(x) for x in r.output.splitlines()]
    assert len(apps) == 4 and all(a["text"] in a["context"] for a in apps)
    r = _run(["quotes", "--source", "Bloomberg", "--db", db_url, "--format", "json"])
    assert [json.loads(x)["appearances"] for x in r.output.splitlines()] == [4]
    r = _run(["show", "quote", "424242", "--db", db_url])
    assert r.exit_code == 1


def test_show_group_importable() -> None:
    from tracker.cli_link import show

    assert {"quote", "flag"} <= set(show.commands)


# --------------------------------------------------------------------------- chaining and blocking

CHAIN_A = "Our gas supplies to China through the eastern route will double within the next five years"
CHAIN_B = "The new pipeline across Mongolia is already designed and financing has been agreed with partners"
CHAIN_C = f"{CHAIN_A}, and {CHAIN_B.lower()}"


def test_quote_matching_two_groups_joins_only_the_best(session) -> None:  # type: ignore[no-untyped-def]
    """A long quote containing two different statements is a fragment match for both: it joins
    one group and does not chain the two statements into one quotation."""
    a = add_article(session, "Reuters", "2024-01-10", f"Novak said: “{CHAIN_A}”", quotes=[{"text": CHAIN_A}])
    b = add_article(session, "TASS", "2024-01-11", f"Novak said: “{CHAIN_B}”", quotes=[{"text": CHAIN_B}])
    c = add_article(session, "AP", "2024-01-12", f"Novak said: “{CHAIN_C}”", quotes=[{"text": CHAIN_C}])

    def groups() -> dict[int, int]:
        rows = session.execute(
            select(Quote.article_id, QuoteGroupMember.group_id).join(
                QuoteGroupMember, QuoteGroupMember.quote_id == Quote.id
            )
        )
        return dict(rows.all())

    g = groups()
    assert g[a] != g[b]
    assert g[c] in (g[a], g[b])
    link.rebuild(session)
    g = groups()
    assert g[a] != g[b] and g[c] in (g[a], g[b])


def test_long_quotes_need_two_shared_keys() -> None:
    assert link.min_shared_keys(1, 9) == 1
    assert link.min_shared_keys(3, 3) == 1
    assert link.min_shared_keys(link.MULTI_KEY_MIN, 9) == link.MULTI_KEY_SHARED
    # A long variant with one word changed keeps enough keys in common to be compared.
    a = link.normalise_quote(
        "Western sanctions have failed: Russian exports of grain, fertiliser and metals grew faster than "
        "ever, new logistics corridors opened through Kazakhstan, Iran and the Caspian ports, and "
        "payments moved into national currencies"
    )
    b = link.normalise_quote(
        "Western sanctions have failed: Russian exports of grain, fertiliser and steel grew faster than "
        "ever, new logistics corridors opened through Kazakhstan, Iran and the Caspian ports, and "
        "payments moved into national currencies"
    )
    ka, kb = link.quote_keys(a), link.quote_keys(b)
    assert min(len(ka), len(kb)) >= link.MULTI_KEY_MIN
    assert len(ka & kb) >= link.min_shared_keys(len(ka), len(kb))
    assert link.quote_similarity(a, b)[1] == "variant"


@given(
    nk=st.integers(0, 12),
    n_keys=st.lists(st.integers(0, 12), min_size=1, max_size=40),
    picks=st.lists(st.sets(st.integers(0, 39)), max_size=8),
)
def test_candidates_share_enough_keys(nk: int, n_keys: list[int], picks: list[set[int]]) -> None:
    """_passing's set arithmetic picks exactly the items sharing min_shared_keys keys."""
    lists = [sorted(i for i in p if i < len(n_keys)) for p in picks]
    shared = Counter(i for p in lists for i in p)
    want = {i for i, n in shared.items() if n >= link.min_shared_keys(nk, n_keys[i])}
    assert set(link._passing(nk, lists, n_keys)) == want
    few = {i for i, n in enumerate(n_keys) if n < link.MULTI_KEY_MIN}
    got = link._passing(nk, lists, n_keys, few)
    assert set(got) == want and len(got) == len(want)


QUOTE_WORDS = "we will never allow anyone to split russia and china trade grew by a third this year".split()
_phrase = st.lists(st.sampled_from(QUOTE_WORDS), max_size=24).map(" ".join)


@given(norm=_phrase, extra=st.lists(_phrase, max_size=6), data=st.data())
def test_prefilter_keeps_every_text_quote_similarity_accepts(norm: str, extra: list[str], data) -> None:  # type: ignore[no-untyped-def]
    """_could_match may only drop texts that quote_similarity rejects: fragments (slices of
    the quote), one-word variants and unrelated phrases all go through both."""
    words = norm.split()
    texts = list(extra)
    for _ in range(4):
        i = data.draw(st.integers(0, len(words)))
        j = data.draw(st.integers(i, len(words)))
        texts.append(" ".join(words[i:j]))  # a slice: a fragment or the whole quote
        before, after = data.draw(_phrase), data.draw(_phrase)
        texts.append(f"{before} {norm} {after}".strip())  # the quote is a fragment of this
        if words:
            k = data.draw(st.integers(0, len(words) - 1))
            texts.append(" ".join([*words[:k], data.draw(st.sampled_from(QUOTE_WORDS)), *words[k + 1 :]]))
    texts = list(dict.fromkeys(texts))
    kept = set(link._could_match(norm, texts))
    accepted = {t for t in texts if link.quote_similarity(norm, t)[1] is not None}
    assert accepted <= kept


METRIC_WORDS = "trade turnover bilateral exports imports gas oil volume supplies grain total value".split()


@given(
    metric=st.lists(st.sampled_from(METRIC_WORDS), max_size=4).map(" ".join),
    metrics=st.lists(st.lists(st.sampled_from(METRIC_WORDS), max_size=4).map(" ".join), max_size=12),
)
def test_best_group_is_the_first_most_similar_metric(metric: str, metrics: list[str]) -> None:
    """_best_group's batched scoring picks what a loop over metric_similarity picks."""
    want, want_score = None, 0.0
    for i, m in enumerate(metrics):
        score = link.metric_similarity(metric, m)
        if score >= link.METRIC_CUTOFF and score > want_score:
            want, want_score = i, score
    groups = [SimpleNamespace(metric=m) for m in metrics]
    for known in (None, metrics):  # metrics read from the groups, or kept by the caller
        got, score = link._best_group(metric, groups, known)
        assert score == want_score
        assert got is (groups[want] if want is not None else None)


def test_rebuild_carries_decisions_over(session) -> None:  # type: ignore[no-untyped-def]
    """Rebuild writes flags in bulk but decides as incremental linking does: an unchanged
    decision stands, new evidence reopens it, a reviewed flag whose conflict is gone is
    dismissed by tracker, an unreviewed one is deleted."""
    load_corpus(session)
    flags = {f["period"]: f for f in link.conflicts(session, status=None) if f["metric"] == "bilateral trade"}
    f2022, f2020, f2023 = flags["2022"]["id"], flags["2020"]["id"], flags["2023"]["id"]
    link.review(session, f2022, "dismiss", "rounding", "ed")
    link.review(session, f2020, "confirm", "checked", "ed")
    add_article(
        session,
        "Kommersant",
        "2023-04-01",
        "Trade between Russia and China reached $172 billion in 2022.",
        claims=[{"surface": "$172 billion", "value": 172 * B, "year": 2022}],
        link_now=False,
    )
    # Make every 2020 and 2023 figure agree (trade, and 2023 oil too): those conflicts are gone.
    for year, value in ((2020, 104 * B), (2023, 240.1 * B)):
        for c in session.scalars(select(Claim).where(Claim.period == str(year))):
            c.value, c.low, c.high, c.hedge, c.surface = value, None, None, None, f"${value / B:g} billion"
    session.flush()
    res = link.rebuild(session)
    assert res.flags_reopened == 1 and res.flags_cleared == 3
    f = session.get(Flag, f2022)
    assert f.status == "open" and f.group_id is not None
    history = link.show_flag(session, f2022)["history"]
    assert [h["action"] for h in history] == ["dismiss", "auto-reopen"]
    assert "$172 billion" in history[1]["note"]
    f = session.get(Flag, f2020)
    assert f.status == "dismissed" and f.group_id is None
    assert [h["action"] for h in link.show_flag(session, f2020)["history"]] == ["confirm", "auto-dismiss"]
    assert session.get(Flag, f2023) is None
    # A second rebuild changes nothing.
    res = link.rebuild(session)
    assert res.flags_new == res.flags_reopened == res.flags_cleared == 0


def test_large_groups_are_judged_as_every_pair_would_be() -> None:
    """The O(n log n) judge agrees with comparing every pair: verdict, claims in conflict,
    severity, and the pair it names (the first most distant one, ties included)."""
    import random
    from types import SimpleNamespace

    hedges = [None, "nearly", "about", "up to", "more than"]
    rng = random.Random(7)
    verdicts: dict[str, int] = {"consistent": 0, "conflict": 0}
    partly = 0
    for trial in range(60):
        n = rng.randint(link.PAIRWISE_MAX + 1, 160)
        base = rng.choice([104, 190, 240])
        outliers = rng.choice([0.0, 0.0, 0.02, 0.2])  # some groups agree, some have a few outliers
        claims = []
        for i in range(n):
            drift = rng.choice([0, 0.001]) if rng.random() >= outliers else rng.choice([-0.1, 0.05])
            v = round(base * (1 + drift)) if rng.random() < 0.8 else round(base * (1 + drift), 1)
            claims.append(
                SimpleNamespace(
                    id=i + 1,
                    article_id=rng.randint(1, max(2, n // rng.choice([1, 3, 20]))),
                    surface=f"${v} billion",
                    value=v * B,
                    low=None,
                    high=None,
                    unit="USD",
                    hedge=rng.choice(hedges),
                )
            )
        fast = link.judge(claims)
        slow_limit, link.PAIRWISE_MAX = link.PAIRWISE_MAX, 10**9
        try:
            slow = link.judge(claims)
        finally:
            link.PAIRWISE_MAX = slow_limit
        verdicts[fast.verdict] += 1
        partly += 0 < len(fast.in_conflict) < n
        assert fast.verdict == slow.verdict, trial
        assert fast.in_conflict == slow.in_conflict, trial
        assert fast.severity == slow.severity, trial
        assert fast.worst == slow.worst, trial  # the same pair, ties included
    # The generator made both kinds of group, and groups where only some figures conflict.
    assert verdicts["consistent"] >= 5 and verdicts["conflict"] >= 5 and partly >= 5, (verdicts, partly)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # A place or party swapped: another statement, however close the wording.
        (
            "Officials from Russia and China met on Tuesday to discuss economic ties",
            "Officials from Russia and Germany met on Tuesday to discuss economic ties",
            False,
        ),
        # The same frame with other content words poured in.
        (
            "The customs reform in the north opens the door to long-term investment "
            "as the energy market recovers",
            "The customs reform in the Far East opens the door to long-term investment "
            "as the fishing market recovers",
            False,
        ),
        # Translation wobble and a name trimmed at the edge stay one quotation.
        (
            "Russia and China will never allow anyone to dictate to them how to build their relations.",
            "Russia and China will never let anyone dictate to them how to build their relations.",
            True,
        ),
        (
            "Moscow and Beijing will keep building a fair multipolar world order together with partners",
            "Beijing will keep building a fair multipolar world order together with partners",
            True,
        ),
        # The direction reversed: the same words, another statement.
        (
            "Gas exports from Russia to India will double over the next five years",
            "Gas exports from India to Russia will double over the next five years",
            False,
        ),
        # The same direction written the other way round, and "and" in either order: one quotation.
        (
            "Gas exports from Russia to India will double over the next five years",
            "Gas exports to India from Russia will double over the next five years",
            True,
        ),
        (
            "Trade between Russia and China will keep growing despite the sanctions",
            "Trade between China and Russia will keep growing despite the sanctions",
            True,
        ),
    ],
)
def test_variants_do_not_swap_names_or_content(a: str, b: str, same: bool) -> None:
    _score, relation = link.quote_similarity(link.normalise_quote(a), link.normalise_quote(b))
    assert (relation is not None) == same, relation


@pytest.mark.parametrize(
    "short",
    [
        "Our trade is growing rapidly and is diversifying",
        "the best proof of the strategic character of our relations",
    ],
)
def test_quote_trimmed_at_one_edge_shares_a_key(short: str) -> None:
    """Under WINNOW + 1 content words winnowing promises no shared key; the edge bigrams do
    (Peskov's quotation, whole in TASS and cut after "diversifying" in three outlets)."""
    whole = link.normalise_quote(
        "Our trade is growing rapidly and is diversifying. "
        "This is the best proof of the strategic character of our relations."
    )
    a, b = link.normalise_quote(short), whole
    ka, kb = link.quote_keys(a), link.quote_keys(b)
    assert len(ka & kb) >= link.min_shared_keys(len(ka), len(kb))
    assert link.quote_similarity(a, b)[1] == "fragment"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),  # article
            st.sampled_from([100, 101, 104, 108, 115, 120, 240]),  # $bn, many ties
            st.sampled_from([None, "nearly", "about", "up to", "more than"]),
        ),
        min_size=2,
        max_size=30,
    )
)
def test_sorted_judge_names_the_pair_every_pair_names(figures: list[tuple[int, int, str | None]]) -> None:
    """Small groups with many equal figures: the sweep and the pairwise loop agree on
    everything, including which of equally distant pairs comes first."""
    claims = [
        SimpleNamespace(
            id=i + 1,
            article_id=art,
            surface=f"${v} bn",
            value=v * B,
            hedge=h,
            low=None,
            high=None,
        )
        for i, (art, v, h) in enumerate(figures)
    ]
    limit = link.PAIRWISE_MAX
    try:
        link.PAIRWISE_MAX = 1
        fast = link.judge(claims)
        link.PAIRWISE_MAX = 10**9
        slow = link.judge(claims)
    finally:
        link.PAIRWISE_MAX = limit
    assert (fast.verdict, fast.in_conflict, fast.severity, fast.worst) == (
        slow.verdict,
        slow.in_conflict,
        slow.severity,
        slow.worst,
    )
