"""Stamps of the products each catalogue is read from (storage/product_revisions.py):
a worker rebuilds a round's catalogue only when one of them moved.

Revision ID: product_revisions_1
Revises: conversations_1
Created: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = 'product_revisions_1'
down_revision = 'conversations_1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No rows: a scope without one has the stamp None until its products next change.
    op.create_table('product_revisions',
                    sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('stamp', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('scope'))


def downgrade() -> None:
    op.drop_table('product_revisions')
