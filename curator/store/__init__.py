"""The store: SQLAlchemy models, the engine/session wrapper and Alembic migrations."""

from __future__ import annotations

from prefloop.curator.store.engine import Store, make_engine, upgrade

__all__ = ["Store", "make_engine", "upgrade"]
