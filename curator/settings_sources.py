"""Where :class:`~prefloop.curator.settings.Settings` values come from, and how a bad one is reported.

Sources, later ones winning: a ``.env`` file, the environment; ``PREFLOOP_<NAME>_FILE`` names a file holding
the value instead (a mounted secret; its trailing newline is dropped). Only ``PREFLOOP_*`` names are read from
a ``.env`` file, so an application's shared ``.env`` can hold its own variables too.

Plain functions over plain mappings: the settings class calls :func:`gather` and :func:`invalid_value`.
"""

from __future__ import annotations

import difflib
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import ValidationError

from prefloop.curator import messages as msg
from prefloop.curator.database_url import MASK, redact_url
from prefloop.curator.service_links import is_service_link, looks_like_link_value
from prefloop.schemas.errors import ConfigError

__all__ = ["DOTENV", "ENV_PREFIX", "FILE_SUFFIX", "gather", "invalid_value", "read_env_file", "unknown_names"]

ENV_PREFIX = "PREFLOOP_"
FILE_SUFFIX = "_FILE"
#: the .env file read next to the process environment when it exists
DOTENV = Path(".env")
ENVIRONMENT = "the environment"

#: ``PREFLOOP_*`` names that belong to other components and are therefore not unknown here.
FOREIGN_PREFIXES = ("PREFLOOP_CAPTURE_",)  # a Flask app's capture config may come from the environment
FOREIGN_NAMES = frozenset(
    {
        # deploy/local scripts
        "PREFLOOP_KAFKA_PORT",
        "PREFLOOP_KAFKA_CONTROLLER_PORT",
        "PREFLOOP_POSTGRES_PORT",
        # test harness switches (tests/conftest.py)
        "PREFLOOP_TEST_KAFKA",
        "PREFLOOP_TEST_POSTGRES_URL",
        "PREFLOOP_HYPOTHESIS_PROFILE",
    }
)


def read_env_file(path: Path) -> dict[str, str]:
    """The ``PREFLOOP_*`` assignments of a ``.env`` file (``NAME=value``, ``export NAME=value``, quotes and
    ``#`` comments as python-dotenv reads them; no ``${...}`` expansion). A line that is none of these is a
    :class:`ConfigError` with its line number; other names are left to the application."""
    from dotenv.parser import parse_stream

    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(
            msg.ENV_FILE_UNREADABLE.format(path=path, reason=exc.strerror or exc), name=str(path)
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(msg.ENV_FILE_NOT_UTF8.format(path=path), name=str(path)) from None
    values: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise ConfigError(
                msg.ENV_FILE_BAD_LINE.format(path=path, line=binding.original.line), name=str(path)
            )
        if binding.key and binding.key.startswith(ENV_PREFIX) and binding.value is not None:
            values[binding.key] = binding.value
    return values


def _candidates(fields: Iterable[str]) -> set[str]:
    names = {ENV_PREFIX + field.upper() for field in fields}
    return names | {name + FILE_SUFFIX for name in names}


def unknown_names(env: Mapping[str, str], fields: Iterable[str]) -> list[str]:
    """The ``PREFLOOP_*`` names that are neither a setting, its ``_FILE`` form, another component's, nor a
    Kubernetes service link (see :mod:`prefloop.curator.service_links`)."""
    known = _candidates(fields)
    return sorted(
        name
        for name, value in env.items()
        if name.startswith(ENV_PREFIX)
        and name not in known
        and name not in FOREIGN_NAMES
        and not name.startswith(FOREIGN_PREFIXES)
        and not is_service_link(name, value)
    )


def _service_link_in_a_port(env: Mapping[str, str], fields: Iterable[str]) -> ConfigError | None:
    """A real ``*_PORT`` setting holding a service link's ``tcp://...`` value: a Service shadows the setting."""
    for name in sorted(ENV_PREFIX + f.upper() for f in fields if f.endswith("_port")):
        if name in env and looks_like_link_value(env[name]):
            service = name.removeprefix(ENV_PREFIX)[:-5].lower().replace("_", "-")
            return ConfigError(
                msg.SERVICE_LINK_PORT.format(name=name, value=env[name], service=f"prefloop-{service}"),
                name=name,
                value=env[name],
            )
    return None


def _unknown_error(unknown: list[str], origins: Mapping[str, str], fields: Iterable[str]) -> ConfigError:
    known = sorted(_candidates(fields))
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = msg.SETTING_DID_YOU_MEAN.format(known=close[0]) if close else msg.SETTING_NO_SUCH
        parts.append(msg.SETTING_UNKNOWN.format(name=name, origin=origins[name], hint=hint))
    return ConfigError("; ".join(parts), name=unknown[0])


def _read_secret_file(name: str, path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ConfigError(
            msg.SECRET_FILE_UNREADABLE.format(name=name, path=path, reason=reason), name=name
        ) from None
    return text.removesuffix("\n").removesuffix("\r")


def gather(fields: set[str], environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, object]:
    """Field name -> raw value from the sources; :class:`ConfigError` for unknown names or unreadable files.

    ``environ=None`` reads the process environment and ``./.env`` if it exists; ``env_file`` names a ``.env``
    file to read in any case (it must exist)."""
    if environ is None:
        environ = os.environ
        if env_file is None and DOTENV.is_file():
            env_file = DOTENV
    raw: dict[str, str] = {}
    origins: dict[str, str] = {}
    if env_file is not None:
        raw.update(read_env_file(env_file))
        origins.update(dict.fromkeys(raw, str(env_file)))
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX):
            raw[name], origins[name] = value, ENVIRONMENT
    unknown = unknown_names(raw, fields)
    if unknown:
        raise _unknown_error(unknown, origins, fields)
    if (link := _service_link_in_a_port(raw, fields)) is not None:
        raise link
    values: dict[str, object] = {}
    for field in fields:
        name = ENV_PREFIX + field.upper()
        from_file = raw.get(name + FILE_SUFFIX)
        if from_file is not None and name in raw:
            raise ConfigError(msg.SETTING_TWICE.format(name=name, file_name=name + FILE_SUFFIX), name=name)
        if from_file is not None:
            values[field] = _read_secret_file(name + FILE_SUFFIX, from_file)
        elif name in raw:
            values[field] = raw[name]
    return values


def _shown(field: str, value: object, secret: frozenset[str]) -> object:
    """``value`` as it may be shown: a URL with its password masked, any other secret masked whole."""
    if field not in secret:
        return value
    if field == "database_url" and isinstance(value, str):
        return redact_url(value.strip())
    return MASK


def invalid_value(exc: ValidationError, secret: frozenset[str]) -> ConfigError:
    """One line for every invalid value: the variable, the value (secrets masked) and what is allowed."""
    parts = []
    first: tuple[str, object] | None = None
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err["loc"] else ""
        name = ENV_PREFIX + field.upper()
        shown = _shown(field, err.get("input"), secret)
        reason = err["msg"].removeprefix("Value error, ")
        parts.append(msg.SETTING_INVALID.format(name=name, value=repr(shown), reason=reason))
        if first is None:
            first = (name, shown)
    assert first is not None
    return ConfigError("; ".join(parts), name=first[0], value=first[1])
