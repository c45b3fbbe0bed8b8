"""Every user-visible string of the review bot (Slack texts, CLI lines), so they can be read together."""

from __future__ import annotations

__all__ = [
    "CHOICE_LABELS",
    "OUTCOME_LABELS",
]

#: Vote buttons, in order: value -> label.
CHOICE_LABELS = {
    "a": "A better",
    "b": "B better",
    "tie": "Tie",
    "both_bad": "Both bad",
    "unsafe": "Unsafe",
}

#: Outcomes in the stored frame -> what the resolved message says.
OUTCOME_LABELS = {
    "chosen": "the stored *chosen* answer is better (kept as is)",
    "rejected": "the stored *rejected* answer is better (sides swapped)",
    "tie": "tie (discarded)",
    "both_bad": "both answers are bad (discarded)",
    "unsafe": "unsafe (discarded)",
    "split": "no agreement (discarded)",
}

POST_FALLBACK = "Pair {pair_id} needs review: which answer is better?"
POST_HEADER = "Which answer is better?"
POST_INSTRUCTIONS = (
    "Read the prompt and both answers, then vote below and pick the rubric reason that decided it. "
    "Tallies stay hidden until the pair resolves; discuss in this message's thread."
)
LABEL_PROMPT = "*Prompt*"
LABEL_ANSWER = "*Answer {side}*"
LABEL_TAGS = "*Harm tags:* {tags}"
LABEL_ROUTED = "*Why review:* {reasons}"
LABEL_RUBRIC = "*Rubric v{version}:* {criteria}"
#: Route reason code -> what reviewers are told. Nothing here may say which side the users preferred: checks
#: name a side (``rejected_is_refusal``), so every check reads the same.
BLIND_REASONS = {
    "conflict": "users disagreed",
    "tie_votes": "some users called it a tie",
    "near_tie": "the answers are much alike",
    "weak_signal": "little user evidence",
    "weak_kind": "little user evidence",
    "weak_reason": "little user evidence",
    "safety_tagged": "the prompt may be harmful",
    "human_written": "a quality check asked for a person",
    "check": "a quality check asked for a person",
    # an audit pair (met the bar, drawn at random) reads like the most common review pair: a reviewer who knew
    # users' evidence was strong would lean towards confirming it
    "audit": "little user evidence",
}
#: Reason codes left out of what reviewers read (an audit pair's "strong_signal" would mark it as one).
BLIND_HIDDEN = frozenset({"strong_signal"})
BLIND_REASON_OTHER = "routine review"
NO_TAGS = "none"
NO_REASONS = "not recorded"
CUT_MARK = "… _(cut: {shown} of {total} characters — press Read full)_"
READ_FULL = "Read full"
REASON_PLACEHOLDER = "Reason (rubric)"
MODAL_TITLE = "Pair in full"
MODAL_CLOSE = "Close"
MODAL_CONTINUED = "_(continued)_"

RESOLVED_HEADER = "Resolved: {outcome}"
RESOLVED_DETAIL = "Votes: {tally}. Agreement {agreement:.0%}. Decided by {decided_by}."
RESOLVED_THREAD = "This pair is resolved: {outcome}. Thanks, reviewers."
ESCALATED_THREAD = (
    "{group} reviewers split on this pair ({votes} votes, no quorum). An adjudicator's vote will decide."
)
NO_ADJUDICATORS = "no adjudicator group is configured;"
REMINDER_THREAD = "Reminder: this pair still needs {needed} more agreeing vote(s). ({n} of {max} reminders)"

VOTE_RECORDED = "Your vote on {pair_id}: *{choice}*{reason}. You can change it until the pair resolves."
VOTE_REASON = " (reason: {reason})"
VOTE_CHANGED = "Your vote on {pair_id} is now *{choice}*{reason}."
REASON_RECORDED = "Reason for your vote on {pair_id} set to {reason}."
REASON_BEFORE_VOTE = "Reason {reason} noted: it is saved with your vote when you press a vote button."
ALREADY_RESOLVED = "Pair {pair_id} is already resolved ({outcome}); votes are closed."
ADJUDICATORS_WAIT = "Pair {pair_id} is still with the reviewers: adjudicators vote once reviewers split and the pair is escalated."
UNKNOWN_PAIR = "Pair {pair_id} is not under review (any more)."
NOT_A_REVIEWER = (
    "Sorry, only members of the reviewer group can vote on review pairs. Ask an admin to add you to {group}."
)
GROUP_UNAVAILABLE = "Sorry, the reviewer list could not be checked right now; please try again in a minute."

