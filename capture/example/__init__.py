"""An example assistant app embedding prefloop capture (Flask and ``capture`` only).

Run it with ``python -m prefloop.capture.example [--port N]``; the demo (``prefloop demo``) drives it over HTTP.
"""

from __future__ import annotations

from prefloop.capture.example.app import MODEL_NAME, CannedResponder, Responder, create_app

__all__ = ["MODEL_NAME", "CannedResponder", "Responder", "create_app"]
