"""search: full-text index over quotes, and views for SQL users

SQLite: FTS5 table quotes_fts with external content (content=[quotes], so Datasette
detects it), porter + unicode61 tokenizer; delete and text-update triggers (inserts are
indexed in one statement per article by tracker.search.index_article, because a
per-row insert trigger made ingest about 10x slower). PostgreSQL: a GIN expression
index on to_tsvector('english', text), which follows the table by itself.

Views, one row per quote (quote_view), per claim (claim_view) and per conflict flag
(conflict_view). The DDL is written out here, not imported, so this revision stays
what it was when later code changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:30:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SQLITE_FTS = (
    "CREATE VIRTUAL TABLE quotes_fts USING fts5("
    "text, content=[quotes], content_rowid=[id], "
    "tokenize='porter unicode61 remove_diacritics 2')",
    # The EXISTS guard skips quotes that were never indexed: an FTS5 'delete' of
    # values that are not in the index would corrupt it.
    "CREATE TRIGGER quotes_fts_ad AFTER DELETE ON quotes BEGIN "
    "INSERT INTO quotes_fts(quotes_fts, rowid, text) SELECT 'delete', old.id, old.text "
    "WHERE EXISTS (SELECT 1 FROM quotes_fts_docsize WHERE id = old.id); END",
    "CREATE TRIGGER quotes_fts_au AFTER UPDATE OF text ON quotes BEGIN "
    "INSERT INTO quotes_fts(quotes_fts, rowid, text) SELECT 'delete', old.id, old.text "
    "WHERE EXISTS (SELECT 1 FROM quotes_fts_docsize WHERE id = old.id); "
    "INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text); END",
    # Backfill: index the quotes already stored.
    "INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild')",
)
SQLITE_FTS_DROP = (
    "DROP TRIGGER IF EXISTS quotes_fts_au",
    "DROP TRIGGER IF EXISTS quotes_fts_ad",
    "DROP TABLE IF EXISTS quotes_fts",
)
PG_FTS = ("CREATE INDEX ix_quotes_text_fts ON quotes USING gin (to_tsvector('english', text))",)
PG_FTS_DROP = ("DROP INDEX IF EXISTS ix_quotes_text_fts",)

QUOTE_VIEW = """
CREATE VIEW quote_view AS
SELECT
    q.id AS quote_id,
    q.text AS quote,
    q.kind AS kind,
    q.person_id AS speaker_id,
    p.name AS speaker,
    COALESCE(q.role, p.role) AS role,
    q.mention AS mention,
    q.cue AS cue,
    q.article_id AS article_id,
    a.title AS title,
    a.location AS location,
    a.source_id AS outlet_id,
    s.name AS outlet,
    a.published AS published,
    q.start_char AS start_char,
    q.end_char AS end_char
FROM quotes q
JOIN articles a ON a.id = q.article_id
LEFT JOIN people p ON p.id = q.person_id
LEFT JOIN sources s ON s.id = a.source_id
"""

CLAIM_VIEW = """
CREATE VIEW claim_view AS
SELECT
    c.id AS claim_id,
    c.surface AS surface,
    c.value AS value,
    c.low AS low,
    c.high AS high,
    c.unit AS unit,
    c.quantity_kind AS quantity_kind,
    c.hedge AS hedge,
    c.metric AS metric,
    c.entities AS entities,
    c.period AS period,
    c.period_start AS period_start,
    c.period_end AS period_end,
    c.is_target AS is_target,
    c.person_id AS speaker_id,
    p.name AS speaker,
    c.quote_id AS quote_id,
    m.group_id AS claim_group_id,
    c.article_id AS article_id,
    a.title AS title,
    a.location AS location,
    a.source_id AS outlet_id,
    s.name AS outlet,
    a.published AS published,
    c.start_char AS start_char,
    c.end_char AS end_char
FROM claims c
JOIN articles a ON a.id = c.article_id
LEFT JOIN people p ON p.id = c.person_id
LEFT JOIN sources s ON s.id = a.source_id
LEFT JOIN claim_group_members m ON m.claim_id = c.id
"""

# One row per conflict flag; its claims as ids and as a readable list. Join
# flag_claims to claim_view for one row per figure.
CONFLICT_VIEW = """
CREATE VIEW conflict_view AS
SELECT
    f.id AS flag_id,
    f.status AS status,
    f.metric AS metric,
    f.period AS period,
    f.severity AS severity,
    f.explanation AS explanation,
    f.group_id AS claim_group_id,
    (SELECT count(*) FROM flag_claims fc WHERE fc.flag_id = f.id) AS claims,
    (SELECT {agg_ids} FROM (
        SELECT fc.claim_id AS claim_id FROM flag_claims fc WHERE fc.flag_id = f.id ORDER BY fc.claim_id
    ) x) AS claim_ids,
    (SELECT {agg_figures} FROM (
        SELECT c.surface || ' (' || COALESCE(s.name, '?') || ', ' || COALESCE({pub}, '?') || ')' AS figure,
               c.value AS value, c.id AS id
        FROM flag_claims fc
        JOIN claims c ON c.id = fc.claim_id
        JOIN articles a ON a.id = c.article_id
        LEFT JOIN sources s ON s.id = a.source_id
        WHERE fc.flag_id = f.id
        ORDER BY c.value, c.id
    ) y) AS figures,
    (SELECT min(a.published) FROM flag_claims fc JOIN claims c ON c.id = fc.claim_id
        JOIN articles a ON a.id = c.article_id WHERE fc.flag_id = f.id) AS first_published,
    (SELECT max(a.published) FROM flag_claims fc JOIN claims c ON c.id = fc.claim_id
        JOIN articles a ON a.id = c.article_id WHERE fc.flag_id = f.id) AS last_published,
    f.created_at AS created_at,
    f.updated_at AS updated_at
FROM flags f
"""

SQLITE_AGG = {
    "agg_ids": "group_concat(claim_id, ',')",
    "agg_figures": "group_concat(figure, '; ')",
    "pub": "a.published",
}
PG_AGG = {
    "agg_ids": "string_agg(claim_id::text, ',' ORDER BY claim_id)",
    "agg_figures": "string_agg(figure, '; ' ORDER BY value, id)",
    "pub": "a.published::text",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for stmt in SQLITE_FTS:
            op.execute(stmt)
    elif dialect == "postgresql":
        for stmt in PG_FTS:
            op.execute(stmt)
    op.execute(QUOTE_VIEW)
    op.execute(CLAIM_VIEW)
    op.execute(CONFLICT_VIEW.format(**(PG_AGG if dialect == "postgresql" else SQLITE_AGG)))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP VIEW IF EXISTS conflict_view")
    op.execute("DROP VIEW IF EXISTS claim_view")
    op.execute("DROP VIEW IF EXISTS quote_view")
    if dialect == "sqlite":
        for stmt in SQLITE_FTS_DROP:
            op.execute(stmt)
    elif dialect == "postgresql":
        for stmt in PG_FTS_DROP:
            op.execute(stmt)
