"""A cap on open holds per consultant, a project setting (issue 19 item 5)

Revision ID: 0014_hold_cap
Revises: 0013_new_project
Create Date: 2026-12-03 20:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_hold_cap'
down_revision = '0013_new_project'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_cap', sa.Integer(), server_default='3',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('hold_cap')
