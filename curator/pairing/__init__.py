"""Pairing: prompt groups, candidate pairs from user signals, quality checks and routing. Plain data only."""

from __future__ import annotations

from prefloop.curator.pairing.checks import CHECKS, is_refusal, run_checks
from prefloop.curator.pairing.engine import evaluate, fingerprint, mark_duplicate, pair_group
from prefloop.curator.pairing.grouping import answer_hash, group_key, normalize_text, similarity, turn_index
from prefloop.curator.pairing.model import (
    ActionView,
    Candidate,
    FeedbackView,
    GroupView,
    PairDraft,
    ResponseView,
    SignalView,
)
from prefloop.curator.pairing.policy import DEFAULT_POLICY_PATH, RUBRIC_VERSION, Policy, load_policy
from prefloop.curator.pairing.routing import RouteInput, route
from prefloop.curator.pairing.signals import build_candidates

__all__ = [
    "CHECKS",
    "DEFAULT_POLICY_PATH",
    "RUBRIC_VERSION",
    "ActionView",
    "Candidate",
    "FeedbackView",
    "GroupView",
    "PairDraft",
    "Policy",
    "ResponseView",
    "RouteInput",
    "SignalView",
    "answer_hash",
    "build_candidates",
    "evaluate",
    "fingerprint",
    "group_key",
    "is_refusal",
    "load_policy",
    "mark_duplicate",
    "normalize_text",
    "pair_group",
    "route",
    "run_checks",
    "similarity",
    "turn_index",
]
