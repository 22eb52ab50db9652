"""A new office's project: archiving, memberships with a role per project, 单元 on units,
opening-data imports beside the 房源表's

Revision ID: 0013_new_project
Revises: 0012_channels_cards
Create Date: 2026-12-03 19:30:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.types

# revision identifiers, used by Alembic.
revision = '0013_new_project'
down_revision = '0012_channels_cards'
branch_labels = None
depends_on = None

ROLES = "('consultant', 'secretary', 'finance', 'manager', 'admin')"


def upgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', app.models.types.UTCDateTime(),
                                      nullable=True))
    op.create_table(
        'project_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', app.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"role IN {ROLES}", name=op.f('ck_project_member_member_role_known')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                name=op.f('fk_project_member_project_id_project')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_project_member_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_member')),
        sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_project_member_project_id')),
    )
    with op.batch_alter_table('project_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_member_project_id'), ['project_id'])
        batch_op.create_index(batch_op.f('ix_project_member_user_id'), ['user_id'])
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entrance', sa.String(length=16), server_default='',
                                      nullable=False))
        batch_op.drop_constraint('uq_unit_building_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_unit_building_id'),
                                          ['building_id', 'entrance', 'unit_no'])
    with op.batch_alter_table('unit_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='units',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('unit_import', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_unit_building_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_unit_building_id'),
                                          ['building_id', 'unit_no'])
        batch_op.drop_column('entrance')
    with op.batch_alter_table('project_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_project_member_project_id'))
    op.drop_table('project_member')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
