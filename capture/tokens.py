"""Response tokens and user pseudonyms: both keyed hashes, no lookup needed to verify.

A response token names the response and conversation it was issued for and is signed together with the
pseudonym of the user it was shown to and the app id of the capture instance that issued it, so a vote
carrying it is accepted only from that user, on that response, in that conversation, by that app (two apps
sharing a secret do not accept each other's tokens), while the token is fresh and not issued in the future::

    v3~<response_id>~<conversation_id>~<issued_at, hex>~<hex(mac)>

The MAC is keyed BLAKE2s with a 16-byte digest (RFC 7693's keyed mode, made to be a MAC; Python's own
implementation, where HMAC-SHA256 costs several OpenSSL calls on the host's request thread). The keyed state is
made once per signer and copied for each MAC.
``v2`` tokens (the same fields; HMAC-SHA256, base64url of the first 16 bytes) are still verified, so pages
rendered before the upgrade keep working; they are no longer issued. (``~`` cannot occur in a v1 identifier,
and every character is safe in an HTML attribute and a URL.) The user and the app are not in the token (they
come from the host app at verification time); the MAC binds them. ``v1`` tokens (before the app id was bound)
are refused as ``outdated``: the page gets a fresh one on reload.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import time
from dataclasses import dataclass

from prefloop.capture.errors import TokenError
from prefloop.schemas.errors import EventValidationError, FieldError
from prefloop.schemas.pseudonyms import derive_key, pseudonym

__all__ = ["Pseudonymizer", "ResponseRef", "TokenSigner", "derive_key"]

_VERSION = "v3"
_VERIFIED = frozenset({"v2", _VERSION})
_OUTDATED = frozenset({"v1"})
_blake2s = hashlib.blake2s
#: how far in the future an issue time may lie (clock differences between the app's servers)
CLOCK_LEEWAY_S = 60


class Pseudonymizer:
    """``user id -> "u_" + 32 hex digits`` of HMAC-SHA256 under a secret key
    (:func:`prefloop.schemas.pseudonyms.pseudonym`): stable for as long as the key, not reversible without it.
    A small cache keeps the request path cheap."""

    def __init__(self, key: bytes, cache_size: int = 4096) -> None:
        self._key = key
        #: ``str(user id) -> pseudonym`` of the users seen lately (cleared when full, never replaced): the
        #: request path reads it directly for a ``str`` user id before calling this object.
        self.cache: dict[str, str] = {}
        self._cache_size = cache_size

    def __call__(self, user_id: object) -> str:
        try:
            raw = str(user_id)
        except Exception:  # a user object whose str() fails (or recurses): the host's value, named
            raise EventValidationError(
                "invalid", [FieldError("user", "the user id must be a str (or convert to one)")]
            ) from None
        got = self.cache.get(raw)
        if got is None:
            got = pseudonym(self._key, raw)
            if len(self.cache) >= self._cache_size:
                self.cache.clear()
            self.cache[raw] = got
        return got


@dataclass(frozen=True)
class ResponseRef:
    """What a verified token says: the response and conversation it was issued for, and when."""

    response_id: str
    conversation_id: str
    issued_at: int


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64_16(data: bytes) -> str:
    """base64url of 16 bytes, unpadded (22 characters)."""
    return binascii.b2a_base64(data, newline=False)[:22].translate(_URLSAFE).decode("ascii")


class TokenSigner:
    """Issues and verifies response tokens of one app. ``max_age`` in seconds (0 = tokens never expire)."""

    def __init__(self, key: bytes, max_age: int, app_id: str = "") -> None:
        self._key = key
        self.max_age = max_age
        self._app = app_id
        self._mac_key = key if len(key) <= 32 else hashlib.sha256(key).digest()  # BLAKE2s takes <= 32 bytes
        self._stamp: tuple[int, str] = (-1, "")  # (second, its hex) of the last token issued
        # the keyed BLAKE2s state before any message: each MAC copies it (no key block to compress, no
        # keyword arguments to parse on the request path)
        self._keyed = _blake2s(key=self._mac_key, digest_size=16)
        # v2's HMAC-SHA256 (RFC 2104) with the keyed inner and outer hash states computed once (the same
        # digest as hmac.digest(key, msg, "sha256"); tests/unit/test_capture_tokens.py holds them equal).
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def _mac(self, body: str, user: str) -> str:
        """The MAC of a token body (``v3``: hex of keyed BLAKE2s; ``v2``: base64url of HMAC-SHA256[:16])."""
        message = f"{body}|{user}|{self._app}".encode()
        if body.startswith("v2~"):
            inner = self._inner.copy()
            inner.update(message)
            outer = self._outer.copy()
            outer.update(inner.digest())
            return _b64_16(outer.digest()[:16])
        mac = self._keyed.copy()
        mac.update(message)
        return mac.hexdigest()

    def issue(self, response_id: str, conversation_id: str, user: str, now: float | None = None) -> str:
        """A token for ``response_id`` shown to pseudonymized ``user`` in ``conversation_id`` (both already
        validated as v1 identifiers, so neither contains ``~``). One frame on the host's request path: the
        MAC is written out here rather than taken from :meth:`_mac`, and the issue time's hex text is kept
        for the second it names (formatting an int with a spec costs more than the rest of the body)."""
        second = int(time.time() if now is None else now)
        stamp = self._stamp
        if stamp[0] != second:
            stamp = self._stamp = (second, f"{second:x}")
        body = f"{_VERSION}~{response_id}~{conversation_id}~{stamp[1]}"
        mac = self._keyed.copy()
        mac.update(f"{body}|{user}|{self._app}".encode())
        return f"{body}~{mac.hexdigest()}"

    def verify(self, token: object, user: str, field: str = "token", now: float | None = None) -> ResponseRef:
        """The response a token names, if it was issued to ``user``; raises :class:`TokenError` otherwise."""
        if not isinstance(token, str) or len(token) > 1024 or not token.isascii():
            raise TokenError("malformed", field)
        parts = token.split("~")
        if len(parts) == 5 and parts[0] in _OUTDATED:
            raise TokenError("outdated", field)
        if len(parts) != 5 or parts[0] not in _VERIFIED:
            raise TokenError("malformed", field)
        body = token[: token.rfind("~")]
        if not hmac.compare_digest(self._mac(body, user), parts[4]):
            raise TokenError("signature", field)
        try:
            issued = int(parts[3], 16)
        except ValueError:
            raise TokenError("malformed", field) from None
        current = time.time() if now is None else now
        if issued - current > CLOCK_LEEWAY_S:
            raise TokenError("future", field)
        if self.max_age and current - issued > self.max_age:
            raise TokenError("expired", field)
        return ResponseRef(parts[1], parts[2], issued)
