"""Response tokens (a keyed MAC bound to user + conversation + response + app) and user pseudonyms."""

from __future__ import annotations

import pytest

from prefloop.capture.errors import TokenError
from prefloop.capture.tokens import Pseudonymizer, TokenSigner, derive_key

KEY = derive_key("secret", "token")


def test_token_verifies_for_its_user_and_names_the_response() -> None:
    signer = TokenSigner(KEY, max_age=3600)
    token = signer.issue("r-1", "conv:9", "u_alice", now=1_000_000)
    ref = signer.verify(token, "u_alice", now=1_000_010)
    assert (ref.response_id, ref.conversation_id, ref.issued_at) == ("r-1", "conv:9", 1_000_000)


@pytest.mark.parametrize(
    ("mutate", "user", "why"),
    [
        (lambda t: t, "u_mallory", "signature"),  # someone else's response
        (lambda t: t.replace("~r-1~", "~r-2~"), "u_alice", "signature"),  # response id swapped
        (lambda t: t.replace("~c-1~", "~c-2~"), "u_alice", "signature"),  # conversation swapped
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "u_alice", "signature"),
        (lambda t: "v4" + t[2:], "u_alice", "malformed"),
        (lambda t: "v2" + t[2:], "u_alice", "signature"),  # a v3 MAC under the v2 name
        (lambda t: "v1" + t[2:], "u_alice", "outdated"),  # before app ids were bound
        (lambda t: t.replace(t.split("~")[1], "r\u00e9"), "u_alice", "malformed"),  # not ASCII
        (lambda t: t + "~x", "u_alice", "malformed"),
        (lambda t: t.replace(t.split("~")[3], "zz"), "u_alice", "signature"),  # issued time changed
        (lambda t: 12, "u_alice", "malformed"),
    ],
)
def test_forged_or_foreign_tokens_are_refused(mutate, user: str, why: str) -> None:
    signer = TokenSigner(KEY, max_age=0)
    token = signer.issue("r-1", "c-1", "u_alice")
    with pytest.raises(TokenError) as info:
        signer.verify(mutate(token), user)
    assert info.value.why == why
    assert info.value.field == "token"


def test_token_expires_after_max_age() -> None:
    signer = TokenSigner(KEY, max_age=60)
    token = signer.issue("r", "c", "u", now=100)
    signer.verify(token, "u", now=160)
    with pytest.raises(TokenError, match="expired"):
        signer.verify(token, "u", now=161)


def test_each_token_names_the_second_it_was_issued_in() -> None:
    """The issue time's hex text is kept per second on the request path; a new second gets its own."""
    signer = TokenSigner(KEY, max_age=60)
    times = [1_000_000, 1_000_000, 1_000_001, 999_999, 1_000_001, 1_000_000.7]
    tokens = [signer.issue("r", "c", "u", now=t) for t in times]
    assert [signer.verify(t, "u", now=1_000_002).issued_at for t in tokens] == [int(t) for t in times]
    assert [t.split("~")[3] for t in tokens] == ["f4240", "f4240", "f4241", "f423f", "f4241", "f4240"]
    fresh = signer.issue("r", "c", "u")  # the current time, not the last one kept
    signer.verify(fresh, "u")


def test_another_key_does_not_verify() -> None:
    token = TokenSigner(KEY, 0).issue("r", "c", "u")
    with pytest.raises(TokenError):
        TokenSigner(derive_key("other", "token"), 0).verify(token, "u")


def test_pseudonyms_are_stable_keyed_and_schema_safe() -> None:
    p = Pseudonymizer(derive_key("secret", "user"), cache_size=2)
    first = p("alice@example.com")
    assert first == p("alice@example.com") and first.startswith("u_") and len(first) == 34
    assert "alice" not in first
    assert first != p("bob") != Pseudonymizer(derive_key("other", "user"))("alice@example.com")
    assert derive_key("secret", "user") != derive_key("secret", "token")
    for i in range(5):  # the cache is bounded and results stay the same after eviction
        p(f"user{i}")
    assert p("alice@example.com") == first


@pytest.mark.parametrize("key", [KEY, b"", b"k" * 32, b"k" * 33, b"long key " * 20])
def test_token_mac_is_keyed_blake2s_of_body_user_and_app(key: bytes) -> None:
    import hashlib

    token = TokenSigner(key, 0, "chat").issue("r-1", "c-1", "u_alice", now=1_000_000)
    body, mac = token.rsplit("~", 1)
    mac_key = key if len(key) <= 32 else hashlib.sha256(key).digest()
    want = hashlib.blake2s(f"{body}|u_alice|chat".encode(), key=mac_key, digest_size=16).hexdigest()
    assert (body, mac) == ("v3~r-1~c-1~f4240", want)


@pytest.mark.parametrize("key", [KEY, b"", b"k" * 64, b"long key " * 20])
def test_v2_tokens_issued_before_the_upgrade_still_verify(key: bytes) -> None:
    """v2: HMAC-SHA256 of the same fields, base64url of its first 16 bytes (what pages rendered before v3
    carry). They verify for their user and app, and nobody else's."""
    import base64
    import hashlib
    import hmac

    body = "v2~r-1~c-1~f4240"
    mac = hmac.digest(key, f"{body}|u_alice|chat".encode(), hashlib.sha256)[:16]
    token = f"{body}~{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    signer = TokenSigner(key, 0, "chat")
    ref = signer.verify(token, "u_alice", now=1_000_000)
    assert (ref.response_id, ref.conversation_id, ref.issued_at) == ("r-1", "c-1", 1_000_000)
    for other, user in ((signer, "u_mallory"), (TokenSigner(key, 0, "other-app"), "u_alice")):
        with pytest.raises(TokenError) as info:
            other.verify(token, user, now=1_000_000)
        assert info.value.why == "signature"
