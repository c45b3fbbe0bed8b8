"""Every user-visible string of the demo, in one place."""

from __future__ import annotations

# --- errors ----------------------------------------------------------------------------------------------
BAD_TRANSCRIPT = "an hh-rlhf transcript must start with a Human turn, found {start!r}"
TRACE_UNREADABLE = "cannot read the demo trace {path}: {error}. Reinstall prefloop (the file ships with it)."
TRACE_TOO_SHORT = "asked for {n} conversations but the trace {path} has only {have} usable ones: use fewer"
BAD_COUNT = "the number of conversations must be at least 1, got {n}"
HTTP_FAILED = "{method} {path} failed with HTTP {status}: {detail}"
NOT_A_DEMO_DIR = (
    "refusing to empty {path}: it is not a folder an earlier demo made (no {marker} file in it). "
    "Pick a new --workdir or remove the folder yourself."
)
VOTES_TIMEOUT = "only {n} of {expected} votes were recorded by the bot within {timeout} s"
POSTS_TIMEOUT = "the bot posted {n} of {expected} review pairs to Slack within {timeout} s"
NO_KAFKA = "--kafka needs a broker: set PREFLOOP_KAFKA_BOOTSTRAP (e.g. 127.0.0.1:19092 from deploy/local/kafka start)"
NO_POSTGRES = (
    "--kafka runs on PostgreSQL: set PREFLOOP_DATABASE_URL to the server's URL (deploy/local/postgres url); "
    "the demo creates its own database {db!r} there"
)
FLUSH_FAILED = "capture did not get every event {where} within {timeout} s"
TOPICS_LEFT = "could not delete the demo's Kafka topics {topics} ({error}); delete them by hand if you like"
UNKNOWN_PROMPT = "I'm the demo's replay model: I only know the conversations of the replayed trace."

# --- progress ---------------------------------------------------------------------------------------------
STAGE = "\n==> [{n}/{total}] {title}: {what}"
PREPARE = "fresh workdir {workdir}; store {db}; release month {month} (fixed: every run builds this month's release)"
PREPARE_KAFKA = "Kafka {bootstrap}, topic {topic}, consumer group {group}"
LOADED = "loaded {n} hh-rlhf conversations ({pii} with injected names, emails and phones); {sessions} user sessions"
CURATOR_READY = "curator ready: spaCy model {model}, scrubber {scrubber}, tagger loaded in {seconds:.1f} s"
APP_UP = "example assistant (Flask + capture) on {url}; capture {mode}"
TRAFFIC_DONE = "{sessions} sessions by {users} simulated users: {requests} HTTP requests in {seconds:.1f} s; clicks: {clicks}"
INGESTED = "{records} records -> {inserted} events stored ({dead} dead letters); {groups} prompt groups paired: {pairs}"
REVIEW_POSTED = "the bot posted {n} pairs to the emulated Slack channel; reviewers: {reviewers}"
REVIEW_ROUND = "  round {round}: {pairs} open pairs, {votes} signed votes so far"
REVIEW_ADJUDICATED = "  adjudicator voted on {pairs} escalated pairs"
REVIEW_DONE = "outcomes: {outcomes}; unresolved: {unresolved}; HTTP statuses: {statuses}"
RELEASE_RETRY = (
    "gate(s) {failed} failed on this small demo month; rebuilding with the documented override "
    "(--override {failed}), which the card and manifest record"
)
RELEASE_DONE = "release {name}: {pairs} pairs in {path}"
RELEASE_WARNING = "  warning: {warning}"

STAGES = (
    "prepare",
    "load the trace and the curator",
    "replay users through the chat app",
    "ingest, pair, scrub, tag, route",
    "review in (emulated) Slack",
    "build the release",
    "summary",
)
#: one line per stage: what it does
STAGE_WHAT = (
    "empty the workdir, migrate the store; all traffic is stamped in one fixed month",
    "hh-rlhf conversations -> prompts and their two recorded answers; spaCy scrubber and harm tagger",
    "simulated users open the chat page, ask, thumb, regenerate, pick and edit over HTTP; capture records it",
    "the curator reads what capture recorded, stores it, forms pairs, scrubs PII, tags harm, routes them",
    "the real bot posts ambiguous pairs to the Slack emulator; reviewers vote with signed requests to quorum",
    "the month's dataset: splits by prompt, gates, dataset card, coverage plot, manifest",
    "count everything, check that no injected personal data reached Slack or the release",
)
