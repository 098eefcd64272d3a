"""Store backends behind one protocol (:mod:`pipeline.store.base`).

:func:`open_store` picks the backend from settings: Elasticsearch when ``LUREWATCH_ES_URL``
is set, else the embedded SQLite file under the data directory.
"""

from __future__ import annotations

from pipeline.settings import Settings
from pipeline.store.base import (
    ConflictError,
    DeadLetterError,
    Hit,
    NotFoundError,
    SearchResult,
    Store,
    StoreError,
    UpsertResult,
)

__all__ = [
    "ConflictError",
    "DeadLetterError",
    "Hit",
    "NotFoundError",
    "SearchResult",
    "Store",
    "StoreError",
    "UpsertResult",
    "open_store",
]


def open_store(settings: Settings) -> Store:
    """The configured store, set up and ready; raises StoreError if it cannot be reached."""
    if settings.es_url:
        from pipeline.store.elasticsearch import ElasticsearchStore

        store: Store = ElasticsearchStore.from_settings(settings)
    else:
        from pipeline.store.sqlite import SQLiteStore

        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data directory {settings.data_dir}: {exc}; "
                "set LUREWATCH_DATA_DIR to a writable directory"
            ) from exc
        store = SQLiteStore(settings.sqlite_path)
    store.setup()
    return store
