"""assessments: why a phone call at urgent or soon has no number to call back (spec §3a, v3)

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("no_number_reason", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("no_number_reason")
