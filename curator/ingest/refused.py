"""Events the store refuses: which errors mean "this event cannot be stored" (dead-letter it) and which mean
"the database is away" (retry the same batch), and the dead letter of a refused event."""

from __future__ import annotations

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, StatementError

from prefloop.curator.ingest.decode import DeadLetterItem, Decoded, RawRecord

__all__ = ["RETRYABLE_ERRORS", "UNSTORABLE_ERRORS", "error_code", "one_line_reason", "unstorable"]

#: The database is unreachable or restarting: wait and retry the same batch, commit no offsets.
RETRYABLE_ERRORS = (OperationalError, InterfaceError, DisconnectionError)
#: A statement failed (``DataError``, ``IntegrityError``, a value the driver cannot encode): the retryable
#: ones above are subclasses and are told apart by the caller.
UNSTORABLE_ERRORS = (StatementError, ValueError)


def error_code(exc: BaseException) -> str:
    """The error's class and, for a database error, its SQLSTATE: never its message, which quotes the row."""
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    name = type(orig if orig is not None else exc).__name__
    return f"{name} (SQLSTATE {state})" if state else name


def one_line_reason(exc: BaseException) -> str:
    """An error for a log line: a database error's class and SQLSTATE (its text quotes the statement and its
    parameters), any other's class and the first line of its message."""
    if getattr(exc, "orig", None) is not None:
        return error_code(exc)
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def unstorable(decoded: Decoded, exc: BaseException) -> DeadLetterItem:
    """The dead letter of an event the store refused on its own."""
    record = decoded.record or RawRecord(
        value=(decoded.text or "").encode("utf-8", "replace"), source=decoded.source
    )
    return DeadLetterItem(
        record,
        "unstorable",
        f"the store refused the event ({error_code(exc)}); it is kept here as received",
    )
