"""One engine per database: a second engine on the same database is refused, on both databases."""

from __future__ import annotations

import pytest

from engine.store.database import DatabaseInUse
from engine.testing.handle import EngineHandle


def test_a_second_engine_on_the_same_database_is_refused(database_url: str) -> None:
    first = EngineHandle.start_embedded(database_url)
    try:
        with pytest.raises(DatabaseInUse, match="another engine is using the database"):
            EngineHandle.start_embedded(database_url)
    finally:
        first.stop()
    # once the first has stopped, the database is free again
    EngineHandle.start_embedded(database_url).stop()