GATE_UNSIGNED = (
    "request is not signed: Slack signs every request (X-Slack-Signature, X-Slack-Request-Timestamp); "
    "send requests through Slack or sign them with the app's signing secret"
)
GATE_BAD_TIMESTAMP = "X-Slack-Request-Timestamp must be the request's Unix time in whole seconds"
GATE_STALE = (
    "request timestamp is more than 5 minutes from now: refused as a possible replay; check the clock"
)
GATE_BAD_SIGNATURE = "signature does not match: check PREFLOOP_SLACK_SIGNING_SECRET against the Slack app's"
GATE_TOO_LARGE = "request body is larger than any Slack request (1 MiB)"
GATE_NOT_UTF8 = "request body is not UTF-8 text"
GATE_MALFORMED = "request body is not a Slack payload: {what}"
GATE_BAD_FIELD = "payload field {field} is missing or of the wrong type"
GATE_HTTP_ERROR = "{name}: only POST /slack/events with a Slack payload is served here"
#: A click that found no free store slot in time (logged; Slack shows the reviewer a failed click to repeat).
STORE_BUSY = "no store slot free within {seconds:g} s of the click's arrival (every slot busy)"

GOLD_FLAG = (
    "Review quality: <@{user}> answered {accuracy:.0%} of {n} gold items right (by category: {categories}), "
    "below the team's threshold. {policy}"
)
GOLD_POLICIES = {
    "count": "Their votes still count in full.",
    "weight": "Their votes now count {weight} of a vote towards quorum.",
    "exclude": "Their votes are now recorded but not counted.",
}
GOLD_HEADER = "Accuracy on gold items (pairs with a known answer):"
GOLD_ROW = "{key}: {accuracy} of {n} right ({categories}){flag}"
GOLD_FLAGGED = "  <- below the threshold: flagged"

COMMAND_USAGE = "Usage: `/prefloop coverage | queue | stats | agreement`"
COMMAND_PENDING = "Computing… the answer follows here in a moment."
COMMAND_FAILED = "Sorry, that report failed ({error}); try again in a minute."
COMMAND_NOT_ALLOWED = "Sorry, `/prefloop {command}` is for {role} only."
ROLE_NAMES = {"reviewer": "reviewers and adjudicators", "adjudicator": "adjudicators (the review leads)"}
COVERAGE_UNAVAILABLE = "coverage not available: {reason}"
QUEUE_LINE = (
    "Review queue: {queued} queued to post, {posted} open, {escalated} escalated, {resolved} resolved."
)
QUEUE_OLDEST = "Oldest open pair: {pair_id}, posted {age} ago."
STATS_LINE = (
    "Votes: {votes} by {reviewers} reviewers. Resolved: {accepted} accepted ({swapped} swapped), "
    "{discarded} discarded. Outbox: {pending} pending, {failed} failed. Refused unscrubbed: {unscrubbed}."
)
AGREEMENT_HEADER = "Agreement (target {target:.0%}):"
AGREEMENT_ROW = "{key}: {percent} agreement, alpha {alpha}, {pairs} pairs / {votes} votes{flag}"
AGREEMENT_REVIEWER_ROW = (
    "{key}: {percent} with co-reviewers (alpha {alpha}), {with_others} with the majority, {votes} votes, "
    "A pressed in {a_share} of side votes{flag}"
)
SELECTION_BIAS = (
    "First two votes of each pair (unselected): {first_two} agreement, alpha {alpha}, {pairs} pairs. A third vote "
    "is asked only when the first two disagree ({third} of pairs got one), so figures over all votes are "
    "selected: selection bias {bias} on percent agreement."
)
POSITION_P = " (two-sided binomial p = {p:.3f})"
AGREEMENT_FLAG = "  <- below target: needs a clearer rubric"
AUDIT_LINE = (
    "Automatic acceptance, audited: reviewers confirmed the users' side on {confirmed} of {audited} pairs drawn "
    "at random from those that met the bar ({precision}, 95% interval {low}-{high})."
)
AUDIT_EMPTY = "Automatic acceptance, audited: no audit pair resolved yet."
CALIBRATION_HEADER = (
    "Strength calibration, from review (pairs below the bar and the audit sample; a band of 20+ pairs is "
    "calibrated when reviewers confirmed the users' side within 10 points of its strength):"
)
CALIBRATION_LINE = "  {band}: {right} of {pairs} confirmed ({share}, 95% interval {low}-{high}) at strength {strength} - {verdict}"
CALIBRATION_EMPTY = "Strength calibration, from review: no pair below the bar or audited resolved yet."
CALIBRATION_VERDICTS = {
    "calibrated": "calibrated",
    "under-confident": "under-confident (right more often than stated)",
    "over-confident": "over-confident (right less often than stated)",
    "too few to judge": "too few to judge",
}
CALIBRATION_NOISE = "; the miss is beyond sampling noise"
POSITION_BIAS = "Position bias: A picked in {share:.0%} of {n} votes for a side (50% = none)."
AGREEMENT_EMPTY = "No pair has two votes yet: no agreement to report."
NOT_AVAILABLE = "n/a"

