"""second factor changed by compare-and-set (a count of changes); alerts about staff accounts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 14:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mfa_changes", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account", sa.String(length=50), nullable=True))
        batch_op.alter_column("reference", existing_type=sa.String(length=9), nullable=True)
        batch_op.alter_column("level", existing_type=sa.String(length=12), nullable=True)


def downgrade():
    op.execute("DELETE FROM alert_outbox WHERE account IS NOT NULL")
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        batch_op.alter_column("level", existing_type=sa.String(length=12), nullable=False)
        batch_op.alter_column("reference", existing_type=sa.String(length=9), nullable=False)
        batch_op.drop_column("account")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("mfa_changes")
