"""The database URL setting: accepted forms, normalisation, and a display that never shows the password.

Accepted: ``sqlite:///path`` and ``postgresql+psycopg://user:pass@host:port/db``. The forms hosting platforms
hand out (``postgres://``, Heroku and Render style) and plain ``postgresql://`` (SQLAlchemy's psycopg2
default, which prefloop does not install) are read as ``postgresql+psycopg://``.

Only the standard library here: the settings load before any extra is needed.
"""

from __future__ import annotations

import re

from pydantic import SecretStr

__all__ = ["DatabaseURL", "check_database_url", "redact_url"]

PSYCOPG_SCHEME = "postgresql+psycopg"
#: schemes read as PostgreSQL through psycopg 3
_POSTGRES_ALIASES = ("postgres", "postgresql", "postgresql+psycopg")
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)
_PORT = re.compile(r":(?P<port>[^:/?\]]*)$")
MASK = "***"


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``; everything up to the last ``@`` of the authority counts
    as user information, so a password holding ``@`` or ``:`` is masked whole."""
    match = _SCHEME.match(url)
    if match is None:
        return MASK  # not a URL at all: it may be a password pasted into the wrong place
    rest = match["rest"]
    if "@" not in rest:
        return url
    userinfo, _, host = rest.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    return f"{match['scheme']}://{user}{':' + MASK if colon else ''}@{host}"


def check_database_url(value: str) -> str:
    """The normalised URL, or :class:`ValueError` saying what is wrong (never repeating the URL)."""
    url = value.strip()
    match = _SCHEME.match(url)
    if match is None:
        raise ValueError(
            "not a URL: give sqlite:///path/to/file.db or postgresql+psycopg://user:password@host:5432/db"
        )
    scheme = match["scheme"].lower()
    if scheme in _POSTGRES_ALIASES:
        url = f"{PSYCOPG_SCHEME}://{match['rest']}"
        _check_postgres_authority(match["rest"])
    elif scheme != "sqlite":
        raise ValueError(
            f"the {scheme}:// scheme is not supported: use sqlite:/// or postgresql+psycopg:// "
            "(postgres:// and postgresql:// are read as postgresql+psycopg://)"
        )
    return url


def _check_postgres_authority(rest: str) -> None:
    authority = rest.split("/", 1)[0] if "@" not in rest else rest.rpartition("@")[2].split("/", 1)[0]
    port = _PORT.search(authority.split("]")[-1])  # after an [IPv6] literal
    if port is not None and port["port"] and not (port["port"].isdigit() and 0 < int(port["port"]) < 65536):
        raise ValueError("the port after the host must be a number from 1 to 65535")


class DatabaseURL(SecretStr):
    """A database URL kept secret: ``str()`` and ``repr()`` show it with the password as ``***``.

    ``get_secret_value()`` gives the URL to connect with.
    """

    def _display(self) -> str:
        return redact_url(self.get_secret_value())
