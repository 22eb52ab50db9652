"""A cap on open holds per consultant, a project setting; login
attempts an admin cleared from a lockout (item 4)

Revision ID: 0014_holds_and_logins
Revises: 0013_new_project
Create Date: 2026-12-03 20:50:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = '0014_holds_and_logins'
down_revision = '0013_new_project'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_cap', sa.Integer(), server_default='3',
                                      nullable=False))
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cleared_at', app.models.types.UTCDateTime(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_column('cleared_at')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('hold_cap')
