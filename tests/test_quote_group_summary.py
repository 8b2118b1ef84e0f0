"""A quote group's summary (size, speaker, first appearance, representative wording) is kept
up to date from each run's new members alone, with per-speaker counts in
quote_group_speakers, and must always equal the summary read from all its members.

One statement by Alexei Miller travels through five articles ingested one run at a time:
a longer wording published earlier arrives second, then Vladimir Putin repeats it three
times, so the representative, the first date and the speaker all change along the way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from tracker.cli import main
from tracker.db import connect, session_factory
from tracker.models import Article, Person, Quote, QuoteGroup, QuoteGroupMember, QuoteGroupSpeaker

SHORT = "We will not raise gas prices for households this winter"
LONG = "We will not raise gas prices for households this winter, whatever happens on the markets in Europe"
ARTICLES = [
    ("2024-03-10", f"“{SHORT},” Alexei Miller said after the board meeting in St Petersburg."),
    ("2024-03-05", f"Alexei Miller told shareholders in Moscow: “{LONG}.”"),
    ("2024-03-12", f"“{SHORT},” Vladimir Putin said at a televised meeting with the cabinet."),
    ("2024-03-13", f"Speaking in Sochi, Vladimir Putin repeated the promise: “{SHORT}.”"),
    ("2024-03-14", f"“{SHORT},” Vladimir Putin said during a visit to a power plant in Tula."),
]


def _ingest_one(tmp_path: Path, db_url: str, i: int) -> None:
    day, text = ARTICLES[i]
    path = tmp_path / f"outlet{i}.txt"
    path.write_text(f" date {day}\n{text}\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["ingest", str(path), "--db", db_url, "--jobs", "1"], catch_exceptions=False)
    assert r.exit_code == 0, r.output


def _group(db_url: str) -> tuple[dict[str, object], dict[str, object], dict[str, int]]:
    """The statement's group: (stored summary, summary read from its members, appearances
    per speaker); also checks the stored counts against the members."""
    engine = connect(db_url)
    with session_factory(engine)() as s:
        gid = s.scalar(
            select(QuoteGroupMember.group_id)
            .join(Quote, Quote.id == QuoteGroupMember.quote_id)
            .where(Quote.text.like("We will not raise gas prices%"))
            .limit(1)
        )
        g = s.get(QuoteGroup, gid)
        assert g is not None
        name = {p.id: p.name for p in s.scalars(select(Person))}
        stored = {
            "size": g.size,
            "speaker": name.get(g.person_id) if g.person_id else None,
            "representative": s.get(Quote, g.quote_id).text if g.quote_id else None,
            "first_published": g.first_published,
        }
        members = s.execute(
            select(Quote.id, Quote.text, Quote.person_id, Article.published)
            .join(QuoteGroupMember, QuoteGroupMember.quote_id == Quote.id)
            .join(Article, Article.id == Quote.article_id)
            .where(QuoteGroupMember.group_id == gid)
        ).all()
        # From scratch, by the documented rules: most appearances (ties: the earliest named);
        # the longest wording (ties: the earliest published).
        per_person: dict[int, list[int]] = {}
        for qid, _text, person, _pub in members:
            if person is not None:
                per_person.setdefault(person, []).append(qid)
        leader = min(per_person, key=lambda p: (-len(per_person[p]), min(per_person[p])), default=None)
        rep = min(members, key=lambda m: (-len(m[1]), m[3] or dt.date.max, m[0]))
        recomputed = {
            "size": len(members),
            "speaker": name[leader] if leader else None,
            "representative": rep[1],
            "first_published": min(m[3] for m in members),
        }
        speakers = QuoteGroupSpeaker.person_id, QuoteGroupSpeaker.quotes, QuoteGroupSpeaker.first_quote_id
        counts = {
            name[p]: (n, first)
            for p, n, first in s.execute(select(*speakers).where(QuoteGroupSpeaker.group_id == gid))
        }
        assert counts == {name[p]: (len(q), min(q)) for p, q in per_person.items()}
    engine.dispose()
    return stored, recomputed, {k: n for k, (n, _first) in counts.items()}


def test_summary_follows_each_run_and_matches_its_members(tmp_path: Path, db_url: str) -> None:
    # What a reader expects after each article (speaker counts; the longer wording wins).
    expected = [
        (1, "Alexei Miller", SHORT, dt.date(2024, 3, 10), {"Alexei Miller": 1}),
        (2, "Alexei Miller", LONG, dt.date(2024, 3, 5), {"Alexei Miller": 2}),
        (3, "Alexei Miller", LONG, dt.date(2024, 3, 5), {"Alexei Miller": 2, "Vladimir Putin": 1}),
        # Two each: the tie goes to the speaker named first (Miller).
        (4, "Alexei Miller", LONG, dt.date(2024, 3, 5), {"Alexei Miller": 2, "Vladimir Putin": 2}),
        (5, "Vladimir Putin", LONG, dt.date(2024, 3, 5), {"Alexei Miller": 2, "Vladimir Putin": 3}),
    ]
    for i, (size, speaker, rep, first, counts) in enumerate(expected):
        _ingest_one(tmp_path, db_url, i)
        stored, recomputed, got_counts = _group(db_url)
        assert stored == recomputed, f"after article {i + 1}"
        assert str(stored["representative"]).rstrip(",.") == rep, f"after article {i + 1}"
        assert (stored["size"], stored["speaker"], stored["first_published"]) == (size, speaker, first)
        assert got_counts == counts

    # A rebuild from scratch writes the same summary and counts.
    before = _group(db_url)
    r = CliRunner().invoke(main, ["link", "--rebuild", "--db", db_url], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert _group(db_url) == before


def test_merging_speakers_moves_their_counts(tmp_path: Path, db_url: str) -> None:
    for i in range(len(ARTICLES)):
        _ingest_one(tmp_path, db_url, i)
    assert _group(db_url)[0]["speaker"] == "Vladimir Putin"
    # An editor folds Putin into Miller (a deliberate test of the bookkeeping, not of sense):
    # the group's five appearances now all name Miller, and it is his, not speakerless.
    r = CliRunner().invoke(main, ["speakers", "merge", "Alexei Miller", "Vladimir Putin", "--db", db_url])
    assert r.exit_code == 0, r.output
    stored, recomputed, counts = _group(db_url)
    assert stored == recomputed
    assert stored["speaker"] == "Alexei Miller" and counts == {"Alexei Miller": 5}


def test_migration_fills_the_counts_of_an_older_database(tmp_path: Path, db_url: str) -> None:
    """A database linked before quote_group_speakers existed gets its counts on upgrade."""
    from alembic import command

    from tracker.db import alembic_config

    for i in range(len(ARTICLES)):
        _ingest_one(tmp_path, db_url, i)
    before = _group(db_url)
    engine = connect(db_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    engine.dispose()
    assert _group(db_url) == before
