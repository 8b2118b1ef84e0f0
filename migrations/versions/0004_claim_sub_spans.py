"""claim sub-spans: where the number, unit, hedge and metric phrase sit in the text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:01:36.691017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value_start', sa.Integer(), nullable=True, comment='Offset of the number as written.'))
        batch_op.add_column(sa.Column('value_end', sa.Integer(), nullable=True, comment='End offset of the number.'))
        batch_op.add_column(sa.Column('unit_start', sa.Integer(), nullable=True, comment='Offset of the unit as written.'))
        batch_op.add_column(sa.Column('unit_end', sa.Integer(), nullable=True, comment='End offset of the unit.'))
        batch_op.add_column(sa.Column('hedge_start', sa.Integer(), nullable=True, comment="Offset of the hedge ('nearly')."))
        batch_op.add_column(sa.Column('hedge_end', sa.Integer(), nullable=True, comment='End offset of the hedge.'))
        batch_op.add_column(sa.Column('metric_start', sa.Integer(), nullable=True, comment='Offset of the phrase the metric was normalised from.'))
        batch_op.add_column(sa.Column('metric_end', sa.Integer(), nullable=True, comment='End offset of the metric phrase.'))
        batch_op.add_column(sa.Column('scale', sa.Float(), nullable=True, comment='Scale word multiplier (1e9).'))
        batch_op.add_column(sa.Column('surface_unit', sa.String(length=60), nullable=True, comment="Unit as written ('cubic meters', 'tonnes'), before normalisation."))



def downgrade() -> None:
    # Native DROP COLUMN (SQLite >= 3.35): copying the table, as batch mode would, fails
    # while the views of 0003 refer to it. None of these columns is in a view.
    with op.batch_alter_table('claims', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('surface_unit')
        batch_op.drop_column('scale')
        batch_op.drop_column('metric_end')
        batch_op.drop_column('metric_start')
        batch_op.drop_column('hedge_end')
        batch_op.drop_column('hedge_start')
        batch_op.drop_column('unit_end')
        batch_op.drop_column('unit_start')
        batch_op.drop_column('value_end')
        batch_op.drop_column('value_start')

