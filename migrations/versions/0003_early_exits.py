"""early exits (the advice shown before every question was answered) and what the person was told

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("early_exit", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("partial", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("told", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("told")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("partial")
        batch_op.drop_column("early_exit")
