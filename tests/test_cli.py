"""The CLI end to end on real databases: ingest, extract, who-said, stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from spans import assert_spans
from sqlalchemy import func, select

from tracker.cli import main
from tracker.db import connect, session_factory
from tracker.models import Article, Claim, Person, Quote

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def run(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def counts(db: str) -> dict[str, int]:
    engine = connect(db)
    with session_factory(engine)() as s:
        out = {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Article, Quote, Claim)
        }
    engine.dispose()
    return out


def test_ingest_seeds_twice_stores_once(db_url: str) -> None:
    r = run("ingest", str(SEEDS), "--db", db_url, "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert "5 new, 0 unchanged, 0 failed" in r.stderr
    first = counts(db_url)
    assert first["articles"] == 5 and first["quotes"] > 20 and first["claims"] >= 5
    r = run("ingest", str(SEEDS), "--db", db_url)
    assert r.exit_code == 0
    assert "0 new, 5 unchanged, 0 failed" in r.stderr
    assert counts(db_url) == first


def test_stored_spans_match_article_text(db_url: str) -> None:
    run("ingest", str(SEEDS), "--db", db_url)
    engine = connect(db_url)
    with session_factory(engine)() as s:
        for art in s.scalars(select(Article)):
            for q in art.quotes:
                assert art.text[q.start_char : q.end_char] == q.text
                assert q.start_char >= art.body_start
                if q.mention_start is not None:
                    assert art.text[q.mention_start : q.mention_end] == q.mention
                if q.cue_start is not None:
                    assert art.text[q.cue_start : q.cue_end] == q.cue
            for c in art.claims:
                assert art.text[c.start_char : c.end_char] == c.surface
    engine.dispose()


def test_who_said_names_wang_yi(db_url: str) -> None:
    run("ingest", str(SEEDS), "--db", db_url)
    r = run("who-said", "Ukrainian crisis", "--db", db_url, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and rows[0]["speaker"] == "Wang Yi"
    assert rows[0]["date"] == "2022-10-02"
    r = run("who-said", "Ukrainian crisis", "--db", db_url, "--format", "csv")
    assert r.stdout.splitlines()[0].startswith("id,") and "Wang Yi" in r.stdout


def test_mixed_batch_stores_good_names_bad_exit_1(tmp_path: Path, db_url: str) -> None:
    good = tmp_path / "good.txt"
    good.write_text(' date 2024-02-01 "Exports rose to $5 billion," the minister said.', encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("The café owner said sales fell 5% in 2023.".encode("cp1252"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "feed.jsonl").write_text(
        '{"text": "Trade reached $190 billion in 2022, officials said.", "url": "https://example.org/x"}\n'
        "{broken\n",
        encoding="utf-8",
    )
    r = run("ingest", str(tmp_path), "--db", db_url)
    assert r.exit_code == 1
    assert "empty.txt: empty file" in r.stderr
    assert "binary.txt: binary file" in r.stderr
    assert "feed.jsonl:2: malformed JSON line" in r.stderr
    assert "3 new, 0 unchanged, 3 failed" in r.stderr
    engine = connect(db_url)
    with session_factory(engine)() as s:
        locs = {a.location: a.encoding for a in s.scalars(select(Article))}
    engine.dispose()
    assert locs == {str(good): "utf-8", str(latin): "cp1252", "https://example.org/x": "utf-8"}
    assert "Traceback" not in r.output


def test_ingest_stdin(db_url: str) -> None:
    r = run("ingest", "-", "--db", db_url, input=b' date 2020-05-05 "We will win," said Jane Doe.')
    assert r.exit_code == 0, r.output
    assert counts(db_url)["articles"] == 1


def test_parallel_ingest_matches_serial(tmp_path: Path) -> None:
    one, two = str(tmp_path / "one.db"), str(tmp_path / "two.db")
    assert run("ingest", str(SEEDS), "--db", one, "--jobs", "1").exit_code == 0
    assert run("ingest", str(SEEDS), "--db", two, "--jobs", "2").exit_code == 0
    rows = []
    for db in (one, two):
        engine = connect(db)
        with session_factory(engine)() as s:
            rows.append(
                sorted(
                    (a.sha256, q.start_char, q.end_char, q.kind, p)
                    for q, a, p in s.execute(
                        select(Quote, Article, Person.name).join(Article).outerjoin(Person)
                    )
                )
            )
        engine.dispose()
    assert rows[0] == rows[1]


def test_extract_json_contract(tmp_path: Path) -> None:
    files = sorted(str(p) for p in SEEDS.glob("*.txt"))
    r = run("extract", "--format", "json", *files)
    assert r.exit_code == 0, r.output
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["file"] for d in docs] == files
    for d in docs:
        text = Path(d["file"]).read_text(encoding="utf-8")
        assert set(d) >= {"file", "date", "quotes", "claims"}
        for q in d["quotes"]:
            assert set(q) >= {"text", "speaker", "kind", "start", "end"}
            assert q["kind"] in ("direct", "partial", "indirect")
        for c in d["claims"]:
            assert set(c) >= {
                "surface",
                "value",
                "unit",
                "hedge",
                "metric",
                "period",
                "speaker",
                "start",
                "end",
            }
        assert_spans(text, d["quotes"])
        assert_spans(text, d["claims"], (("start", "end", "surface"),))
    dated = {Path(d["file"]).name: d["date"] for d in docs}
    assert dated["000_0b41f3e2fd4cf3d4.txt"] is None
    assert dated["002_a3a351e161b97a9b.txt"] == "2021-07-15"


def test_date_line_is_never_a_claim_or_quote(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(" date 2023-03-20 Exports reached $5 billion.", encoding="utf-8")
    (doc,) = [json.loads(x) for x in run("extract", str(f)).stdout.splitlines()]
    assert all(c["start"] >= len(" date 2023-03-20") for c in doc["claims"])
    assert any(c["value"] == 5e9 and c["unit"] == "USD" for c in doc["claims"])


def test_store_is_all_or_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    from tracker.pipeline import analyse, store
    from tracker.read import make_article

    art = make_article('"Trade hit $10 billion," the minister said. "It will grow," he added.', "x.txt")
    Session = session_factory(engine)
    with pytest.raises(RuntimeError), Session() as s, s.begin():
        store(s, art, analyse(art.text))
        raise RuntimeError("crash after the article was written, before commit")
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 0
        assert s.scalar(select(func.count()).select_from(Quote)) == 0
        assert s.scalar(select(func.count()).select_from(Claim)) == 0


def test_usage_errors_exit_2(db_url: str) -> None:
    assert CliRunner().invoke(main, ["ingest"]).exit_code == 2
    assert CliRunner().invoke(main, ["ingest", "x", "--max-size", "lots"]).exit_code == 2
    assert CliRunner().invoke(main, ["who-said", "x", "--since", "yesterday", "--db", db_url]).exit_code == 2


def test_stats(db_url: str) -> None:
    run("ingest", str(SEEDS), "--db", db_url)
    r = run("stats", "--db", db_url, "--format", "json")
    rows = {d["what"]: d["count"] for d in map(json.loads, r.stdout.splitlines())}
    assert rows["articles"] == 5
