"""Testing with the engine: `EngineHandle` (embedded, connected or attached) and its assertions."""

from engine.testing.assertions import AssertionTimeout, NotInspectable
from engine.testing.handle import EngineHandle

__all__ = ["AssertionTimeout", "EngineHandle", "NotInspectable"]
