"""linking: stored normalised quote text and key counts, and a list of stock keys

Incremental linking re-normalised every candidate quote and counted its keys on each
call, and read whole posting lists of stock phrases only to ignore them. Existing rows
get their key counts and the stock keys here (200 = tracker.link.MAX_POSTING when this
was written); ``norm`` stays NULL and is recomputed from quotes.text until a rebuild.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:49:09.952108
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('link_stock_keys',
    sa.Column('kind', sa.String(length=1), nullable=False, comment='q = quote keys.'),
    sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False, comment='The key (link_keys.key).'),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_link_stock_keys')),
    comment='Blocking keys held by more than tracker.link.MAX_POSTING items: stock phrases, ignored by linking, so their long posting lists are never read.'
    )
    with op.batch_alter_table('quote_group_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('norm', sa.Text(), nullable=True, comment="The quote's words as linking compares them (tracker.link.normalise_quote); NULL = not stored yet, recomputed from quotes.text."))
        batch_op.add_column(sa.Column('n_keys', sa.Integer(), nullable=True, comment="Number of the quote's blocking keys in link_keys (for the shared-key rule)."))

    op.execute(
        "UPDATE quote_group_members SET n_keys = "
        "(SELECT count(*) FROM link_keys WHERE link_keys.kind = 'q' "
        "AND link_keys.item_id = quote_group_members.quote_id)"
    )
    op.execute(
        "INSERT INTO link_stock_keys (kind, key) SELECT kind, key FROM link_keys "
        "GROUP BY kind, key HAVING count(*) > 200"
    )


def downgrade() -> None:
    with op.batch_alter_table('quote_group_members', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('n_keys')
        batch_op.drop_column('norm')

    op.drop_table('link_stock_keys')
