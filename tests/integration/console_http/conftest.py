"""The console's HTTP tests: the console over real HTTP, the embedded engine, the real workers."""

from console_support import *  # noqa: F403
from process_support import *  # noqa: F403
