"""The curator: everything between the capture events and a released dataset.

Subpackages, each with its own public surface: ``store`` (SQLAlchemy models and migrations), ``ingest``
(Kafka consumer group, spool and file sources), ``pairing`` (prompt groups, signals, checks, routing policy),
``pipeline`` (the ``Curator`` that ties them together), ``scrub`` (PII), ``tagging`` (harm categories),
``releases`` (monthly datasets and the scheduler), ``coverage`` (the on-call check), ``cli`` (``prefloop``).
``settings.Settings`` is the one configuration object. Import the subpackage you need; this package itself
exports nothing, so importing it loads no model and touches no database.
"""

from __future__ import annotations

__all__: list[str] = []
