"""Linking at scale: time, memory and planted-pair recall of ``tracker.link``.

Builds a synthetic corpus in a fresh SQLite database (Alembic-migrated, bulk inserts,
not timed): articles of 5 quotes and 5 claims each, with planted repeats (a quote
re-reported in a later article with a changed word, different punctuation, or trimmed
to a fragment) and planted conflicts (the same metric, entities and period with a value
20% off) and planted agreements (the same figure rounded). Then times a full
``link.rebuild`` (blocking + rapidfuzz + grouping + flags, written to the database),
reports peak memory and recall of the planted pairs, and times ``link_article`` for one
new article on top of the linked database.

    .venv/bin/python benchmarks/bench_link.py                 # 10k quotes + 10k claims
    .venv/bin/python benchmarks/bench_link.py --size 1000000  # the 1M target
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

PER_ARTICLE = 5
REPEAT_SHARE = 0.2  # of quotes: a planted repeat of an earlier quote
CONFLICT_SHARE = 0.05  # of claims: a planted conflicting figure
AGREE_SHARE = 0.05  # of claims: a planted agreeing (rounded) figure


def _vocab(rng: random.Random, n: int) -> list[str]:
    syl = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "sa",
        "to",
        "vi",
        "de",
        "po",
        "zan",
        "kor",
        "tel",
        "mar",
        "bis",
        "gun",
    ]
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(syl) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _mutate(rng: random.Random, words: list[str], vocab: list[str]) -> tuple[str, str]:
    kind = rng.choice(["punct", "word", "fragment"])
    w = list(words)
    if kind == "punct":
        return " ".join(w).capitalize() + "!", kind
    if kind == "word":
        w[rng.randrange(len(w))] = rng.choice(vocab)
        return " ".join(w) + ".", kind
    cut = rng.randint(1, 3)
    return " ".join(w[cut : len(w) - 1]), kind


def build(db: str, size: int, seed: int = 7) -> dict[str, object]:
    from sqlalchemy import insert

    from tracker.db import connect, session_factory
    from tracker.models import Article, Claim, Person, Quote, Source

    rng = random.Random(seed)
    vocab = _vocab(rng, 20_000)
    speakers = [f"{rng.choice(vocab).title()} {rng.choice(vocab).title()}" for _ in range(2_000)]
    countries = [rng.choice(vocab).title() for _ in range(40)]
    # Metric words drawn across the vocabulary: the first 300 in sorted order are near-copies
    # of one another ("bisbis", "bisbisde", "bisbiska"), which no real set of metrics is.
    metric_words = rng.sample(vocab, 300)
    engine = connect(db)
    n_articles = size // PER_ARTICLE
    planted_quotes: list[tuple[int, int]] = []
    planted_conflicts: list[tuple[int, int]] = []
    planted_agree: list[tuple[int, int]] = []
    base = dt.date(2015, 1, 1)
    with session_factory(engine)() as s, s.begin():
        s.execute(insert(Source), [{"id": i + 1, "name": f"outlet{i}"} for i in range(50)])
        s.execute(insert(Person), [{"id": i + 1, "name": n} for i, n in enumerate(dict.fromkeys(speakers))])
        n_people = len(dict.fromkeys(speakers))
        arts, quotes, claims = [], [], []
        quote_words: list[list[str]] = []
        quote_person: list[int] = []
        claim_rows: list[dict[str, object]] = []
        qid = cid = 0
        for a in range(n_articles):
            published = base + dt.timedelta(days=a * 3650 // max(n_articles, 1))
            parts: list[str] = []
            pos = 0
            art_quotes, art_claims = [], []
            for _ in range(PER_ARTICLE):
                qid += 1
                if quote_words and rng.random() < REPEAT_SHARE:
                    src = rng.randrange(len(quote_words))
                    text, _kind = _mutate(rng, quote_words[src], vocab)
                    person = quote_person[src]
                    planted_quotes.append((src + 1, qid))
                    words = text.rstrip(".!").lower().split()
                else:
                    words = [rng.choice(vocab) for _ in range(rng.randint(12, 25))]
                    text = " ".join(words) + "."
                    person = rng.randint(1, n_people)
                quote_words.append([w.strip(".!").lower() for w in text.split()] if words else [])
                quote_person.append(person)
                sentence = f"Someone said: “{text}” "
                start = pos + sentence.index(text)
                art_quotes.append(
                    {
                        "id": qid,
                        "article_id": a + 1,
                        "person_id": person,
                        "kind": "direct",
                        "text": text,
                        "start_char": start,
                        "end_char": start + len(text),
                    }
                )
                parts.append(sentence)
                pos += len(sentence)
            for _ in range(PER_ARTICLE):
                cid += 1
                r = rng.random()
                if claim_rows and r < CONFLICT_SHARE + AGREE_SHARE:
                    src = claim_rows[rng.randrange(len(claim_rows))]
                    row = dict(src)
                    src_number = float(src["value"]) / 1e9  # type: ignore[arg-type]
                    if r < CONFLICT_SHARE:
                        surface = f"${round(src_number * 0.8, 1)} billion"
                        planted_conflicts.append((int(src["id"]), cid))  # type: ignore[call-overload]
                    else:
                        surface = f"${round(src_number):d} billion"
                        planted_agree.append((int(src["id"]), cid))  # type: ignore[call-overload]
                    number = float(surface.removeprefix("$").removesuffix(" billion"))
                else:
                    c1, c2 = rng.sample(countries, 2)
                    year = rng.randint(2000, 2024)
                    number = round(rng.uniform(10, 900), 1)
                    row = {
                        "metric": f"{rng.choice(metric_words)} {rng.choice(metric_words)}",
                        "entities": "; ".join(sorted((c1, c2))),
                        "period": str(year),
                        "period_start": dt.date(year, 1, 1),
                        "period_end": dt.date(year, 12, 31),
                        "unit": "USD",
                    }
                    surface = f"${number} billion"
                sentence = f"The figure was {surface} that year. "
                start = pos + sentence.index(surface)
                row.update(
                    id=cid,
                    article_id=a + 1,
                    surface=surface,
                    start_char=start,
                    end_char=start + len(surface),
                    value=number * 1e9,
                    low=number * 1e9,
                    high=number * 1e9,
                    quantity_kind="money",
                    is_target=False,
                    person_id=None,
                    quote_id=None,
                    hedge=None,
                )
                row["value"] = number * 1e9
                art_claims.append(row)
                claim_rows.append(row)
                parts.append(sentence)
                pos += len(sentence)
            arts.append(
                {
                    "id": a + 1,
                    "sha256": f"{a:064d}",
                    "text": "".join(parts),
                    "body_start": 0,
                    "location": f"synthetic/{a}.txt",
                    "published": published,
                    "source_id": a % 50 + 1,
                    "encoding": "utf-8",
                    "extractor_version": "bench",
                }
            )
            quotes.extend(art_quotes)
            claims.extend(art_claims)
            if len(arts) >= 2_000:
                s.execute(insert(Article), arts)
                s.execute(insert(Quote), quotes)
                s.execute(insert(Claim), claims)
                arts, quotes, claims = [], [], []
        if arts:
            s.execute(insert(Article), arts)
            s.execute(insert(Quote), quotes)
            s.execute(insert(Claim), claims)
    engine.dispose()
    return {
        "quotes": qid,
        "claims": cid,
        "articles": n_articles,
        "planted_quotes": planted_quotes,
        "planted_conflicts": planted_conflicts,
        "planted_agree": planted_agree,
        "vocab": vocab,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10_000, help="quotes (and claims) to generate")
    ap.add_argument("--db", default=None, help="SQLite file to use (default: a temporary one)")
    args = ap.parse_args()

    from sqlalchemy import select

    from tracker import link
    from tracker.db import connect, session_factory
    from tracker.models import ClaimGroupMember, FlagClaim, QuoteGroupMember

    tmp = tempfile.TemporaryDirectory()
    db = args.db or str(Path(tmp.name) / "bench.db")
    t0 = time.perf_counter()
    # Built in a child process so the peak RSS printed below is linking's own, not the
    # generator's (which holds the whole corpus as Python dicts).
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        info = pool.apply(build, (db, args.size))
    setup = time.perf_counter() - t0
    print(
        f"corpus: {info['articles']:,} articles, {info['quotes']:,} quotes, {info['claims']:,} claims "
        f"(built in {setup:.1f}s, not counted)"
    )

    engine = connect(db)
    Session = session_factory(engine)
    t0 = time.perf_counter()
    with Session() as s, s.begin():
        res = link.rebuild(s)
    full = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"rebuild: {full:.1f}s for {info['quotes']:,} quotes + {info['claims']:,} claims "
        f"({(info['quotes'] + info['claims']) / full:,.0f} items/s); peak RSS {peak_mb:,.0f} MB"
    )
    print(f"  {res.summary()}")

    with Session() as s:
        qgroup = dict(s.execute(select(QuoteGroupMember.quote_id, QuoteGroupMember.group_id)).all())
        cgroup = dict(s.execute(select(ClaimGroupMember.claim_id, ClaimGroupMember.group_id)).all())
        flagged = {cid for (cid,) in s.execute(select(FlagClaim.claim_id).where(FlagClaim.in_conflict))}
        n_flags = len({f for (f,) in s.execute(select(FlagClaim.flag_id))})
    pq = info["planted_quotes"]
    hit = sum(qgroup.get(a) == qgroup.get(b) for a, b in pq)  # type: ignore[union-attr]
    print(f"planted quote repeats: recall {hit / max(len(pq), 1):.3f} ({hit:,}/{len(pq):,})")  # type: ignore[arg-type]
    pc = info["planted_conflicts"]
    chit = sum(cgroup.get(a) == cgroup.get(b) and a in flagged and b in flagged for a, b in pc)  # type: ignore[union-attr]
    print(f"planted conflicts: recall {chit / max(len(pc), 1):.3f} ({chit:,}/{len(pc):,}); {n_flags:,} flags")  # type: ignore[arg-type]
    pa = info["planted_agree"]
    grouped = sum(cgroup.get(a) == cgroup.get(b) for a, b in pa)  # type: ignore[union-attr]
    with Session() as s:
        rows = {
            c.id: c
            for c in s.execute(select(*link.CLAIM_COLS).where(link.Claim.id.in_({x for p in pa for x in p})))
        }  # type: ignore[union-attr]
    wrong = 0
    for a, b in pa:  # type: ignore[union-attr]
        (alo, ahi), (blo, bhi) = link.interval(rows[a]), link.interval(rows[b])
        wrong += ahi < blo or bhi < alo
    planted = {frozenset(p) for p in pc}  # type: ignore[union-attr]
    print(
        f"planted agreements: grouped {grouped / max(len(pa), 1):.3f}; "
        f"judged conflicting by mistake {wrong:,}"
    )  # type: ignore[arg-type]
    with Session() as s:
        by_flag: dict[int, list[int]] = {}
        for f, c in s.execute(select(FlagClaim.flag_id, FlagClaim.claim_id)):
            by_flag.setdefault(f, []).append(c)
    unplanted = sum(not any(frozenset((x, y)) in planted for x in cs for y in cs) for cs in by_flag.values())
    # Unplanted flags group independent random figures whose random two-word metrics match
    # fuzzily (METRIC_CUTOFF) in one block (same entities and year); blocks get crowded
    # with size (about 0.5 figures each at 10k, 50 at 1M), so this grows faster than linearly.
    print(f"flags without a planted conflict (random metrics matched): {unplanted:,} of {len(by_flag):,}")
    del (
        rows,
        by_flag,
        qgroup,
        cgroup,
        flagged,
        info["planted_quotes"],
        info["planted_conflicts"],
        info["planted_agree"],
    )

    # Incremental: one new article (5 quotes, one a repeat; 5 claims, one conflicting).
    from sqlalchemy import func, insert

    from tracker.models import Article, Claim, Quote

    times = []
    with Session() as s:
        for k in range(20):
            with s.begin():
                aid = (s.scalar(select(func.max(Article.id))) or 0) + 1
                old = s.get(Quote, 1 + k)
                texts = [old.text] + [" ".join(random.sample(info["vocab"], 15)) + "." for _ in range(4)]  # type: ignore[union-attr, arg-type]
                body = " ".join(f"“{t}”" for t in texts)
                s.execute(
                    insert(Article),
                    [
                        {
                            "id": aid,
                            "sha256": f"new{aid}",
                            "text": body,
                            "location": f"new/{aid}.txt",
                            "published": dt.date(2025, 1, 1),
                            "extractor_version": "bench",
                            "source_id": 1,
                        }
                    ],
                )
                pos = 0
                for t in texts:
                    start = body.index(t, pos)
                    s.add(
                        Quote(
                            article_id=aid, kind="direct", text=t, start_char=start, end_char=start + len(t)
                        )
                    )
                    pos = start + len(t)
                c = s.get(Claim, 1 + k)
                s.add(
                    Claim(
                        article_id=aid,
                        surface=c.surface,
                        start_char=0,
                        end_char=1,
                        value=(c.value or 0) * 0.5,  # type: ignore[union-attr]
                        unit=c.unit,
                        metric=c.metric,
                        entities=c.entities,
                        period=c.period,  # type: ignore[union-attr]
                        period_start=c.period_start,
                        period_end=c.period_end,
                        is_target=False,
                    )
                )  # type: ignore[union-attr]
                s.flush()
                t0 = time.perf_counter()
                link.link_article(s, aid)
                times.append(time.perf_counter() - t0)
    times.sort()
    print(
        f"incremental link_article (5 quotes + 1 claim): median {times[len(times) // 2] * 1000:.1f} ms, "
        f"max {times[-1] * 1000:.1f} ms over {len(times)} articles"
    )
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
