"""`python -m curator.cli` = `prefloop`."""

from __future__ import annotations

import sys

from curator.cli import main

sys.exit(main())
