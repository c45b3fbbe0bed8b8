"""User-visible strings of releases, `prefloop release|forget|scheduler` and `prefloop coverage`."""

from __future__ import annotations

COVERAGE_HEADER = "Coverage for {scope}: {accepted} accepted pairs, {backlog} waiting for review"
ALL_MONTHS = "all months"
AXIS_TITLE = {
    "tactic": "Tactics (share of pairs with a tactic):",
    "hazard": "Hazards (share of pairs with a hazard):",
}
COVERAGE_LINE = (
    "  {mark} {name:<24} {count:>7}  {share:>6}  target {low}-{high}  {status:<5}  "
    "backlog {backlog}  disagreement {disagreement}"
)
STATUS_MARK = {"ok": "ok ", "low": "LOW", "high": "HI ", "empty": "NONE"}
COVERAGE_OK = "All categories inside their target ranges."
COVERAGE_FAILING = "{n} categor(ies) outside the target range or empty: {names}"

# -- releases --------------------------------------------------------------------------------------------
PROGRESS_PAIRS = "release {month}"
UNKNOWN_GATE = "unknown gate(s) to override: {names}. Gates: {known}"
GATES_FAILED = (
    "release {month} stopped: gate(s) failed: {failed}. Nothing was written. Fix the data, or rebuild with "
    "--override NAME for each gate you accept failing (recorded in the card)."
)
RELEASE_EXISTS = (
    "{path} already exists; releases are never overwritten. Run the build again for the next revision."
)
DATASET_DESCRIPTION = "{name}: preference pairs (prompt, chosen, rejected) from user feedback. See README.md."
PLOT_TITLE = "{name}: share of pairs per category against target ranges"
BUILT = "built {name} ({pairs} pairs: {splits}) in {path}"
GATE_REPORT_TITLE = "gate report:"
WARNING = "warning: {text}"
PINNED = "pinned {n} prompts of {month} ({split}) into the frozen evaluation set"
PUSHED = "pushed {path} to {repo} ({url})"

# -- erasure ---------------------------------------------------------------------------------------------
NO_CAPTURE_SECRET = (
    "no capture secret: set PREFLOOP_CAPTURE_SECRET_KEY to the secret the app's capture uses (its "
    "PREFLOOP_CAPTURE_SECRET_KEY, else its SECRET_KEY), or pass --secret-key-file"
)
FORGOT = (
    "erased user {user}: {events} events, {responses} responses, {feedback} feedback rows, {pairs} pairs, "
    "{votes} votes, {dead_letters} dead letters removed from the store; {slack_deletions} Slack message(s) "
    "queued for deletion (the bot's outbox sends them); releases built from now on will not contain them, and "
    "ingest drops the user's events from now on (replays, resends, late spools)"
)

# -- scheduler -------------------------------------------------------------------------------------------
SCHEDULER_STARTED = (
    "scheduler running: monthly release job {job}, next run {next_run} (misfire grace {grace} h)"
)
RUN_CAUGHT_UP = (
    "the release for {period} fell due at {due} but never started (no job run recorded): scheduling it now"
)
JOB_SKIPPED = "release for {period} already {status} (job run {job_id}); skipping"
RUN_RETRY = (
    "the release for {period} failed ({error}); it runs again at {at} (retries until {until}, the misfire grace "
    "after its due time); `prefloop scheduler status` shows the runs"
)
RUN_GIVEN_UP = (
    "the release for {period} failed ({error}) and its misfire grace ended at {until}: not retried; fix the "
    "cause and run `prefloop release build --month {period}`"
)
JOB_NOTHING = "no accepted pairs for {period}; nothing to release"
ENCODER_PROCESS_GONE = (
    "the paraphrase encoder's process stopped (exit code {code}) before it answered; the build is stopped. "
    "Check memory and the encoder package (`prefloop doctor`), or build with PREFLOOP_RELEASE_PARAPHRASE=false"
)
