"""User pseudonyms: what capture puts in an event's ``user`` instead of the host app's user id.

``"u_" + the first 32 hex digits of HMAC-SHA256(key, user id)``, where the key is derived from the app's capture
secret for this one purpose. Stable for as long as the secret, not reversible without it. Capture computes it on
every event; ``prefloop pseudonym`` computes the same value for an erasure request, with the same secret.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["derive_key", "pseudonym", "user_key"]


def derive_key(secret: str | bytes, purpose: str) -> bytes:
    """A key for one purpose from the configured secret (token signing and pseudonyms never share a key)."""
    if isinstance(secret, str):
        secret = secret.encode()
    return hmac.new(secret, b"prefloop-capture:" + purpose.encode(), hashlib.sha256).digest()


def user_key(secret: str | bytes) -> bytes:
    """The pseudonym key of the capture secret ``secret``."""
    return derive_key(secret, "user")


def pseudonym(key: bytes, user_id: object) -> str:
    """The pseudonym of ``user_id`` (any value; capture takes ``str()`` of it) under ``key``. A lone surrogate in
    the id is encoded as is (``surrogatepass``): such an id still has one stable pseudonym."""
    data = str(user_id).encode("utf-8", "surrogatepass")
    return "u_" + hmac.new(key, data, hashlib.sha256).hexdigest()[:32]
