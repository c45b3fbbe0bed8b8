"""The routing policy: packaged defaults (``policy.yaml`` beside this module) merged with an optional YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prefloop.schemas.errors import ConfigError

__all__ = ["DEFAULT_POLICY_PATH", "RUBRIC_VERSION", "Policy", "load_policy"]

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.yaml")
#: The review rubric this curator's pairs are judged by (the Slack bot owns the rubric text).
RUBRIC_VERSION = "rubric-1"

Reliability = float


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SimilarityPolicy(_Section):
    tie: float = Field(ge=0, le=1)
    near_tie: float = Field(ge=0, le=1)
    merge_near_identical: bool = True


class ChecksPolicy(_Section):
    min_chars: int = Field(ge=0)


class AcceptPolicy(_Section):
    min_strength: float = Field(gt=0.5, le=1)
    #: Strengths are floating-point: combine(logit(0.95)) is 0.94999...; within this of the bar counts as at it.
    tolerance: float = Field(default=1e-9, ge=0, le=1e-3)
    max_conflicts: int = Field(ge=0)
    never_alone: list[str]
    weak_reasons: list[str]


class ReviewPolicy(_Section):
    safety_tagged: bool
    human_written: bool
    checks: list[str]


class DiscardPolicy(_Section):
    ties: bool
    checks: list[str]


class HistoryPolicy(_Section):
    """How a user's reviewer-verified history moves their signals' reliability."""

    enabled: bool = True
    #: The kind's reliability counts as this many pseudo-outcomes against the user's own record.
    prior_weight: float = Field(default=10.0, gt=0)
    #: No user's signal is ever worth more than this.
    max_reliability: float = Field(default=0.99, gt=0.5, lt=1)


class LearningPolicy(_Section):
    """How review outcomes re-estimate each signal kind's reliability (:mod:`prefloop.curator.pairing.learning`)."""

    enabled: bool = True
    #: The packaged reliability counts as this many outcomes against the reviewed ones.
    prior_weight: float = Field(default=20.0, gt=0)
    #: No kind's learned reliability goes above this.
    max_reliability: float = Field(default=0.99, gt=0.5, lt=1)


class CalibrationPolicy(_Section):
    """The calibration map of ``strength`` learned from review outcomes (:mod:`prefloop.curator.pairing
    .strength_map`): below the acceptance bar only, never moving a pair across it. Off by default: fitted on a
    few hundred review outcomes it did not bring strength closer to the share right on unseen benchmark runs
    (docs/perf/curator.md, "A calibration map from review outcomes")."""

    enabled: bool = False
    #: Each strength band's identity (share right = its strength) counts as this many reviewed pairs.
    prior_weight: float = Field(default=20.0, gt=0)
    #: The map is fitted on at most this many of the latest reviewed pairs.
    max_points: int = Field(default=5000, ge=1)
    #: After new review outcomes, the map is fitted again at most this often (seconds; 0: every batch).
    refit_seconds: float = Field(default=60.0, ge=0)


class AuditPolicy(_Section):
    """A random share of the pairs that met the bar for automatic acceptance goes to review anyway: the reviewed
    sample measures the precision of automatic acceptance in production and keeps teaching the signal kinds whose
    learned reliability put them above the bar (without it their estimate would stop moving)."""

    #: Share of would-be-accepted pairs sent to review, drawn per pair id (the same pair always draws the same).
    rate: float = Field(default=0.02, ge=0, le=1)


class LimitsPolicy(_Section):
    max_candidates_per_group: int = Field(ge=1)


class Policy(_Section):
    version: str
    signals: dict[str, float]
    negative_reasons: dict[str, float]
    similarity: SimilarityPolicy
    checks: ChecksPolicy
    accept: AcceptPolicy
    review: ReviewPolicy
    discard: DiscardPolicy
    limits: LimitsPolicy
    history: HistoryPolicy = HistoryPolicy()
    learning: LearningPolicy = LearningPolicy()
    calibration: CalibrationPolicy = CalibrationPolicy()
    audit: AuditPolicy = AuditPolicy()

    def reliability(self, kind: str) -> float:
        return self.signals.get(kind, 0.5)

    def reason_weight(self, reason: str | None) -> float:
        return self.negative_reasons.get(reason or "none", self.negative_reasons.get("none", 0.7))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(
            f"cannot read routing policy {path}: {exc.strerror}; fix PREFLOOP_ROUTING_POLICY",
            name="PREFLOOP_ROUTING_POLICY",
            value=str(path),
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"routing policy {path} is not valid YAML: {exc}", name="PREFLOOP_ROUTING_POLICY", value=str(path)
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"routing policy {path} must be a mapping of sections (version, signals, accept, ...)",
            name="PREFLOOP_ROUTING_POLICY",
            value=str(path),
        )
    return data


def load_policy(path: Path | str | None = None, **overrides: Any) -> Policy:
    """The packaged defaults, with ``path``'s keys (and then ``overrides``) merged over them."""
    data = _read(DEFAULT_POLICY_PATH)
    if path is not None:
        data = _merge(data, _read(Path(path)))
    if overrides:
        data = _merge(data, overrides)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(
            f"routing policy {path or DEFAULT_POLICY_PATH}: {where}: {err['msg']}",
            name=where,
            value=err.get("input"),
        ) from None
    for kind, value in policy.signals.items():
        if not 0.5 <= value < 1:
            raise ConfigError(
                f"routing policy: signals.{kind}={value} must be in [0.5, 1): it is the probability that the "
                "signal points to the better answer",
                name=f"signals.{kind}",
                value=value,
            )
    return policy
