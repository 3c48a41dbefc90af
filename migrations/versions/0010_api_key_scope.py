"""api_keys: a scope, "save" (read back only the assessments the key saved) or "read" (every record)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 14:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # Keys made before get the narrow scope: a client that reads other records needs a new key
    # made with `api-keys create NAME --scope read`.
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=10), server_default="save", nullable=False))


def downgrade():
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("scope")
