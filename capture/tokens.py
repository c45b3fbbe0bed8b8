"""Response tokens and user pseudonyms: both keyed HMAC-SHA256, no lookup needed to verify.

A response token names the response and conversation it was issued for and is signed together with the
pseudonym of the user it was shown to, so a vote carrying it is accepted only from that user, on that
response, in that conversation, while the token is fresh::

    v1~<response_id>~<conversation_id>~<issued_at, hex>~<base64url(mac[:16])>

(``~`` cannot occur in a v1 identifier, and every character is safe in an HTML attribute and a URL.) The user
is not in the token (it comes from the host app at verification time); the MAC binds it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from capture.errors import TokenError

__all__ = ["Pseudonymizer", "ResponseRef", "TokenSigner", "derive_key"]

_VERSION = "v1"


def derive_key(secret: str | bytes, purpose: str) -> bytes:
    """A key for one purpose from the configured secret (token signing and pseudonyms never share a key)."""
    if isinstance(secret, str):
        secret = secret.encode()
    return hmac.new(secret, b"prefloop-capture:" + purpose.encode(), hashlib.sha256).digest()


class Pseudonymizer:
    """``user id -> "u_" + 32 hex digits`` of HMAC-SHA256 under a secret key: stable for as long as the key,
    not reversible without it. A small cache keeps the request path cheap."""

    def __init__(self, key: bytes, cache_size: int = 4096) -> None:
        self._key = key
        self._cache: dict[str, str] = {}
        self._cache_size = cache_size

    def __call__(self, user_id: object) -> str:
        raw = str(user_id)
        got = self._cache.get(raw)
        if got is None:
            got = "u_" + hmac.new(self._key, raw.encode(), hashlib.sha256).hexdigest()[:32]
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[raw] = got
        return got


@dataclass(frozen=True)
class ResponseRef:
    """What a verified token says: the response and conversation it was issued for, and when."""

    response_id: str
    conversation_id: str
    issued_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TokenSigner:
    """Issues and verifies response tokens. ``max_age`` in seconds (0 = tokens never expire)."""

    def __init__(self, key: bytes, max_age: int) -> None:
        self._key = key
        self.max_age = max_age

    def _mac(self, body: str, user: str) -> str:
        return _b64(hmac.digest(self._key, f"{body}|{user}".encode(), "sha256")[:16])

    def issue(self, response_id: str, conversation_id: str, user: str, now: float | None = None) -> str:
        """A token for ``response_id`` shown to pseudonymized ``user`` in ``conversation_id`` (both already
        validated as v1 identifiers, so neither contains ``~``)."""
        issued = int(time.time() if now is None else now)
        body = f"{_VERSION}~{response_id}~{conversation_id}~{issued:x}"
        return f"{body}~{self._mac(body, user)}"

    def verify(self, token: object, user: str, field: str = "token", now: float | None = None) -> ResponseRef:
        """The response a token names, if it was issued to ``user``; raises :class:`TokenError` otherwise."""
        if not isinstance(token, str) or len(token) > 1024:
            raise TokenError("malformed", field)
        parts = token.split("~")
        if len(parts) != 5 or parts[0] != _VERSION:
            raise TokenError("malformed", field)
        body = token[: token.rfind("~")]
        if not hmac.compare_digest(self._mac(body, user), parts[4]):
            raise TokenError("signature", field)
        try:
            issued = int(parts[3], 16)
        except ValueError:
            raise TokenError("malformed", field) from None
        current = time.time() if now is None else now
        if self.max_age and current - issued > self.max_age:
            raise TokenError("expired", field)
        return ResponseRef(parts[1], parts[2], issued)
