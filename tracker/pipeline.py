"""analyse(text) → quotes, claims, people (pure); ingest(engine, inputs) → stored articles.

``analyse`` runs the extractors on an article and ties each figure to the quotation
(direct or reported) that contains it. ``tracker extract`` prints its result; ``ingest``
stores it, one transaction per article: the article row, its people, quotes and
claims all commit together or not at all. Re-ingesting the same text (same SHA-256)
changes nothing. Extraction may run in worker processes (``jobs``); writes happen in
this process only, so SQLite sees one writer per ingest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracker import EXTRACTOR_VERSION
from tracker.claims import Claim, find_claims
from tracker.quotes import Quote, find_quotes_with_warnings
from tracker.read import ArticleText, ReadError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

# Articles sent to the worker pool at a time: big enough to amortise the pickling
# round trip, small enough that memory stays flat however large the corpus.
BATCH = 64
# Attempts at an article transaction that hit a transient failure (SQLite busy past
# the timeout, a unique-constraint race with a concurrent ingester on people/sources).
RETRIES = 5
# Errors that mean just that: SQLite busy past the timeout, a PostgreSQL deadlock or
# serialization failure between two writers. The transaction was rolled back.
TRANSIENT = ("locked", "busy", "deadlock detected", "could not serialize")
# How much lower the extraction workers' scheduling priority is than the writer's.
WORKER_NICENESS = 10
# Batches extracted ahead of the writer: enough to keep the workers busy through a
# linking step (LOOKAHEAD * BATCH = LINK_BATCH articles; memory stays bounded by it).
LOOKAHEAD = 32
# Queued articles linked per linking transaction: one pass over a batch costs a few
# statements instead of a few dozen per article (tracker.link.link_articles), and the
# posting lists of a batch's common keys are read once for all its articles. 10k bench
# articles with 2 jobs, alternating runs: 256 (lookahead 8) 158-181 articles/s, 1,024
# (16) 192-220, 2,048 (32) 218-235, 4,096 (64) 217-218 with 120 MiB more memory.
LINK_BATCH = 2048
# Allocations between the cyclic garbage collector's passes during ingest (gen0, gen1,
# gen2 as gc.set_threshold takes them; Python's default is 700, 10, 10). Almost
# everything ingest allocates is freed by reference counting, yet at the default a
# writer holding LINK_BATCH articles in flight ran 8,000 young passes and 30 full ones
# per 10k articles: 6 s of a 41 s run (2 jobs), 4 s of them full passes re-walking the
# in-flight batches. Here: 230-400 young passes and at most one full one per 10k (2 jobs:
# 6.2-6.9 s -> 2.0-2.3 s of collection; writer alone: CPU 4.28/3.93 -> 3.65/3.46 ms an
# article, same peak RSS).
# Full passes still come, every 400 young ones, so cyclic garbage stays bounded.
INGEST_GC_THRESHOLD = (20_000, 20, 20)


@dataclass(frozen=True)
class PersonInArticle:
    name: str
    mentions: tuple[str, ...]
    role: str | None


@dataclass(frozen=True)
class Analysis:
    quotes: tuple[Quote, ...]
    claims: tuple[Claim, ...]
    claim_quote: tuple[int | None, ...]  # index into quotes of the quotation holding each claim
    people: tuple[PersonInArticle, ...]
    warnings: tuple[str, ...] = ()


def mask_prefix(text: str, body_start: int) -> str:
    """The text with the date line blanked, so offsets stay valid and the date is never a figure."""
    if body_start <= 0:
        return text
    return " " * body_start + text[body_start:]


def analyse(text: str, published: Any = None, body_start: int = 0) -> Analysis:
    """Extract quotes and claims from one article's text (pure; no database)."""
    body = mask_prefix(text, body_start)
    quotes, warnings = find_quotes_with_warnings(body)
    claims = find_claims(body, published)
    linked: list[Claim] = []
    holders: list[int | None] = []
    for c in claims:
        idx = _holding_quote(quotes, c.start, c.end)
        holders.append(idx)
        if idx is not None and quotes[idx].speaker:
            c = dataclasses.replace(c, speaker=quotes[idx].speaker)
        linked.append(c)
    people: dict[str, tuple[list[str], str | None]] = {}
    for q in quotes:
        if not q.speaker:
            continue
        mentions, role = people.setdefault(q.speaker, ([], None))
        if q.mention:
            mentions.append(q.mention)
        if q.role:
            people[q.speaker] = (mentions, q.role)
    return Analysis(
        quotes=tuple(quotes),
        claims=tuple(linked),
        claim_quote=tuple(holders),
        people=tuple(PersonInArticle(n, tuple(dict.fromkeys(m)), r) for n, (m, r) in people.items()),
        warnings=tuple(warnings),
    )


