"""Alembic environment: always run on the connection `cds_service.schema` hands over."""

from __future__ import annotations

from alembic import context

import cds_service.audit  # noqa: F401  (registers the audit tables on Base.metadata)
from cds_service.feedback_store import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
