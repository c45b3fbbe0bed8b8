"""User-visible strings of the ``prefloop`` command line itself (the group, errors, output), in one place.

Each area's command strings stay with its area (``curator/messages.py``, ``curator/releases/messages.py``,
``slackbot/messages.py``).
"""

from __future__ import annotations

__all__ = [
    "ABORTED",
    "CONFIG_ERROR",
    "DB_LOST",
    "DISK_FULL",
    "FORGET_UNKNOWN_USER",
    "INGEST_ALL_INVALID",
    "INGEST_EMPTY",
    "INGEST_STRICT",
    "INTERRUPTED",
    "KAFKA_LOST",
    "KAFKA_UNREACHABLE",
    "MISSING_EXTRA",
    "PATH_ERROR",
    "UNEXPECTED",
]

CONFIG_ERROR = "configuration error: {error}"
DB_LOST = "the database stopped answering ({reason}): start it, or fix PREFLOOP_DATABASE_URL"
KAFKA_LOST = "Kafka did not answer ({reason}): start it, or fix PREFLOOP_KAFKA_BOOTSTRAP"
KAFKA_UNREACHABLE = (
    "Kafka at {bootstrap} did not answer ({reason}): start it (deploy/local/kafka start), "
    "or fix PREFLOOP_KAFKA_BOOTSTRAP, or unset it to read the capture spool"
)
PATH_ERROR = "{path}: {reason}"
DISK_FULL = (
    "{where}no space left on the device ({reason}): free space there, or write elsewhere "
    "(--out, PREFLOOP_RELEASE_DIR, PREFLOOP_DATABASE_URL), then run the command again"
)
UNEXPECTED = "unexpected {kind}: {reason} (`prefloop --debug ...` shows the traceback)"
ABORTED = "aborted"
INTERRUPTED = "interrupted"
MISSING_EXTRA = (
    "`prefloop {command}` needs {module!r}, which is not installed: "
    "install prefloop with the extra for it, e.g. pip install 'prefloop[all]'"
)
INGEST_STRICT = (
    "{path}: {dead} of {records} line(s) are not valid v1 events, so nothing was stored (--strict): fix or drop "
    "them, or ingest without --strict to keep them as dead letters"
)
INGEST_ALL_INVALID = "{path}: none of its {records} line(s) is a valid v1 event (reasons in dead_letters)"
INGEST_EMPTY = "{path} holds no events: give a JSONL file of v1 events, one per line"
FORGET_UNKNOWN_USER = (
    "the store holds no rows of user {user!r}, so nothing was erased (the request is recorded): give the "
    "pseudonym as stored, capture's HMAC of the app's user id computed with the same key"
)
