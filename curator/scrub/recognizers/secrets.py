"""Secrets users paste: provider API keys and tokens, private key blocks, JWTs, passwords in connection strings."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING, ClassVar

from prefloop.curator.scrub.recognizers.base import Recognizer
from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["SecretsRecognizer", "shannon_entropy"]

_PLACEHOLDER_VALUE = re.compile(
    r"^(?:\*+|x+|X+|\.+|<[^>]*>|\$\{?\w+\}?|\{\{?[^}]*\}?\}|%\(?\w+\)?s?|your[_-]?\w*|changeme|password|secret|"
    r"example\w*|dummy\w*|test|none|null|true|false|env\b.*|os\.\w+.*|getenv.*|process\.env.*|\[?redacted\]?)$",
    re.IGNORECASE,
)


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``; random tokens score above ~3.5, words and identifiers below."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str, min_entropy: float) -> bool:
    """Tokens mix digits and letters (or cases) and have high entropy; names like ``prod-db`` do not."""
    has_digit = any(ch.isdigit() for ch in value)
    has_alpha = any(ch.isalpha() for ch in value)
    mixed_case = any(ch.isupper() for ch in value) and any(ch.islower() for ch in value)
    return ((has_digit and has_alpha) or mixed_case) and shannon_entropy(value) >= min_entropy


class SecretsRecognizer(Recognizer):
    """One job: credentials. Provider formats score high; generic ``key = "..."`` needs a random-looking value.

    ``PROVIDER_PATTERNS`` are (name, regex); the whole match is the secret. ``VALUE_PATTERNS`` capture the
    secret in group ``v`` (the password of a connection string, the value of an ``api_key=`` assignment).
    """

    NAME = "secrets"
    ENTITY_TYPES = ("SECRET",)
    PROVIDER_PATTERNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("private_key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*"
         r"PRIVATE KEY(?: BLOCK)?-----|[\s\S]*$)"),
        ("aws_access_key", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b"),
        ("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        ("gitlab_token", r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
        ("slack_token", r"\bxox[abposre]-(?:[A-Za-z0-9]+-?){2,}[A-Za-z0-9]+\b"),
        ("slack_webhook", r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+"),
        ("stripe_key", r"\b(?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}\b"),
        ("anthropic_key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,}"),
        ("openai_key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}(?:T3BlbkFJ[A-Za-z0-9_-]{20,})?"),
        ("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("google_oauth", r"\bya29\.[0-9A-Za-z_-]{20,}"),
        ("huggingface_token", r"\bhf_[A-Za-z0-9]{30,}\b"),
        ("npm_token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("pypi_token", r"\bpypi-AgE[A-Za-z0-9_-]{50,}"),
        ("sendgrid_key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
        ("twilio_key", r"\b(?:SK|AC)[0-9a-f]{32}\b"),
        ("mailgun_key", r"\bkey-[0-9a-f]{32}\b"),
        ("telegram_bot_token", r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b"),
        ("azure_account_key", r"(?<=AccountKey=)[A-Za-z0-9+/]{40,}={0,2}"),
        ("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        ("connection_string", r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|"
         r"sqlserver|oracle|jdbc:\w+)(?:\+\w+)?://[^\s:/@\"']+:[^\s@/\"']+@[^\s\"'<>)]+"),
    )  # fmt: skip
    VALUE_PATTERNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("basic_auth", r"(?i)\bauthorization\s*[:=]\s*[\"']?basic\s+(?P<v>[A-Za-z0-9+/]{12,}={0,2})"),
        ("bearer", r"(?i)\b(?:authorization\s*[:=]\s*[\"']?)?bearer\s+(?P<v>[A-Za-z0-9_\-.=+/]{16,})"),
        ("password_value", r"(?i)\b(?:password|passwd|pwd|pass|passphrase)\s*[=:]\s*[\"']?(?P<v>[^\s\"';,&]{4,})"),
        ("cli_password", r"\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]*?\s-p(?P<v>[^\s'\"]{4,})"),
        ("password_flag", r"--password[= ](?P<v>[^\s'\"]{4,})"),
        ("password_phrase", r"(?i)\bmy\s+password\s+is\s+[\"']?(?P<v>[^\s\"']{4,}?)[\"'.,!]?(?:\s|$)"),
        ("assigned_secret", r"(?i)\b[\w.-]*(?:api[_-]?key|apikey|secret|token|access[_-]?key|client[_-]?secret|"
         r"auth[_-]?key|private[_-]?key)[\w.-]*[\"']?\s*[=:]\s*[\"'](?P<v>[A-Za-z0-9_\-+/=.:]{12,})[\"']"),
    )  # fmt: skip
    PRECHECK = re.compile(
        r"PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox|hooks\.slack|_live_|_test_|whsec_|sk-|AIza|ya29\.|"
        r"hf_|npm_|pypi-|SG\.|\bSK|\bAC|key-|:AA|AccountKey|eyJ|://|bearer|authorization|pass|pwd|secret|token|key",
        re.IGNORECASE,
    )
    PROVIDER_SCORE = 0.95
    VALUE_SCORE = 0.85
    MIN_ENTROPY = 3.0

    def load(self) -> None:
        self._providers = [(name, re.compile(p)) for name, p in self.PROVIDER_PATTERNS]
        self._values = [(name, re.compile(p)) for name, p in self.VALUE_PATTERNS]
        self._loaded = True

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if not self._loaded:
            self.load()
        if not self.PRECHECK.search(text):
            return []
        spans = []
        for name, regex in self._providers:
            for match in regex.finditer(text):
                spans.append(
                    PiiSpan("SECRET", match.start(), match.end(), self.PROVIDER_SCORE, f"{self.name}:{name}")
                )
        for name, regex in self._values:
            for match in regex.finditer(text):
                value = match.group("v")
                if _PLACEHOLDER_VALUE.match(value):
                    continue
                if name in ("assigned_secret", "bearer") and not _looks_random(value, self.MIN_ENTROPY):
                    continue
                start, end = match.span("v")
                spans.append(PiiSpan("SECRET", start, end, self.VALUE_SCORE, f"{self.name}:{name}"))
        return spans
