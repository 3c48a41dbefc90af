"""served questionnaires: the FHIR Questionnaire of each rules version the app has run (issue 31)

Revision ID: 0012
Revises: 0011
Create Date: 2027-01-20 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "served_questionnaires",
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("rules_hash", sa.String(length=80), nullable=False),
        sa.Column("resource", sa.JSON(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", "language"),
    )


def downgrade():
    op.drop_table("served_questionnaires")
