"""What the REST answers need from the engine's in-memory state: definitions, their models, forms.

Deployed definitions never leave the live state, so names, version tags and forms come from there;
everything here runs on the engine's event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, or_

from engine.api.filters import python_string_match
from engine.api.schemas import StringFilter
from engine.model.elements import Process
from engine.runtime.context import Context
from engine.runtime.engine import Engine
from engine.runtime.entities import FormDefinition, Kind, ProcessDefinition


class Catalog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read(self, query: Callable[[Context], Any]) -> Any:
        return self.engine.read(query)

    def definitions(self) -> list[ProcessDefinition]:
        found: list[ProcessDefinition] = self.read(lambda ctx: list(ctx.layer.all(Kind.PROCESS)))
        return found

    def definition(self, key: int) -> ProcessDefinition | None:
        found: ProcessDefinition | None = self.read(lambda ctx: ctx.layer.get(Kind.PROCESS, key))
        return found

    def model(self, key: int) -> Process | None:
        if self.definition(key) is None:
            return None
        try:
            model: Process = self.read(lambda ctx: ctx.models.get(key))
        except LookupError:
            return None
        return model

    def process_name(self, key: int) -> str | None:
        model = self.model(key)
        return (model.name or None) if model is not None else None

    def instance_process_name(self, key: int) -> str | None:
        """`processDefinitionName` of a process instance: the process's name, or its id when it has none
        (Camunda's schema requires one)."""
        definition = self.definition(key)
        if definition is None:
            return None
        return self.process_name(key) or definition.bpmn_process_id

    def version_tag(self, key: int) -> str | None:
        model = self.model(key)
        return model.version_tag if model is not None else None

    def version(self, key: int) -> int:
        definition = self.definition(key)
        return definition.version if definition is not None else 0

    def element_name(self, key: int, element_id: str) -> str:
        """The element's name, or its id when it has none (as Camunda answers)."""
        model = self.model(key)
        if model is None:
            return element_id
        if element_id == model.id:
            return model.name or element_id
        element = model.elements.get(element_id)
        return (element.name or element_id) if element is not None else element_id

    def start_form_id(self, key: int) -> str | None:
        model = self.model(key)
        if model is None or model.start_event is None:
            return None
        return model.element(model.start_event).form_id

    def latest_form(self, form_id: str) -> FormDefinition | None:
        versions: list[FormDefinition] = self.read(lambda ctx: ctx.layer.find(Kind.FORM, "form_id", form_id))
        return max(versions, key=lambda form: form.version) if versions else None

    def form(self, key: int) -> FormDefinition | None:
        found: FormDefinition | None = self.read(lambda ctx: ctx.layer.get(Kind.FORM, key))
        return found

    # ------------------------------------------------------------------- names as SQL over definitions

    def definitions_where(self, value_of: Callable[[int], str | None], spec: StringFilter) -> list[int]:
        return [d.key for d in self.definitions() if python_string_match(value_of(d.key), spec)]

    def by_definition(self, column: Any, value_of: Callable[[int], Any]) -> Any:
        """An SQL expression giving, per definition key in `column`, what `value_of` says."""
        mapping = {d.key: value_of(d.key) for d in self.definitions()}
        mapping = {key: value for key, value in mapping.items() if value is not None}
        if not mapping:
            return column.is_(None)
        return case(mapping, value=column, else_=None)

    def elements_named(
        self, definition_column: Any, element_column: Any, spec: StringFilter
    ) -> ColumnElement[bool]:
        """Rows whose (definition, element id) names an element matching `spec`."""
        parts = []
        for definition in self.definitions():
            model = self.model(definition.key)
            if model is None:
                continue
            ids = [
                element_id
                for element_id in [model.id, *model.elements]
                if python_string_match(self.element_name(definition.key, element_id), spec)
            ]
            if ids:
                parts.append(and_(definition_column == definition.key, element_column.in_(ids)))
        return or_(false(), *parts)
