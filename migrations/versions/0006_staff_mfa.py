"""staff MFA: an encrypted TOTP secret, hashed recovery codes, the last code's time step

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mfa_secret", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("mfa_recovery", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("mfa_last_step", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("mfa_last_step")
        batch_op.drop_column("mfa_recovery")
        batch_op.drop_column("mfa_secret")
