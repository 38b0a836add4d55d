"""The merchant's web page: one-time login links and the bot's own settings
(the key that signs the page's session cookies).

Revision ID: web1
Revises: 0004
Created: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = 'web1'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by create_all from newer models (before migrations existed) has them already.
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'settings' not in existing:
        _settings()
    if 'login_links' not in existing:
        _login_links()


def _settings() -> None:
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def _login_links() -> None:
    op.create_table('login_links',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('admin', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )


def downgrade() -> None:
    op.drop_table('login_links')
    op.drop_table('settings')
