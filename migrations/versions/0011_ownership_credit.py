"""Deal credit 业绩 beside the bonus split 奖金, the split's reason and the complaint case's
manager confirmation; the rotation logs returning customers that use no turn

Revision ID: 0011_ownership_credit
Revises: 0010_money_screens
Create Date: 2026-12-03 19:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_ownership_credit'
down_revision = '0010_money_screens'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('turn', 'makeup', 'owner', 'named', 'assist')"
NEW_KINDS = "kind IN ('turn', 'makeup', 'owner', 'named', 'assist', 'return')"
# 业绩 of the deals recorded before: the serving consultant (the deposit's) takes it whole in
# cases (2) and (7); the owner in case (3); otherwise it followed the recorded shares.
BACKFILL = """
UPDATE deal_share SET credit = CASE
  WHEN (SELECT split_case FROM deposit WHERE deposit.id = deal_share.deposit_id)
       IN ('customer_chose', 'forgot_then_found') THEN
    CASE WHEN user_id = (SELECT consultant_id FROM deposit WHERE deposit.id = deal_share.deposit_id)
         THEN 10000 ELSE 0 END
  WHEN (SELECT split_case FROM deposit WHERE deposit.id = deal_share.deposit_id)
       = 'owner_absent' THEN
    CASE WHEN user_id = (SELECT consultant_id FROM deposit WHERE deposit.id = deal_share.deposit_id)
         THEN 0 ELSE 10000 END
  ELSE percent END
"""


def upgrade():
    with op.batch_alter_table('deal_share', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint('credit_range', 'credit >= 0 AND credit <= 10000')
    op.execute(BACKFILL)
    with op.batch_alter_table('deposit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('split_reason', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('split_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('split_decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('split_decided_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_deposit_split_decided_by_id_user'), 'user',
                                    ['split_decided_by_id'], ['id'])
    with op.batch_alter_table('rotation_assignment', schema=None) as batch_op:
        batch_op.drop_constraint('kind_known', type_='check')
        batch_op.create_check_constraint('kind_known', NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM rotation_assignment WHERE kind = 'return'")
    with op.batch_alter_table('rotation_assignment', schema=None) as batch_op:
        batch_op.drop_constraint('kind_known', type_='check')
        batch_op.create_check_constraint('kind_known', OLD_KINDS)
    with op.batch_alter_table('deposit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deposit_split_decided_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('split_decided_at')
        batch_op.drop_column('split_decided_by_id')
        batch_op.drop_column('split_status')
        batch_op.drop_column('split_reason')
    with op.batch_alter_table('deal_share', schema=None) as batch_op:
        batch_op.drop_constraint('credit_range', type_='check')
        batch_op.drop_column('credit')
