"""Process tests: the real diagrams in bpmn/ and forms/, the real workers, on the engine."""

from process_support import *  # noqa: F403
