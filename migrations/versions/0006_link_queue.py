"""linking: a queue of stored articles not linked yet

Ingest linked each article inside its own transaction, one article at a time, and that
was most of the writer's time (about 20 ms of 26 per article). Now each article's
transaction also writes a ``link_queue`` row, and linking takes the queue in batches in
its own transactions. Articles already in the database that were never linked (quotes
in no group, groupable claims in no group) are queued here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('link_queue',
    sa.Column('article_id', sa.Integer(), autoincrement=False, nullable=False, comment='Article waiting to be linked (articles.id).'),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_link_queue_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_link_queue')),
    comment='Articles stored but not linked yet. Ingest writes each article with its queue row in one transaction and links the queue in batches; `tracker link` drains what a stopped run left.'
    )
    op.execute(
        "INSERT INTO link_queue (article_id) "
        "SELECT q.article_id FROM quotes q LEFT JOIN quote_group_members m ON m.quote_id = q.id "
        "WHERE m.quote_id IS NULL "
        "UNION "
        "SELECT c.article_id FROM claims c LEFT JOIN claim_group_members m ON m.claim_id = c.id "
        "WHERE m.claim_id IS NULL AND c.value IS NOT NULL AND c.metric IS NOT NULL AND c.metric <> '' "
        "AND c.period_start IS NOT NULL AND c.period_end IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table('link_queue')
