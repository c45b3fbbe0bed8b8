"""User-visible strings of the curator's ingest, pairing and pairs commands, in one place."""

from __future__ import annotations

__all__ = [
    "COMMIT_FAILED",
    "DB_BACK",
    "DB_MIGRATION_FAILED",
    "DB_NOT_MIGRATED",
    "DB_RETRY",
    "DB_RETRY_RESOURCES",
    "DB_UNREACHABLE",
    "DLQ_FAILED",
    "DLQ_SENT",
    "ENV_FILE_BAD_LINE",
    "ENV_FILE_NOT_UTF8",
    "ENV_FILE_UNREADABLE",
    "EXPORT_DONE",
    "EXPORT_SKIPPED_UNSCRUBBED",
    "INGEST_DONE",
    "INGEST_NOTHING_NEW",
    "INGEST_SHORTER",
    "INVALID_LINE",
    "KAFKA_BACK",
    "KAFKA_DOWN",
    "KAFKA_STILL_DOWN",
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
    "SECRET_FILE_UNREADABLE",
    "SERVICE_LINK_PORT",
    "SETTING_DID_YOU_MEAN",
    "SETTING_INVALID",
    "SETTING_NO_SUCH",
    "SETTING_TWICE",
    "SETTING_UNKNOWN",
    "SQLITE_UNUSABLE",
    "UNSTORABLE",
]

DB_RETRY = (
    "database unavailable ({error}){hint}; retrying the same batch every {delay:.0f}s or sooner (offsets not "
    "committed; this line repeats at most once a minute)"
)
#: SQLSTATE class 53 (insufficient resources): the server answers, but cannot take the write
DB_RETRY_RESOURCES = ": the database server is out of disk, memory or connections: free space on its volume"
DB_BACK = "database back after {retries} retr{plural} in {seconds:.0f}s; the batch is stored"
#: kafka-python's unreachable-broker lines, summed up (:mod:`prefloop.curator.cli.kafka_log`)
KAFKA_DOWN = (
    "Kafka broker unreachable for {seconds:.0f}s ({reason}); retrying. Nothing is lost: offsets are committed "
    "only after events are stored. (kafka-python's own lines with --debug)"
)
KAFKA_STILL_DOWN = (
    "Kafka broker still unreachable after {seconds:.0f}s ({lines} kafka-python line(s) held back)"
)
KAFKA_BACK = "Kafka broker reachable again after {seconds:.0f}s"
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
#: appended to RUN_DONE / INGEST_DONE when records of users erased by `prefloop forget` were dropped at ingest
FORGOTTEN_DROPPED = "; {forgotten} record(s) of erased users dropped (prefloop forget's tombstones)"
INGEST_DONE = (
    "ingested {path}: {records} line(s), {inserted} new event(s), {duplicates} already stored, "
    "{dead} invalid (kept in dead_letters with the reason); pairs: {pairs}"
)
INGEST_SHORTER = (
    "{path} has {size} bytes, fewer than the {position} an earlier ingest of it read: it was truncated or "
    "replaced. `prefloop ingest --from-start` reads it from its first line (events already stored count as "
    "repeats)"
)
INGEST_NOTHING_NEW = (
    "{path}: nothing new; an earlier ingest already read all {size} bytes (ingest resumes where it stopped, so "
    "lines appended later are read next time; --from-start reads the whole file again, events already stored "
    "count as repeats)"
)
INVALID_LINE = "{path}:{line}: {reason}"
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

# -- settings (curator/settings_sources.py) -------------------------------------------------------------------
SETTING_UNKNOWN = "unknown setting {name} (from {origin}): {hint}"
SETTING_DID_YOU_MEAN = "did you mean {known}?"
SETTING_NO_SUCH = "prefloop has no such setting; unset it (`prefloop settings` lists every one)"
SETTING_INVALID = "{name}={value} is invalid: {reason}"
SERVICE_LINK_PORT = (
    "{name}={value!r} is a Kubernetes service link (a Service named {service!r}), not a port: "
    "set enableServiceLinks: false in the pod spec or rename that Service"
)
SETTING_TWICE = "{name} and {file_name} are both set: keep one (the _FILE form reads the value from a file)"
SECRET_FILE_UNREADABLE = "{name}={path}: cannot read the file ({reason}); mount it or unset {name}"
ENV_FILE_UNREADABLE = "cannot read the settings file {path} ({reason})"
ENV_FILE_NOT_UTF8 = "the settings file {path} is not UTF-8 text"
ENV_FILE_BAD_LINE = "the settings file {path}, line {line}: not NAME=value (quote values with spaces or #)"

# -- the store (curator/store/engine.py) ----------------------------------------------------------------------
DB_UNREACHABLE = "the database at {url} did not answer ({reason}): start it, or fix PREFLOOP_DATABASE_URL"
DB_NOT_MIGRATED = (
    "the database is not migrated (at {current}, this prefloop expects {expected}): run `prefloop db upgrade`"
)
DB_MIGRATION_FAILED = "migrating {url} failed ({reason}); nothing after the failing revision was applied"
SQLITE_UNUSABLE = (
    "the SQLite database {path} cannot be opened or created ({reason}): "
    "point PREFLOOP_DATABASE_URL at a file in a writable folder"
)
NO_PARTITIONS = (
    "Kafka lists no partitions of topic {topic} after {seconds:.0f}s: consuming anyway; the group assigns them "
    "once the broker's metadata shows them (check that the topic exists and this client may describe it)"
)
