"""CaptureASGI needs no Flask: an ASGI app installs ``prefloop[asgi]`` (capture without Flask)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = """
import sys
for name in ("flask", "werkzeug", "markupsafe", "starlette"):
    sys.modules[name] = None  # importing any of them now fails
from prefloop.capture import CaptureASGI

async def app(scope, receive, send):
    pass

capture = CaptureASGI(app, user_loader=lambda scope: None,
                      config={"PREFLOOP_CAPTURE_SECRET_KEY": "s", "PREFLOOP_CAPTURE_SPOOL_DIR": sys.argv[1]})
print(capture.script_tag())
capture.shutdown()
"""


def test_capture_asgi_imports_and_starts_without_flask_or_starlette(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path / "spool")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        '<script src="/prefloop/static/prefloop.js" data-prefloop-endpoint="/prefloop" defer></script>'
    )
