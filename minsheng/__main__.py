"""`python -m minsheng`, the same as the `minsheng` command."""

import sys

from minsheng.cli import main

sys.exit(main())
