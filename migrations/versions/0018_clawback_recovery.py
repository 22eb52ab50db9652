"""A 追回 commission line starts 待追回 (recovering) and becomes 已追回 when finance records the
money coming back; lines clawed back before this had no such step and read 已追回 at once:
they are 待追回 until finance records them

Revision ID: 0018_clawback_recovery
Revises: 0017_audit_object_index
Create Date: 2026-12-04 19:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_clawback_recovery'
down_revision = '0017_audit_object_index'
branch_labels = None
depends_on = None

BEFORE = "status IN ('accrued', 'payable', 'approved', 'paid', 'clawback', 'cancelled')"
AFTER = ("status IN ('accrued', 'payable', 'approved', 'paid', 'recovering', 'clawback', "
         "'cancelled')")


def upgrade():
    with op.batch_alter_table('commission_line', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_commission_line_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_commission_line_status_known'), AFTER)
    # no step recorded the money coming back: nothing clawed back so far is known to be back
    op.execute("UPDATE commission_line SET status = 'recovering' "
               "WHERE status = 'clawback' AND paid_on IS NULL")


def downgrade():
    # 已追回 lines keep who recorded the money and when: upgrading again finds them back
    op.execute("UPDATE commission_line SET status = 'clawback' WHERE status = 'recovering'")
    with op.batch_alter_table('commission_line', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_commission_line_status_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_commission_line_status_known'), BEFORE)