HOME_HEADER = "prefloop review"
HOME_PENDING = "*Pairs waiting for your vote:* {n}"
HOME_PENDING_ITEM = "• <{link}|{pair_id}> ({state}, posted {age} ago)"
HOME_PENDING_ITEM_NOLINK = "• {pair_id} ({state})"
HOME_NONE_PENDING = "Nothing waiting for you. Thank you!"
HOME_MORE = "…and {n} more."
HOME_MINE = (
    "*Your agreement:* {percent} with co-reviewers, {with_others} with the majority, over {votes} votes "
    "(team target {target:.0%})."
)
HOME_MINE_EMPTY = "*Your agreement:* not enough overlapping votes yet."

POST_REFUSED_UNSCRUBBED = "refused to post pair %s: its texts are not scrubbed (count: %d)"
CLI_POSTED = "queued {queued} pair(s) for review, refused {refused} unscrubbed, outbox: {sent} sent, {pending} pending, {failed} failed"
CLI_GOLD_ADDED = "added {n} gold item(s) from {path} (already present ones skipped)"
CLI_GOLD_EXPORTED = (
    "wrote {n} gold item(s) from {prompts} pinned evaluation prompt(s) to {path} ({skipped} pair(s) left out); "
    "read it, then add it with `prefloop slackbot gold add {path}`"
)
CLI_GOLD_NO_EVAL = (
    "no frozen evaluation prompts in the store ({month}): pin a release's test split first with "
    "`prefloop release pin-eval --month YYYY-MM`"
)
CLI_RESENT = "queued {n} failed message(s) again; outbox: {sent} sent, {pending} pending, {failed} failed"
OUTBOX_REFUSED = (
    "Slack refused message {id} ({method}, pair {pair}): {error}; marked failed (not retried). "
    "Fix the cause, then `prefloop slackbot resend --id {id}`"
)
OUTBOX_GAVE_UP = (
    "gave up on message {id} ({method}, pair {pair}) after {attempts} attempts over the retry window: {error}; "
    "marked failed. When Slack answers again: `prefloop slackbot resend`"
)
CLI_REMINDED = "reminders queued: {n}; outbox: {sent} sent, {pending} pending"
CLI_SERVING = "slackbot listening on http://{host}:{port}/slack/events (Slack API: {api})"
CLI_NO_TOKEN = (
    "PREFLOOP_SLACK_BOT_TOKEN is not set: set it (and PREFLOOP_SLACK_SIGNING_SECRET) to talk to Slack, "
    "or pass --emulator to run against the local Slack emulator"
)
CLI_NO_SECRET = (
    "PREFLOOP_SLACK_SIGNING_SECRET is not set: copy it from your Slack app's Basic Information page"
)
CLI_NO_APP_TOKEN = "Socket Mode needs PREFLOOP_SLACK_APP_TOKEN (an xapp- token with connections:write)"
NO_REVIEWER_GROUP = (
    "PREFLOOP_SLACK_REVIEWER_GROUP is not set, so anyone in the workspace could vote. Set it to the user group id "
    "(S...) of your reviewers, or PREFLOOP_SLACK_REVIEWER_CHANNEL to a channel id (C...) whose members review "
    "(free plans), or pass --open-review to allow every member on purpose."
)
