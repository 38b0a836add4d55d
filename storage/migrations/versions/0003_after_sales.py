"""After-sales (售后): customers' reports against order items, and the merchant's
refunds, resends and rejections.

Revision ID: after_sales_1
Revises: 0002
Created: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = 'after_sales_1'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('after_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('spec', sa.String(length=50), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('written', sa.String(length=32), nullable=False),
    sa.Column('wants', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reporter', sa.String(length=128), nullable=False),
    sa.Column('room_id', sa.String(length=128), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('after_sales', schema=None) as batch_op:
        batch_op.create_index('ix_after_sales_order', ['order_id'], unique=False)
        batch_op.create_index('ix_after_sales_status', ['status'], unique=False)

    op.create_table('after_sale_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('spec', sa.String(length=50), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=True),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['after_sales.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('after_sale_actions', schema=None) as batch_op:
        batch_op.create_index('ix_after_sale_actions_order', ['order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('after_sale_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_after_sale_actions_order')

    op.drop_table('after_sale_actions')
    with op.batch_alter_table('after_sales', schema=None) as batch_op:
        batch_op.drop_index('ix_after_sales_status')
        batch_op.drop_index('ix_after_sales_order')

    op.drop_table('after_sales')
