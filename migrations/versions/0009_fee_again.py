"""过户费 recorded again after finance rejected it: one live fee per change, not one ever

Revision ID: 0009_fee_again
Revises: 0008_launch
Create Date: 2026-11-30 03:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_fee_again'
down_revision = '0008_launch'
branch_labels = None
depends_on = None

LIVE = sa.text("status != 'rejected'")


def upgrade():
    with op.batch_alter_table('transfer_fee', schema=None) as batch_op:
        batch_op.drop_constraint('uq_transfer_fee_change_id', type_='unique')
        batch_op.create_index('ix_transfer_fee_change_id', ['change_id'], unique=False)
        batch_op.create_index('uq_transfer_fee_live', ['change_id'], unique=True,
                              sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade():
    with op.batch_alter_table('transfer_fee', schema=None) as batch_op:
        batch_op.drop_index('uq_transfer_fee_live')
        batch_op.drop_index('ix_transfer_fee_change_id')
        batch_op.create_unique_constraint('uq_transfer_fee_change_id', ['change_id'])
