"""The demo: the whole loop on one machine, from a replayed public trace to a release.

``prefloop demo`` wires it (the example Flask app with capture, the review bot against the Slack emulator);
this package holds the trace, the simulated users and reviewers, the orchestration and the summary. It imports
neither ``capture`` nor ``slackbot``: they come in through :class:`~prefloop.curator.demo.run.Adapters`.
"""

from __future__ import annotations

from prefloop.curator.demo.errors import DemoError
from prefloop.curator.demo.run import Adapters, AppSetup, DemoOptions, RunningApp, run_demo
from prefloop.curator.demo.summary import DemoSummary
from prefloop.curator.demo.trace import Conversation, load_trace

__all__ = [
    "Adapters",
    "AppSetup",
    "Conversation",
    "DemoError",
    "DemoOptions",
    "DemoSummary",
    "RunningApp",
    "load_trace",
    "run_demo",
]
