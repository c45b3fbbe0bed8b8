"""User-visible strings of the curator's ingest, pairing and pairs commands, in one place."""

from __future__ import annotations

__all__ = [
    "COMMIT_FAILED",
    "DB_RETRY",
    "DLQ_FAILED",
    "DLQ_SENT",
    "EXPORT_DONE",
    "EXPORT_SKIPPED_UNSCRUBBED",
    "INGEST_DONE",
    "NO_FILE",
    "PURGE_DONE",
    "PURGE_DRY_RUN",
    "PURGE_FAILED",
    "RUN_DONE",
    "RUN_EMBEDDED",
    "RUN_KAFKA",
    "RUN_METRICS",
    "RUN_PURGE",
    "SCHEDULER_PROBES",
    "SCRUBBER_MISSING",
    "UNSTORABLE",
]

DB_RETRY = "database unavailable ({error}); retrying the same batch in {delay:.1f}s (offsets not committed)"
COMMIT_FAILED = (
    "offset commit failed ({error}); the records will be re-read and stored once (ingest is idempotent)"
)
DLQ_SENT = "dead-lettered {source}: {code}"
DLQ_FAILED = (
    "could not send the dead letter of {source} ({code}) to {topic}: {error}; it is kept in the store's "
    "dead_letters table and consumption goes on (counted in prefloop_curator_dead_letter_failures_total)"
)
UNSTORABLE = "the store refused the event at {source}: dead-lettered ({reason})"
RUN_KAFKA = "curator: consuming {topic} from {bootstrap} as group {group}"
RUN_EMBEDDED = "curator: embedded mode, reading the capture spool at {spool}"
RUN_DONE = (
    "curator: {records} record(s), {inserted} new event(s), {duplicates} repeat(s), {dead} dead letter(s); "
    "{groups} prompt group(s) paired: {pairs}"
)
INGEST_DONE = (
    "ingested {path}: {records} line(s), {inserted} new event(s), {duplicates} already stored, "
    "{dead} invalid (kept in dead_letters with the reason); pairs: {pairs}"
)
NO_FILE = "no such file: {path}; give a JSONL file of v1 events, one per line"
SCRUBBER_MISSING = (
    "the scrubber could not be loaded ({error}); the curator will not store pairs for review or release "
    "unscrubbed. Install prefloop[curator] and the spaCy model named by PREFLOOP_SPACY_MODEL."
)
PURGE_DONE = (
    "purged raw text older than {days} day(s) (before {cutoff}): {events} event(s), {responses} response(s), "
    "{groups} prompt group(s), {pairs} unscrubbed pair(s), {comments} feedback comment(s), "
    "{dead_letters} dead letter(s)"
)
PURGE_FAILED = "raw-text purge failed ({error}); it runs again in {interval:.0f}s (purging is idempotent)"
RUN_PURGE = "curator: purging raw text older than {days} day(s) now and every {interval:.0f}s"
RUN_METRICS = "curator: metrics on http://{addr}:{port}/metrics (probes: /healthz, /readyz)"
SCHEDULER_PROBES = "scheduler: /healthz and /readyz on http://{addr}:{port}"
PURGE_DRY_RUN = "dry run: would purge {events} event(s) older than {days} day(s) (before {cutoff})"
EXPORT_DONE = "wrote {count} pair(s) with status {statuses} to {out}"
EXPORT_SKIPPED_UNSCRUBBED = (
    "skipped {count} unscrubbed pair(s): raw text never leaves the store (use --allow-unscrubbed only for local "
    "debugging)"
)