def _holding_quote(quotes: list[Quote], start: int, end: int) -> int | None:
    """Index of the narrowest quotation whose content span contains [start, end)."""
    best, width = None, None
    for i, q in enumerate(quotes):
        if q.start <= start and end <= q.end and (width is None or q.end - q.start < width):
            best, width = i, q.end - q.start
    return best


# --------------------------------------------------------------------------- extract


# Extracted fields stored under the same name in the quotes / claims tables; the rest
# are renamed (start → start_char, kind → quantity_kind) or joined (entities) in store().
QUOTE_FIELDS = (
    "kind",
    "text",
    "mention",
    "mention_start",
    "mention_end",
    "cue",
    "cue_start",
    "cue_end",
    "role",
)
CLAIM_FIELDS = (
    "surface", "value", "low", "high", "unit", "hedge", "metric", "period", "period_start", "period_end",
    "is_target", "value_start", "value_end", "unit_start", "unit_end", "hedge_start", "hedge_end",
    "metric_start", "metric_end", "scale", "surface_unit",
)  # fmt: skip


def quote_json(q: Quote) -> dict[str, Any]:
    return {"text": q.text, "speaker": q.speaker, "kind": q.kind, "start": q.start, "end": q.end} | {
        k: getattr(q, k) for k in QUOTE_FIELDS
    }


def claim_json(c: Claim) -> dict[str, Any]:
    d = dataclasses.asdict(c)
    out: dict[str, Any] = {
        "surface": c.surface,
        "value": c.value,
        "unit": c.unit,
        "hedge": c.hedge,
        "metric": c.metric,
        "period": c.period,
        "speaker": c.speaker,
        "start": c.start,
        "end": c.end,
    }
    for k, v in d.items():
        if k in out:
            continue
        if hasattr(v, "isoformat"):
            v = v.isoformat()
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


def extract_record(art: ArticleText) -> dict[str, Any]:
    """The ``tracker extract`` JSON object for one article."""
    a = analyse(art.text, art.published, art.body_start)
    return {
        "file": art.location,
        "date": art.published.isoformat() if art.published else None,
        "sha256": art.sha256,
        "quotes": [quote_json(q) for q in a.quotes],
        "claims": [claim_json(c) for c in a.claims],
        "warnings": list(art.warnings) + list(a.warnings),
    }


# --------------------------------------------------------------------------- ingest


@dataclass
class IngestReport:
    new: int = 0
    unchanged: int = 0
    failed: list[ReadError] = field(default_factory=list)
    quotes: int = 0
    claims: int = 0
    people: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    linked: int = 0  # articles linked (this run's and any a stopped run left queued)
    link: Any = None  # tracker.link.LinkResult, summed over the run
    link_error: str | None = None

    def __post_init__(self) -> None:
        if self.link is None:
            from tracker.link import LinkResult

            self.link = LinkResult()

    def summary(self) -> str:
        rate = (self.new + self.unchanged) / self.seconds if self.seconds else 0.0
        return (
            f"articles: {self.new} new, {self.unchanged} unchanged, {len(self.failed)} failed; "
            f"stored {self.quotes} quotes, {self.claims} claims, {self.people} new people "
            f"({self.seconds:.1f}s, {rate:.0f} articles/s); linked {self.linked} articles, "
            f"{self.link.quotes_linked} repeated quotes, {self.link.flags_new} new conflict flags"
        )


