"""Layered in-memory state with secondary indexes.

The engine keeps all live state in memory and persists every change. A command works on a layer
over the batch's layer, which lies over the committed base: a command that fails is dropped with its
layer, and a batch whose database write fails never reaches the base. Reads look through the layers
top-down; each layer indexes only its own entities, so a lookup by index unions the layers and
drops keys that a higher layer has replaced or deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Final


class _Tombstone:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<deleted>"


TOMBSTONE: Final = _Tombstone()


@dataclass(frozen=True, slots=True)
class Index:
    """A secondary index: `value_of(entity)` is the indexed value, or None to leave it out."""

    name: str
    value_of: Callable[[Any], Hashable | None]


class Layer:
    def __init__(self, indexes: dict[str, tuple[Index, ...]], parent: Layer | None = None) -> None:
        self.parent = parent
        self._indexes = indexes
        self.entities: dict[str, dict[Hashable, Any]] = {kind: {} for kind in indexes}
        # (kind, index name) -> indexed value -> keys, insertion-ordered (dict as ordered set)
        self._index_data: dict[tuple[str, str], dict[Hashable, dict[Hashable, None]]] = {
            (kind, index.name): {} for kind, kind_indexes in indexes.items() for index in kind_indexes
        }

    def child(self) -> Layer:
        return Layer(self._indexes, self)

    def get(self, kind: str, key: Hashable) -> Any:
        layer: Layer | None = self
        while layer is not None:
            entities = layer.entities[kind]
            if key in entities:
                value = entities[key]
                return None if value is TOMBSTONE else value
            layer = layer.parent
        return None

    def put(self, kind: str, key: Hashable, entity: Any) -> None:
        entities = self.entities[kind]
        self._unindex(kind, key, entities.get(key))
        entities[key] = entity
        for index in self._indexes[kind]:
            value = index.value_of(entity)
            if value is not None:
                self._index_data[(kind, index.name)].setdefault(value, {})[key] = None

    def delete(self, kind: str, key: Hashable) -> None:
        entities = self.entities[kind]
        self._unindex(kind, key, entities.get(key))
        if self.parent is None:
            entities.pop(key, None)
        else:
            entities[key] = TOMBSTONE

    def _unindex(self, kind: str, key: Hashable, old: Any) -> None:
        if old is None or old is TOMBSTONE:
            return
        for index in self._indexes[kind]:
            value = index.value_of(old)
            if value is None:
                continue
            bucket = self._index_data[(kind, index.name)].get(value)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del self._index_data[(kind, index.name)][value]

    def find(self, kind: str, index: str, value: Hashable) -> list[Any]:
        """Entities whose index `index` has `value`, oldest layer's entries first."""
        layers: list[Layer] = []
        layer: Layer | None = self
        while layer is not None:
            layers.append(layer)
            layer = layer.parent
        found: dict[Hashable, Any] = {}
        for depth in range(len(layers) - 1, -1, -1):
            current = layers[depth]
            bucket = current._index_data[(kind, index)].get(value)
            if not bucket:
                continue
            upper = layers[:depth]
            for key in bucket:
                if not any(key in above.entities[kind] for above in upper):
                    found[key] = current.entities[kind][key]
        # A key replaced in a higher layer may no longer match; the higher layer indexed it if so.
        return list(found.values())

    def count(self, kind: str, index: str, value: Hashable) -> int:
        return len(self.find(kind, index, value))

    def all(self, kind: str) -> Iterator[Any]:
        seen: set[Hashable] = set()
        layer: Layer | None = self
        while layer is not None:
            for key, entity in layer.entities[kind].items():
                if key not in seen:
                    seen.add(key)
                    if entity is not TOMBSTONE:
                        yield entity
            layer = layer.parent

    def merge_into_parent(self) -> None:
        parent = self.parent
        assert parent is not None, "the base layer has no parent"
        for kind, entities in self.entities.items():
            for key, entity in entities.items():
                if entity is TOMBSTONE:
                    parent.delete(kind, key)
                else:
                    parent.put(kind, key, entity)

    def stored_changes(self) -> Iterator[tuple[str, Hashable, Any, bool]]:
        """(kind, key, entity or TOMBSTONE, whether the layers below hold it) for what must be stored.

        An entity created and deleted within this layer (a start event, a job done in the batch
        that made it) never reached the layers below, hence the database: it is left out, and a new
        entity needs no delete of an old row before its insert.
        """
        parent = self.parent
        for kind, entities in self.entities.items():
            for key, entity in entities.items():
                existed = parent is not None and parent.get(kind, key) is not None
                if entity is TOMBSTONE and not existed:
                    continue
                yield kind, key, entity, existed

    def changes(self) -> Iterator[tuple[str, Hashable, Any]]:
        """(kind, key, entity or TOMBSTONE) for everything this layer changed."""
        for kind, entities in self.entities.items():
            for key, entity in entities.items():
                yield kind, key, entity
