"""`python -m prefloop.curator.cli` = `prefloop`."""

from __future__ import annotations

import sys

from prefloop.curator.cli import main

sys.exit(main())