Prepared = dict[str, tuple[str, frozenset[int]]]  # tracker.link.Prepared
# What a worker returns for an article: its extraction, its quotes prepared for linking,
# or the reason extraction failed.
Extracted = tuple[Analysis | None, Prepared, str | None]


def _analyse_item(item: tuple[str, Any, int]) -> Extracted:
    """Extraction of one article's (text, published, body_start): what a worker is sent and
    returns, and no more (the article itself stays with the writer). The quotes' words and
    blocking keys for linking are worked out here too, off the writer's process."""
    from tracker.link import prepare_quote

    try:
        analysis = analyse(*item)
        return analysis, {q.text: prepare_quote(q.text) for q in analysis.quotes}, None
    except Exception as exc:  # an extractor bug must cost one article, never the batch
        return None, {}, f"extraction failed ({type(exc).__name__}: {exc})"


def _worker_priority() -> None:
    """Extraction workers yield the CPU to the writer: it stores and links every article
    itself, so it sets the pace. With as many workers as cores, they otherwise take their
    share of the writer's core (6,000 bench articles on 2 cores: 151-163 -> 163-171
    articles/s). Where cores are plenty, this changes nothing. They collect garbage as
    the writer does during ingest (a forked worker inherits that; a spawned one not)."""
    gc.set_threshold(*INGEST_GC_THRESHOLD)
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() on this platform, or not allowed
        pass


def _work(arts: list[ArticleText]) -> list[tuple[str, Any, int]]:
    return [(a.text, a.published, a.body_start) for a in arts]


