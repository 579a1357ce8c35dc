"""The store from config: the local folder (the default) or PostgreSQL (RAG_STORE=postgresql://…)."""
from __future__ import annotations

from ..config import Config
from .postgres import PostgresStore
from .store import IndexStore


def open_store(config: Config) -> IndexStore | PostgresStore:
    return PostgresStore(config.store, config.pg_ef_search) if config.store else IndexStore(config.index_dir)
