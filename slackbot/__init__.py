"""The Slack review bot: pairs routed to review are posted to a channel, reviewers vote, a quorum policy
resolves them, and agreement is measured.

Modules: ``gate`` (signature and payload checks before bolt), ``service`` (the workflow over the store),
``queries`` (what it reads back), ``quorum`` and ``agreement`` (pure decisions and statistics), ``gold`` (gold
items and reviewer accuracy), ``views`` (Block Kit), ``outbox`` (Slack calls, retried), ``app``/``listeners`` (bolt wiring),
``emulator`` (a local Slack Web API for tests and the demo), ``simulate`` (signed requests, simulated
reviewers), ``cli``. Nothing outside this package imports it except the CLI; import the modules you need.
"""

from __future__ import annotations

__all__: list[str] = []
