"""Personal data access: the reason typed for a full-number export, and an hourly limit on
reveals (显示) per user, a project setting

Revision ID: 0015_pii_access
Revises: 0014_holds_and_logins
Create Date: 2026-12-03 22:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_pii_access'
down_revision = '0014_holds_and_logins'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=200), nullable=True))
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reveal_limit', sa.Integer(), server_default='30',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('reveal_limit')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_column('reason')
