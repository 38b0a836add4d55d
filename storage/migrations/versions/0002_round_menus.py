"""Round menus: products read from the post that opens a round belong to that
round (round_id) and carry the menu's number or letter, a price per spec, the
set-meal flag and the confirmation threshold. Names are unique per round (and
in the configured catalogue), no longer across the whole table.

Revision ID: 0002
Revises: 0001
Created: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# SQLite's copy-and-move needs a name for the unnamed unique constraint of 0001.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_name_constraint() -> str:
    return "products_name_key" if op.get_bind().dialect.name == "postgresql" else "uq_products_name"


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint(_old_name_constraint(), type_='unique')
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('spec_prices', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('is_default', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('confirm_over', sa.Float(), nullable=False, server_default=sa.text("50")))
        batch_op.create_index('ix_products_round', ['round_id'], unique=False)
        batch_op.create_unique_constraint('uq_products_round_name', ['round_id', 'name'])
        batch_op.create_foreign_key('fk_products_round', 'rounds', ['round_id'], ['id'])


def downgrade() -> None:
    op.execute("DELETE FROM products WHERE round_id IS NOT NULL")
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint('fk_products_round', type_='foreignkey')
        batch_op.drop_constraint('uq_products_round_name', type_='unique')
        batch_op.drop_index('ix_products_round')
        batch_op.drop_column('confirm_over')
        batch_op.drop_column('is_default')
        batch_op.drop_column('spec_prices')
        batch_op.drop_column('code')
        batch_op.drop_column('round_id')
        batch_op.create_unique_constraint('uq_products_name', ['name'])
