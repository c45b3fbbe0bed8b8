"""Exit codes of every ``prefloop`` command, and the one place an error becomes one line and a code.

======  =====================================================================================
code    meaning
======  =====================================================================================
0       done; every check passed
1       a check failed (doctor, coverage, db current, ingest --strict, ...), or the command could
        not do its work (the line says what to run)
2       usage or configuration: a wrong flag, an unknown or invalid setting, an unusable path
3       a dependency did not answer: the database or Kafka (start it or fix its address)
======  =====================================================================================

Interrupted commands exit 130, as shells expect.
"""

from __future__ import annotations

import errno
import sys
from dataclasses import dataclass

from prefloop.curator.cli import messages as msg
from prefloop.schemas.errors import ConfigError, PrefloopError, UnreachableError

__all__ = ["CHECK_FAILED", "INTERRUPTED", "OK", "UNREACHABLE", "USAGE", "Failure", "failure"]

OK = 0
CHECK_FAILED = 1
USAGE = 2
UNREACHABLE = 3
INTERRUPTED = 130


#: a full disk or quota: the command could not do its work, and the line says so plainly
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


@dataclass(frozen=True)
class Failure:
    code: int
    line: str


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _is(exc: BaseException, module: str, *names: str) -> bool:
    """``isinstance`` against classes of an optional dependency, without importing it."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, tuple(getattr(loaded, n) for n in names))


def failure(exc: BaseException) -> Failure:
    """The exit code and the one line (without the ``prefloop:`` prefix) for an exception out of a command."""
    if isinstance(exc, ConfigError):
        return Failure(USAGE, msg.CONFIG_ERROR.format(error=exc))
    if isinstance(exc, UnreachableError):
        return Failure(UNREACHABLE, str(exc))
    if isinstance(exc, PrefloopError):
        return Failure(CHECK_FAILED, str(exc))
    if _is(exc, "sqlalchemy.exc", "OperationalError", "InterfaceError"):  # the server went away mid-command
        return Failure(UNREACHABLE, msg.DB_LOST.format(reason=_first_line(exc)))
    if _is(exc, "kafka.errors", "NoBrokersAvailable", "KafkaConnectionError", "KafkaTimeoutError"):
        return Failure(UNREACHABLE, msg.KAFKA_LOST.format(reason=_first_line(exc)))
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        where = f"{exc.filename}: " if exc.filename is not None else ""
        return Failure(CHECK_FAILED, msg.DISK_FULL.format(where=where, reason=_first_line(exc)))
    if isinstance(exc, OSError) and exc.filename is not None:
        return Failure(USAGE, msg.PATH_ERROR.format(path=exc.filename, reason=exc.strerror or exc))
    return Failure(CHECK_FAILED, msg.UNEXPECTED.format(kind=exc.__class__.__name__, reason=_first_line(exc)))