@contextlib.contextmanager
def _ingest_gc() -> Iterator[None]:
    """INGEST_GC_THRESHOLD while an ingest runs; the caller's thresholds again after."""
    old = gc.get_threshold()
    gc.set_threshold(*INGEST_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _batches(items: Iterable[ArticleText | ReadError], size: int) -> Iterator[list[ArticleText | ReadError]]:
    batch: list[ArticleText | ReadError] = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@_ingest_gc()
def ingest(
    engine: Engine,
    items: Iterable[ArticleText | ReadError],
    *,
    jobs: int = 1,
    on_item: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Store every article in ``items``; ``on_item(location, outcome)`` reports progress.

    Outcome is one of "new", "unchanged", "failed: REASON".
    """
    from sqlalchemy import select

    from tracker.db import background_checkpoints, session_factory
    from tracker.models import Article

    report = IngestReport()
    people_cache = PeopleCache()
    t0 = time.perf_counter()
    Session = session_factory(engine)
    pool = None
    if jobs > 1:
        import multiprocessing as mp

        pool = mp.get_context("spawn" if os.name == "nt" else "fork").Pool(jobs, initializer=_worker_priority)

    def done(loc: str, outcome: str) -> None:
        if on_item:
            on_item(loc, outcome)

    def fresh_of(batch: list[ArticleText | ReadError]) -> list[ArticleText]:
        articles = []
        for it in batch:
            if isinstance(it, ReadError):
                report.failed.append(it)
                done(it.location, f"failed: {it.reason}")
            else:
                articles.append(it)
        if not articles:
            return []
        # Skip the extraction work for texts already stored (the common re-run case).
        with Session() as s:
            shas = {a.sha256 for a in articles}
            known = set(s.scalars(select(Article.sha256).where(Article.sha256.in_(shas))))
        fresh = []
        for a in articles:
            if a.sha256 in known:
                report.unchanged += 1
                done(a.location, "unchanged")
            else:
                fresh.append(a)
                known.add(a.sha256)  # the same text twice in one batch is stored once
        return fresh

    unlinked = 0

    # Prepared quotes of the articles stored since the last linking step (by quote text).
    prepared: Prepared = {}

    def store_all(
        arts: list[ArticleText], results: Iterable[tuple[Analysis | None, Prepared, str | None]]
    ) -> None:
        nonlocal unlinked
        for art, (analysis, ready, error) in zip(arts, results, strict=True):
            if analysis is None:
                report.failed.append(ReadError(art.location, error or "extraction failed"))
                done(art.location, f"failed: {error}")
                continue
            outcome = _store_with_retry(Session, art, analysis, report, people_cache)
            done(art.location, outcome)
            if outcome == "new":
                unlinked += 1
                prepared.update(ready)
        if unlinked >= LINK_BATCH:
            _link_step(Session, report, prepared)
            unlinked = 0

    # With workers, up to LOOKAHEAD batches are extracted while this process stores and
    # links earlier ones: a linking step takes as long as extracting several batches,
    # and with one batch ahead the workers sat idle through it. Memory stays bounded
    # (LOOKAHEAD + 1 batches), however long the input. The WAL is checkpointed beside
    # the writer (started after the workers fork: no thread is copied into them).
    try:
        with background_checkpoints(engine):
            inflight: deque[Any] = deque()
            for batch in _batches(items, BATCH):
                fresh = fresh_of(batch)
                if not fresh:
                    continue
                if pool is None:
                    store_all(fresh, map(_analyse_item, _work(fresh)))
                    continue
                inflight.append((fresh, pool.map_async(_analyse_item, _work(fresh))))
                if len(inflight) > LOOKAHEAD:
                    arts, job = inflight.popleft()
                    store_all(arts, job.get())
            while inflight:
                arts, job = inflight.popleft()
                store_all(arts, job.get())
            # This run's last articles, and any a stopped run stored but did not link.
            _link_step(Session, report, prepared)
    finally:
        if pool:
            pool.close()
            pool.join()
    report.seconds = time.perf_counter() - t0
    return report


def _link_step(Session: Any, report: IngestReport, prepared: Prepared | None = None) -> None:
    """Link the queued articles. A linking failure costs no stored article: they stay queued
    for the next run or `tracker link`; the failure is reported once and linking stops.
    ``prepared`` (quotes worked out by the workers) is used up: cleared either way."""
    if report.link_error:
        if prepared:
            prepared.clear()
        return
    try:
        res, n = link_pending(Session, prepared=prepared)
    except Exception as exc:  # noqa: BLE001 - reported; the stored articles are safe
        report.link_error = (
            f"linking failed ({type(exc).__name__}: {exc}); the articles stay queued for `tracker link`"
        )
        return
    report.linked += n
    report.link.add(res)


class PeopleCache:
    """People and outlets already resolved during this ingest run, so a speaker seen again
    needs no lookup: a person whose name was resolved before, with no alias or role not
    already recorded for it, is that person again. Entries enter the cache only once their
    article's transaction committed, so a rolled-back id is never reused."""

    def __init__(self) -> None:
        # name -> (person id, alias keys recorded for it, role recorded)
        self.known: dict[str, tuple[int, frozenset[str], str | None]] = {}
        self.pending: dict[str, tuple[int, frozenset[str], str | None]] = {}
        self.sources: dict[str, int] = {}
        self.pending_sources: dict[str, int] = {}

    def _entry(self, name: str) -> tuple[int, frozenset[str], str | None] | None:
        return self.pending.get(name) or self.known.get(name)

    def get(self, seen: Any) -> int | None:
        from tracker.people import alias_key

        hit = self._entry(seen.name)
        if hit is None:
            return None
        person_id, keys, _role = hit
        if any(alias_key(a) not in keys for a in (seen.name, *seen.aliases)):
            return None
        return person_id

    def role(self, name: str) -> str | None:
        hit = self._entry(name)
        return hit[2] if hit else None

    def put(self, seen: Any, person_id: int) -> None:
        from tracker.people import alias_key

        keys = frozenset(alias_key(a) for a in (seen.name, *seen.aliases))
        old = self._entry(seen.name)
        role = seen.role
        if old is not None and old[0] == person_id:
            keys |= old[1]
            role = role or old[2]
        self.pending[seen.name] = (person_id, keys, role)

    def source(self, name: str) -> int | None:
        return self.pending_sources.get(name) or self.sources.get(name)

    def commit(self) -> None:
        self.known.update(self.pending)
        self.pending.clear()
        self.sources.update(self.pending_sources)
        self.pending_sources.clear()

    def rollback(self, *, forget: bool = False) -> None:
        self.pending.clear()
        self.pending_sources.clear()
        if forget:  # another writer (or an editor's merge) changed people: look them up again
            self.known.clear()
            self.sources.clear()


def _store_with_retry(
    Session: Any, art: ArticleText, analysis: Analysis, report: IngestReport, cache: PeopleCache | None = None
) -> str:
    cache = cache or PeopleCache()
    try:
        outcome = _store_attempts(Session, art, analysis, report, cache)
    except BaseException:
        cache.rollback(forget=True)
        raise
    if outcome == "new":
        cache.commit()
    else:
        cache.rollback(forget=True)
    return outcome


def _store_attempts(
    Session: Any, art: ArticleText, analysis: Analysis, report: IngestReport, cache: PeopleCache
) -> str:
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    delay = 0.05
    for attempt in range(RETRIES):
        try:
            cache.rollback(forget=attempt > 0)
            with Session() as session, session.begin():
                counts = store(session, art, analysis, cache)
        except DataError as exc:
            # A value this backend refuses (PostgreSQL: a 300-character source name for a
            # varchar(200)): the article was rolled back; it costs this article, not the batch.
            reason = f"database refused the article ({str(exc.orig).splitlines()[0]})"
            report.failed.append(ReadError(art.location, reason))
            return f"failed: {reason}"
        except IntegrityError:
            # Another ingester stored the same text (or a person/source) first.
            with Session() as session:
                if _article_id(session, art.sha256) is not None:
                    report.unchanged += 1
                    return "unchanged"
            if attempt == RETRIES - 1:
                raise
        except OperationalError as exc:
            # SQLite busy past the timeout; PostgreSQL deadlock between two ingesters'
            # people/source inserts: both are transient, the transaction was rolled back.
            if not _transient(exc) or attempt == RETRIES - 1:
                raise
        else:
            if counts is None:
                report.unchanged += 1
                return "unchanged"
            report.new += 1
            report.quotes += counts[0]
            report.claims += counts[1]
            report.people += counts[2]
            report.warnings.extend(f"{art.location}: {w}" for w in (*art.warnings, *analysis.warnings))
            return "new"
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _transient(exc: Exception) -> bool:
    return any(t in str(exc).lower() for t in TRANSIENT)


def _article_id(session: Session, sha256: str) -> int | None:
    from sqlalchemy import select

    from tracker.models import Article

    return session.scalar(select(Article.id).where(Article.sha256 == sha256))


_STORE_STMTS: dict[str, dict[str, Any]] = {}


def _store_statements(session: Session) -> dict[str, Any]:
    """store()'s insert statements, built once per dialect and executed through the
    connection (building them per article, and the ORM session's execute path, cost more
    than SQLite spent on the rows)."""
    dialect = session.get_bind().dialect.name
    stmts = _STORE_STMTS.get(dialect)
    if stmts is None:
        from sqlalchemy import insert

        from tracker.db import insert_ignoring
        from tracker.models import Article, LinkQueue

        articles = Article.__table__
        stmts = _STORE_STMTS[dialect] = {
            "article": insert_ignoring(session, articles, ["sha256"]).returning(articles.c.id),
            "queue": insert(LinkQueue.__table__),
        }
    return stmts


def store(
    session: Session, art: ArticleText, analysis: Analysis, people_cache: PeopleCache | None = None
) -> tuple[int, int, int] | None:
    """Write one article and everything extracted from it; None if the text is already stored.

    The caller owns the transaction (and commits ``people_cache`` after it). Returns
    (quotes, claims, new people).
    """
    from sqlalchemy import insert, select

    from tracker import people as people_mod
    from tracker.db import insert_rows
    from tracker.models import Claim as ClaimRow
    from tracker.models import Quote as QuoteRow
    from tracker.models import Source

    cache = people_cache if people_cache is not None else PeopleCache()
    source_id = None
    if art.source:
        source_id = cache.source(art.source)
        if source_id is None:
            source_id = session.scalar(select(Source.id).where(Source.name == art.source))
            if source_id is None:
                source_id = session.scalar(insert(Source).values(name=art.source).returning(Source.id))
            cache.pending_sources[art.source] = source_id
    # One statement stores the row or finds the text already stored (same SHA-256, perhaps
    # by a concurrent ingester): ON CONFLICT DO NOTHING returns no id then.
    conn = session.connection()
    stmts = _store_statements(session)
    article_id = conn.execute(
        stmts["article"],
        {
            "sha256": art.sha256,
            "text": art.text,
            "body_start": art.body_start,
            "location": art.location,
            "title": art.title,
            "published": art.published,
            "source_id": source_id,
            "encoding": art.encoding,
            "extractor_version": EXTRACTOR_VERSION,
        },
    ).scalar()
    if article_id is None:
        return None

    person_ids: dict[str, int] = {}
    new_people = 0
    for p in analysis.people:
        seen = people_mod.seen_from_mentions(p.name, p.mentions, p.role)
        known_id = cache.get(seen)
        if known_id is None:
            known_id, created = people_mod.resolve_seen(session, seen)
            new_people += created
        elif seen.role and seen.role != cache.role(seen.name):
            people_mod.set_role(session, known_id, seen.role)  # as resolve_seen would
        cache.put(seen, known_id)
        person_ids[p.name] = known_id

    quote_ids: list[int] = []
    if analysis.quotes:
        rows = [
            {
                **{k: getattr(q, k) for k in QUOTE_FIELDS},
                "article_id": article_id,
                "person_id": person_ids.get(q.speaker) if q.speaker else None,
                "start_char": q.start,
                "end_char": q.end,
            }
            for q in analysis.quotes
        ]
        quote_ids = insert_rows(conn, QuoteRow.__table__, rows, ids=True)
    if analysis.claims:
        rows = [
            {
                **{k: getattr(c, k) for k in CLAIM_FIELDS},
                "article_id": article_id,
                "person_id": person_ids.get(c.speaker) if c.speaker else None,
                "quote_id": quote_ids[qi] if qi is not None else None,
                "start_char": c.start,
                "end_char": c.end,
                "quantity_kind": c.kind,
                "entities": "; ".join(sorted(c.entities)) if c.entities else None,
            }
            for c, qi in zip(analysis.claims, analysis.claim_quote, strict=True)
        ]
        insert_rows(conn, ClaimRow.__table__, rows)
    # Linking (tracker/link.py) ties the article's quotes and figures to earlier ones, and
    # adds its quotes to SQLite's full-text index. It runs over batches of queued articles
    # after they commit (link_pending): the queue row commits with the article, so an
    # article is never stored and forgotten by linking or search.
    conn.execute(stmts["queue"], {"article_id": article_id})
    return len(analysis.quotes), len(analysis.claims), new_people


def link_pending(
    Session: Any,
    batch: int = LINK_BATCH,
    on_batch: Callable[[int], None] | None = None,
    prepared: Prepared | None = None,
) -> tuple[Any, int]:
    """Link every queued article, ``batch`` articles per transaction; returns (LinkResult, articles).

    A batch commits its links and removes its queue rows together, so a run stopped at
    any point leaves every article either linked or still queued. ``prepared``: quote texts
    already worked out for linking (tracker.link.prepare_quote); cleared when done.
    """
    from sqlalchemy.exc import OperationalError

    from tracker.link import LinkResult, link_queued

    total, linked = LinkResult(), 0
    delay = 0.05
    failures = 0
    while True:
        try:
            with Session() as session, session.begin():
                res, n = link_queued(session, batch, prepared)
        except OperationalError as exc:
            failures += 1
            if not _transient(exc) or failures >= RETRIES:
                raise
            time.sleep(delay)
            delay *= 2
            continue
        if not n:
            if prepared:
                prepared.clear()
            return total, linked
        total.add(res)
        linked += n
        if on_batch:
            on_batch(n)
