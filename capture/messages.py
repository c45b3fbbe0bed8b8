"""Every user-visible string of the capture package, in one place."""

from __future__ import annotations

# --- errors raised to the host app -------------------------------------------------------------
SPOOL_FULL = (
    "capture spool is full ({pending} bytes pending, budget {budget}): Kafka has been unreachable for too long. "
    "The event was NOT accepted. Bring Kafka back or raise PREFLOOP_CAPTURE_SPOOL_MAX_BYTES."
)
QUEUE_FULL = (
    "capture queue is full ({size} events wait for the spool writer): the disk is too slow or stuck. "
    "The event was NOT accepted. Check the spool disk or raise PREFLOOP_CAPTURE_QUEUE_MAX_EVENTS."
)
SPOOL_WRITE_FAILED = (
    "could not write the capture spool {path}: {error}. The event was NOT accepted; check the disk."
)
EVENT_TOO_LARGE = (
    "the event is {size} bytes serialized; the limit is {limit} (PREFLOOP_CAPTURE_MAX_EVENT_BYTES, kept below "
    "the broker's maximum message size). The event was NOT accepted: pass a shorter context (the last "
    "messages of the conversation) or a shorter text."
)
ACK_TIMEOUT = "the event was not confirmed on disk within {timeout} s; retry with the same idempotency key."
PUBLISHER_CLOSED = "the capture publisher is shut down; no more events are accepted (was shutdown() called?)."
NO_USER = "no signed-in user for this request: the user_loader returned None."
NO_USER_LOADER = (
    "no user_loader registered: decorate a function returning the current user's id with "
    "@capture.user_loader, or pass user=... to response_shown()."
)
TOKEN_INVALID = {
    "malformed": "the response token is malformed; use the token response_shown() returned.",
    "signature": "the response token does not verify for this user and conversation.",
    "expired": "the response token has expired; feedback is accepted only for recent responses.",
    "future": "the response token says it was issued in the future; check the clocks of the app's servers.",
    "outdated": "the response token was issued by an older version of capture; reload the page for a fresh one.",
}
ALREADY_REGISTERED = (
    "FeedbackCapture is already registered on app {app!r}. Call init_app once per app; to reconfigure, "
    "create a new Flask app (or a new FeedbackCapture for another app)."
)
NOT_REGISTERED = "FeedbackCapture is not registered on the current app: call capture.init_app(app) first."
NO_SECRET = (
    "capture needs a secret for signing response tokens and pseudonymizing users: set "
    "PREFLOOP_CAPTURE_SECRET_KEY (or the app's SECRET_KEY)."
)
UNKNOWN_KEYS = "unknown capture settings: {names}. Known settings: {known}."
BAD_SETTING = "setting {name}={value!r} is invalid: {reason}."

# --- JSON error bodies of the endpoints ----------------------------------------------------------
HTTP = {
    "not_json": "the body is not valid UTF-8 JSON; send Content-Type: application/json with a JSON object.",
    "not_object": 'the body is JSON but not an object; send one JSON object, such as {{"token": ...}}.',
    "bad_request": "the request was refused before it reached capture: {reason}",
    "http_error": "the request was refused with HTTP {http_status} before it reached capture: {reason}",
    "too_large": "the body is {size} bytes; the limit is {limit}.",
    "bad_length": "the Content-Length header is not a non-negative integer.",
    "too_deep": "the body nests arrays or objects more than {limit} levels deep; send one flat JSON object.",
    "event_too_large": "the event would be {size} bytes; the limit is {limit}. Send a shorter text.",
    "invalid": "the body does not describe a valid event; see fields.",
    "invalid_token": "the response token does not verify; feedback is accepted only on responses shown to you.",
    "no_user": "sign in to send feedback.",
    "rate_limited": "too many feedback requests; retry after {retry_after} s.",
    "spool_full": "feedback cannot be stored right now (capture spool is full); retry later.",
    "queue_full": "feedback cannot be stored right now (capture is overloaded); retry later.",
    "spool_write_failed": "feedback cannot be stored right now (disk error); retry later.",
    "ack_timeout": "feedback was not confirmed in time; retry with the same idempotency key.",
    "closed": "capture is shutting down; retry later.",
    "unavailable": "capture failed unexpectedly; retry later.",
    "not_found": "no such capture endpoint.",
    "method_not_allowed": "method not allowed on this capture endpoint.",
    "metrics_disabled": "the capture metrics endpoint is disabled.",
}

# --- log lines ------------------------------------------------------------------------------------
LOG_SPOOL_FULL = (
    "prefloop capture: spool over budget (%d of %d bytes); refusing new events until Kafka drains it"
)
LOG_SPOOL_OK = "prefloop capture: spool back under budget (%d of %d bytes); accepting events again"
LOG_WRITE_FAILED = (
    "prefloop capture: spool write failed on %s: %s (%d failed attempt(s) since the last good write; clicks are "
    "answered 503 and responses wait in memory until a write succeeds; logged at most once a minute)"
)
LOG_WRITE_RECOVERED = "prefloop capture: spool writes work again after %d failed attempt(s) over %.0f s"
LOG_SYNC_FAILED = "prefloop capture: spool fsync failed on %s: %s"
LOG_KAFKA_ERROR = "prefloop capture: Kafka send failed (%s); events stay in the spool and are retried"
LOG_KAFKA_BACK = "prefloop capture: Kafka reachable again; replaying the spool"
LOG_SET_ASIDE = (
    "prefloop capture: Kafka refused event %s (%d bytes) for good (%s); moved it to %s so later events keep "
    "shipping. Raise the broker's message limit and send it by hand, or delete it"
)
LOG_SIDECAR_DIED = (
    "prefloop capture: the sender sidecar (pid %d) died (%s); events stay in the spool. Starting a new one "
    "in %.1f s"
)
LOG_SIDECAR_RESTARTED = (
    "prefloop capture: sender sidecar restarted (pid %d); shipping the spool from its cursor"
)
LOG_ADOPTED = "prefloop capture: adopted the spool of dead writer %s"
LOG_CURSOR_FAILED = (
    "prefloop capture: could not record shipping progress in %s (%s); this process goes on from where it is, a "
    "restart before the next good write sends those events again (the curator drops repeats by event id); "
    "logged at most once a minute"
)
LOG_CORRUPT_LINE = "prefloop capture: skipped an unreadable spool line in %s at byte %d"
LOG_SHUTDOWN_PENDING = (
    "prefloop capture: shutdown with %d bytes not yet shipped; they stay in %s for the next process"
)
LOG_DEGRADED = (
    "prefloop capture: response_shown did not record a response (%s: %s); the page got an empty token. "
    "%d more since the last line; at most one line per %.0f s, all counted in prefloop_capture_degraded_total"
)
LOG_ENCODE_FAILED = (
    "prefloop capture: an accepted %s event could not be serialized on the writer thread and is lost "
    "(a bug in capture's checks: please report it): %s"
)
LOG_METRICS_FILE_SKIPPED = (
    "prefloop capture: metrics file %s cannot be read (%s) and is left out of the scrape: a worker was killed "
    "while creating it, or it is being written. It contributes nothing; delete it when no worker runs"
)
LOG_DROPPED_AT_EXIT = "prefloop capture: %d accepted events could not be written to the spool at exit"
