"""The audit log's object index carries the row id: a unit's newest rows (the panel's
history after every move) are read from the index on PostgreSQL instead of sorting every
row of the unit

Revision ID: 0017_audit_object_index
Revises: 0016_commissions
Create Date: 2026-12-04 19:10:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_audit_object_index'
down_revision = '0016_commissions'
branch_labels = None
depends_on = None


def upgrade():
    # Plain index operations, no batch mode: on SQLite a batch would copy the table and drop
    # the triggers that keep the audit log append-only.
    op.drop_index('ix_audit_log_object', table_name='audit_log')
    op.create_index('ix_audit_log_object', 'audit_log', ['object_type', 'object_id', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_audit_log_object', table_name='audit_log')
    op.create_index('ix_audit_log_object', 'audit_log', ['object_type', 'object_id'],
                    unique=False)
