"""The audit trail: one row per hook call, one per card shown (feedback joins on card_uuid).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_hook_call",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hook_instance", sa.String(100), nullable=False),
        sa.Column("service_id", sa.String(100), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_iss", sa.String(500), nullable=True),
        sa.Column("knowledge_version", sa.String(100), nullable=False),
    )
    op.create_index("ix_cds_hook_call_hook_instance", "cds_hook_call", ["hook_instance"])
    op.create_index("ix_cds_hook_call_called_at", "cds_hook_call", ["called_at"])
    op.create_table(
        "cds_card_shown",
        sa.Column("card_uuid", sa.String(100), primary_key=True),
        sa.Column(
            "call_id",
            sa.String(36),
            sa.ForeignKey("cds_hook_call.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rule_system", sa.String(500), nullable=True),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("indicator", sa.String(20), nullable=False),
        sa.Column("suggestion_ids", sa.Text(), nullable=False),
    )
    op.create_index("ix_cds_card_shown_call_id", "cds_card_shown", ["call_id"])
    op.create_index("ix_cds_card_shown_rule_id", "cds_card_shown", ["rule_id"])


def downgrade() -> None:
    op.drop_table("cds_card_shown")
    op.drop_table("cds_hook_call")
