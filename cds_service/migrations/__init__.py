"""Alembic migrations of the feedback and audit database (see cds_service.schema)."""
