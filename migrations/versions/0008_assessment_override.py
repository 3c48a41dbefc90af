"""assessments: a clinician's override of the urgency level (who, when, why) and when first contacted

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("override_level", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("override_by", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("override_at", sa.DateTime(timezone=True), nullable=True))
    # Records already marked contacted: the status change is the best time known.
    op.execute("UPDATE assessments SET contacted_at = status_at WHERE status = 'contacted'")


def downgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("override_at")
        batch_op.drop_column("override_by")
        batch_op.drop_column("override_reason")
        batch_op.drop_column("override_level")
        batch_op.drop_column("contacted_at")
