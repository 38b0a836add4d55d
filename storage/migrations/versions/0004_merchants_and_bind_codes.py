"""Merchants bound with a one-time code (绑定), and the codes.

Revision ID: 0004
Revises: after_sales_1
Created: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = 'after_sales_1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('merchants',
    sa.Column('contact_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('bound_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('contact_id')
    )
    op.create_table('bind_codes',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_by', sa.String(length=128), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )


def downgrade() -> None:
    op.drop_table('bind_codes')
    op.drop_table('merchants')
