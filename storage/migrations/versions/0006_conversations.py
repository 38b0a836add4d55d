"""Questions that take answers (CONTRACT 3c): a question's state, the items it
asked with their numbered options, the entry's note and 接龙 line, and whether
its sender has spoken since or it was asked again.

Revision ID: conversations_1
Revises: web1
Created: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = 'conversations_1'
down_revision = 'web1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('items', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('entry_key', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('followed', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('retried', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_questions_round_sender', ['round_id', 'sender'], unique=False)
    # Questions asked before this revision were settled or are still waiting.
    questions = sa.table('questions', sa.column('state', sa.String), sa.column('settled', sa.Boolean))
    op.execute(questions.update().where(questions.c.settled.is_(True)).values(state='answered'))


def downgrade() -> None:
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_round_sender')
        batch_op.drop_column('settled_at')
        batch_op.drop_column('retried')
        batch_op.drop_column('followed')
        batch_op.drop_column('entry_key')
        batch_op.drop_column('note')
        batch_op.drop_column('items')
        batch_op.drop_column('state')
