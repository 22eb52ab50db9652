"""退款收据 numbered per project and year in the order paid: the number is unique within its
project (two projects each have a TK2026-0001), no longer across the installation; a 认购书
keeps its buyer's ID type and number, and why it was signed without them

Revision ID: 0010_money_screens
Revises: 0009_fee_again
Create Date: 2026-12-03 19:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_money_screens'
down_revision = '0009_fee_again'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.drop_constraint('uq_payout_number', type_='unique')
        batch_op.create_unique_constraint('uq_payout_project_id', ['project_id', 'number'])
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_id_type', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('buyer_id_number', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('identity_note', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_column('identity_note')
        batch_op.drop_column('buyer_id_number')
        batch_op.drop_column('buyer_id_type')
    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.drop_constraint('uq_payout_project_id', type_='unique')
        batch_op.create_unique_constraint('uq_payout_number', ['number'])
