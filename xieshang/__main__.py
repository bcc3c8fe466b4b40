"""``python -m xieshang`` is the ``xieshang`` command."""

import sys

from xieshang.cli import main

sys.exit(main())
