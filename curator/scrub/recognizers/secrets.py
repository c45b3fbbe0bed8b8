"""Secrets users paste: provider API keys and tokens, private key blocks, JWTs, passwords in connection strings."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING, ClassVar

from prefloop.curator.scrub.recognizers.base import CaseFreePrecheck, Recognizer
from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["SecretsRecognizer", "shannon_entropy"]

_PLACEHOLDER_VALUE = re.compile(
    r"^(?:\*+|x+|X+|\.+|<[^>]*>|\$\{?\w+\}?|\{\{?[^}]*\}?\}|%\(\w+\)s|%[sd]|your[_-]?\w*|changeme|password|secret|"
    r"example\w*|dummy\w*|test|none|null|true|false|env\b.*|os\.\w+.*|getenv.*|process\.env.*|\[?redacted\]?)$",
    re.IGNORECASE,
)


_NEEDS_RANDOM = frozenset({"assigned_secret", "bearer", "url_token", "named_secret"})
_PASSWORD_KEY = re.compile(r"pass|pwd", re.IGNORECASE)


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
    #: Provider token shapes, after the rule sets of maintained secret scanners (gitleaks, detect-secrets):
    #: cloud keys, VCS and package-registry tokens, SaaS API keys, private keys, JWT/JWE in any JSON spacing.
    PROVIDER_PATTERNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("private_key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*"
         r"PRIVATE KEY(?: BLOCK)?-----|[\s\S]*$)"),
        ("aws_access_key", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        ("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        ("gitlab_token", r"\bgl(?:pat|dt|ptt|rt|cbt|soat|ft|imt|agent)-[A-Za-z0-9_-]{20,}"),
        ("slack_token", r"\bxox[abposre]-(?:[A-Za-z0-9]+-?){2,}[A-Za-z0-9]+\b"),
        ("slack_webhook", r"https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]+/[A-Z0-9]+/[A-Za-z0-9]+"),
        ("stripe_key", r"\b(?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}\b"),
        ("anthropic_key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,}"),
        ("openai_key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}(?:T3BlbkFJ[A-Za-z0-9_-]{20,})?"),
        ("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}(?![\w-])"),
        ("google_oauth", r"\bya29\.[0-9A-Za-z_-]{20,}"),
        ("huggingface_token", r"\bhf_[A-Za-z0-9]{30,}\b"),
        ("npm_token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("pypi_token", r"\bpypi-AgE[A-Za-z0-9_-]{50,}"),
        ("sendgrid_key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])"),
        ("twilio_key", r"\b(?:SK|AC)[0-9a-f]{32}\b"),
        ("mailgun_key", r"\bkey-[0-9a-f]{32}\b"),
        ("mailchimp_key", r"\b[0-9a-f]{32}-us\d{1,2}\b"),
        ("telegram_bot_token", r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])"),
        ("azure_account_key", r"(?<=AccountKey=)[A-Za-z0-9+/]{40,}={0,2}"),
        ("shopify_token", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
        ("digitalocean_token", r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
        ("databricks_token", r"\bdapi[a-f0-9]{32}(?:-\d)?\b"),
        ("vault_token", r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}"),
        ("postman_key", r"\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}\b"),
        ("grafana_token", r"\b(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})"),
        ("newrelic_key", r"\bNR(?:AK|JS|II|AA)-[A-Za-z0-9]{19,32}\b"),
        ("age_secret_key", r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b"),
        ("square_token", r"\bsq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}"),
        ("linear_key", r"\blin_api_[A-Za-z0-9]{40}\b"),
        ("doppler_token", r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}\b"),
        ("alibaba_key", r"\bLTAI[A-Za-z0-9]{20}\b"),
        ("discord_token", r"\b[A-Za-z0-9]{24,28}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![\w-])"),
        # JWE (five parts) and JWT (three): the header is base64url JSON, so it starts "ey" ('{"' or '{ ') or
        # "ew" ('{' and a newline or tab), whatever the key order or spacing.
        ("jwe", r"\be[wy][A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        ("jwt", r"\be[wy][A-Za-z0-9_-]{10,}\.e[wy][A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*"),
        ("connection_string", r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|"
         r"sqlserver|oracle|jdbc:\w+)(?:\+\w+)?://[^\s:/@\"']+:[^\s@/\"']+@[^\s\"'<>)]+"),
    )  # fmt: skip
    #: Names whose value is a credential: ``DB_PASSWORD=...``, ``api_key: ...``, ``secret_key = ...``.
    _KEY_NAME = (
        r"[A-Za-z0-9_.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
        r"auth[_-]?(?:key|token)|private[_-]?key|client[_-]?secret|credentials?|signature|sig|key)[A-Za-z0-9_.-]*"
    )
    VALUE_PATTERNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("basic_auth", r"(?i)\bauthorization\s*[:=]\s*[\"']?basic\s+(?P<v>[A-Za-z0-9+/]{12,}={0,2})"),
        ("bearer", r"(?i)\b(?:authorization\s*[:=]\s*[\"']?)?bearer\s+(?P<v>[A-Za-z0-9_\-.=+/]{16,})"),
        ("password_value", r"(?i)(?:\b|_)(?:password|passwd|pwd|pass|passphrase)\s*[=:]\s*[\"']?(?P<v>[^\s\"';,&]{4,})"),
        ("cli_password", r"\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]*?\s-p(?P<v>[^\s'\"]{4,})"),
        ("password_flag", r"--password[= ](?P<v>[^\s'\"]{4,})"),
        ("password_phrase", r"(?i)\bmy\s+password\s+is\s+[\"']?(?P<v>[^\s\"']{4,}?)[\"'.,!]?(?:\s|$)"),
        # config files and env: NAME=value, name: value, name = "value" (quoted or not)
        ("assigned_secret", rf"(?im)(?:^|[\s{{,;(\"'-])(?P<k>{_KEY_NAME})[\"']?[ \t]*(?:=|:|=>)[ \t]*"
         r"[\"']?(?P<v>[A-Za-z0-9_\-+/=.:~!#%*@$^]{8,}?)[\"']?(?=[\s,;}\)\]]|$)"),
        # tokens in URLs: ?access_token=..., &sig=..., #id_token=...
        ("url_token", r"(?i)[?&#](?:access_token|id_token|refresh_token|token|api_?key|key|secret|client_secret|sig|"
         r"signature|auth|password|pwd|session(?:_?id)?|code)=(?P<v>[^&\s#\"'<>]{8,})"),
        # "my GitHub token: ...", "the API key is ...": a random-looking value right after a credential word
        ("named_secret", r"(?i)\b(?:key|token|secret|password|passphrase|credentials?)\b[^\n]{0,24}?[ \t:=][ \t]*"
         r"[\"'`]?(?P<v>[A-Za-z0-9_\-+/=.]{16,})"),
    )  # fmt: skip
    PRECHECK = re.compile(
        r"PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|gl[a-z]+-|xox|hooks\.slack|_live_|_test_|whsec_|sk-|AIza|"
        r"ya29\.|hf_|npm_|pypi-|SG\.|\bSK|\bAC|key|:AA|AccountKey|\be[wy][A-Za-z0-9_-]{10,}\.|://|bearer|"
        r"authorization|pass|pwd|secret|token|shp|_v1_|dapi|hv[sbr]\.|PMAK|glsa_|glc_|NR[A-Z]{2}-|sq0|lin_api|"
        r"dp\.|LTAI|-us\d|sig|auth|credential|\.[A-Za-z0-9_-]{6}\.",
        re.IGNORECASE,
    )
    _precheck = CaseFreePrecheck(PRECHECK)
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
        if not self._precheck(text):
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
                if (
                    name in _NEEDS_RANDOM
                    and not _looks_random(value, self.MIN_ENTROPY)
                    and not (name == "assigned_secret" and _PASSWORD_KEY.search(match.group("k")))
                ):
                    continue
                start, end = match.span("v")
                spans.append(PiiSpan("SECRET", start, end, self.VALUE_SCORE, f"{self.name}:{name}"))
        return spans
