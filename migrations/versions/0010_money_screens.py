"""退款收据 numbered per project and year in the order paid: the number is unique within its
project (two projects each have a TK2026-0001), no longer across the installation

Revision ID: 0010_money_screens
Revises: 0009_fee_again
Create Date: 2026-12-03 19:40:00

"""
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


def downgrade():
    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.drop_constraint('uq_payout_project_id', type_='unique')
        batch_op.create_unique_constraint('uq_payout_number', ['number'])
