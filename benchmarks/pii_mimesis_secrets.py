"""Secrets of evaluation set 2, built with their real structure: JWTs, JWEs, private keys, provider tokens."""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def random_chars(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def make_jwt(rng: random.Random, name: str) -> str:
    """A JWT; half of them with headers/payloads that do not start with ``eyJ`` (whitespace, key order)."""
    header = rng.choice(
        ['{"alg":"HS256","typ":"JWT"}', '{ "alg": "RS256", "typ": "JWT" }', '{\n  "alg": "ES256"\n}']
    )
    payload = rng.choice(
        [
            json.dumps(
                {
                    "sub": str(rng.randint(1000, 99999)),
                    "name": name,
                    "iat": rng.randint(1600000000, 1800000000),
                }
            ),
            json.dumps({"sub": str(rng.randint(1000, 99999)), "name": name}, indent=2),
            '{ "email_verified": true, "sub": "' + random_chars(rng, 12) + '" }',
        ]
    )
    signature = _b64url(bytes(rng.randrange(256) for _ in range(32)))
    return f"{_b64url(header.encode())}.{_b64url(payload.encode())}.{signature}"


def make_jwe(rng: random.Random) -> str:
    header = _b64url(b'{"alg":"RSA-OAEP","enc":"A256GCM"}')
    return ".".join(
        [
            header,
            random_chars(rng, 342, string.ascii_letters + string.digits + "-_"),
            random_chars(rng, 16, string.ascii_letters + string.digits + "-_"),
            random_chars(rng, 120, string.ascii_letters + string.digits + "-_"),
            random_chars(rng, 22, string.ascii_letters + string.digits + "-_"),
        ]
    )


def make_private_key(rng: random.Random) -> str:
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "])
    body = "\n".join(
        random_chars(rng, 64, string.ascii_letters + string.digits + "+/") for _ in range(rng.randint(3, 6))
    )
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"


def make_token(rng: random.Random) -> tuple[str, str]:
    """(label, token) in the shapes a maintained secret scanner covers."""
    hexd, alnum = "0123456789abcdef", string.ascii_letters + string.digits
    options: list[tuple[str, Callable[[], str]]] = [
        ("AWS access key", lambda: "AKIA" + random_chars(rng, 16, string.ascii_uppercase + "234567")),
        ("AWS secret key", lambda: random_chars(rng, 40, alnum + "+/")),
        ("GitHub token", lambda: rng.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + random_chars(rng, 36)),
        (
            "GitHub fine-grained token",
            lambda: "github_pat_" + random_chars(rng, 22) + "_" + random_chars(rng, 59),
        ),
        ("GitLab token", lambda: "glpat-" + random_chars(rng, 20, alnum + "-_")),
        (
            "Slack bot token",
            lambda: (
                f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**12, 10**13)}-{random_chars(rng, 24)}"
            ),
        ),
        ("Stripe key", lambda: rng.choice(["sk_live_", "rk_live_"]) + random_chars(rng, 24)),
        ("Google API key", lambda: "AIza" + random_chars(rng, 35, alnum + "-_")),
        (
            "SendGrid key",
            lambda: "SG." + random_chars(rng, 22, alnum + "-_") + "." + random_chars(rng, 43, alnum + "-_"),
        ),
        ("Twilio key", lambda: "SK" + random_chars(rng, 32, hexd)),
        ("npm token", lambda: "npm_" + random_chars(rng, 36)),
        ("PyPI token", lambda: "pypi-AgEIcHlwaS5vcmc" + random_chars(rng, 60, alnum + "-_")),
        ("OpenAI key", lambda: "sk-proj-" + random_chars(rng, 48, alnum + "-_")),
        ("Anthropic key", lambda: "sk-ant-api03-" + random_chars(rng, 93, alnum + "-_") + "AA"),
        ("Hugging Face token", lambda: "hf_" + random_chars(rng, 34)),
        ("Shopify token", lambda: "shpat_" + random_chars(rng, 32, hexd)),
        ("DigitalOcean token", lambda: "dop_v1_" + random_chars(rng, 64, hexd)),
        ("Databricks token", lambda: "dapi" + random_chars(rng, 32, hexd)),
        ("Vault token", lambda: "hvs." + random_chars(rng, 90, alnum + "_-")),
        ("Postman key", lambda: "PMAK-" + random_chars(rng, 24, hexd) + "-" + random_chars(rng, 34, hexd)),
        ("Grafana token", lambda: "glsa_" + random_chars(rng, 32) + "_" + random_chars(rng, 8, hexd)),
        ("New Relic key", lambda: "NRAK-" + random_chars(rng, 27, string.ascii_uppercase + string.digits)),
        (
            "age key",
            lambda: "AGE-SECRET-KEY-1" + random_chars(rng, 58, string.ascii_uppercase + string.digits),
        ),
        ("Mailchimp key", lambda: random_chars(rng, 32, hexd) + "-us" + str(rng.randint(1, 20))),
        ("Square token", lambda: "sq0atp-" + random_chars(rng, 22, alnum + "-_")),
        ("Linear key", lambda: "lin_api_" + random_chars(rng, 40)),
        (
            "Discord bot token",
            lambda: (
                random_chars(rng, 24, alnum)
                + "."
                + random_chars(rng, 6, alnum + "-_")
                + "."
                + random_chars(rng, 27, alnum + "-_")
            ),
        ),
        ("Heroku API key", lambda: "-".join(random_chars(rng, n, hexd) for n in (8, 4, 4, 4, 12))),
        ("Azure storage key", lambda: random_chars(rng, 86, alnum + "+/") + "=="),
        (
            "Telegram bot token",
            lambda: f"{rng.randint(10**8, 10**10)}:AA{random_chars(rng, 33, alnum + '-_')}",
        ),
        ("Alibaba key", lambda: "LTAI" + random_chars(rng, 20)),
        ("Doppler token", lambda: "dp.pt." + random_chars(rng, 43)),
    ]
    label, make = rng.choice(options)
    return label, make()
