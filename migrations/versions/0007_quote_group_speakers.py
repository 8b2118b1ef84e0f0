"""linking: speaker counts per quote group

Linking recomputed a grown quote group's summary (size, speaker, first appearance,
representative wording) by reading every member, so a quotation repeated in every
article cost more with each one. The summary is now updated from the new members alone;
the speaker needs how many appearances name each person, kept here. Existing groups get
their counts, and their speaker again by the rule the counts serve (most appearances,
ties to the earliest): a speaker merged away by `tracker people merge` had left NULL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('quote_group_speakers',
    sa.Column('group_id', sa.Integer(), autoincrement=False, nullable=False, comment='The group (quote_groups.id).'),
    sa.Column('person_id', sa.Integer(), autoincrement=False, nullable=False, comment='A speaker its appearances name (people.id).'),
    sa.Column('quotes', sa.Integer(), nullable=False, comment='Appearances in the group naming this speaker.'),
    sa.Column('first_quote_id', sa.Integer(), nullable=False, comment='The earliest of those appearances (quotes.id): breaks ties between speakers.'),
    sa.ForeignKeyConstraint(['group_id'], ['quote_groups.id'], name=op.f('fk_quote_group_speakers_group_id_quote_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_quote_group_speakers_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'person_id', name=op.f('pk_quote_group_speakers')),
    comment='How many appearances of a quotation name each speaker: quote_groups.person_id is the one with most (ties: the earliest), kept without reading every member again.'
    )
    with op.batch_alter_table('quote_group_speakers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_group_speakers_person_id'), ['person_id'], unique=False)

    op.execute(
        "INSERT INTO quote_group_speakers (group_id, person_id, quotes, first_quote_id) "
        "SELECT m.group_id, q.person_id, count(*), min(q.id) FROM quote_group_members m "
        "JOIN quotes q ON q.id = m.quote_id WHERE q.person_id IS NOT NULL "
        "GROUP BY m.group_id, q.person_id"
    )
    op.execute(
        "UPDATE quote_groups SET person_id = (SELECT s.person_id FROM quote_group_speakers s "
        "WHERE s.group_id = quote_groups.id ORDER BY s.quotes DESC, s.first_quote_id LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table('quote_group_speakers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_group_speakers_person_id'))

    op.drop_table('quote_group_speakers')
