"""What a reviewer resolution teaches pairing, over the store: each user's record (:mod:`.user_history`) and each
signal kind's record (:mod:`prefloop.curator.pairing.learning`). The bot calls :func:`record_review_outcome` when a
pair resolves; pairing reads :func:`load_kind_outcomes` once per batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from prefloop.curator.pairing.audit import AUDIT_CODE, is_audit
from prefloop.curator.pairing.calibration import bands_of, summarize
from prefloop.curator.pairing.learning import taught_kind
from prefloop.curator.pipeline.user_history import record_outcome, tally
from prefloop.curator.store.models import Pair, ReviewPost, SignalKindOutcome

__all__ = [
    "audit_outcomes",
    "calibration_points",
    "load_kind_outcomes",
    "record_review_outcome",
    "resolved_count",
    "review_calibration",
    "reviewed_evidence",
]


def record_review_outcome(
    session: Session,
    users: Sequence[str],
    signals: Sequence[Mapping[str, Any]],
    conflicts: int,
    agreed: bool,
) -> None:
    """Reviewers agreed (``agreed``) or disagreed with the side a pair's evidence chose. Pairs with conflicting
    evidence teach nothing; the users behind the others get a confirmation or contradiction, and so does the
    signal kind of a lone user's evidence."""
    if conflicts or not users:
        return
    record_outcome(session, users, agreed)
    kind = taught_kind(signals, users, conflicts)
    if kind is None:
        return
    tally(session, SignalKindOutcome, {"kind": kind}, agreed)


def load_kind_outcomes(session: Session) -> dict[str, tuple[int, int]]:
    """kind -> (confirmed, contradicted), for the kinds reviewers have judged."""
    k = SignalKindOutcome
    rows = session.execute(select(k.kind, k.confirmed, k.contradicted)).all()
    return {kind: (int(c), int(x)) for kind, c, x in rows}


def audit_outcomes(session: Session) -> Counter[str]:
    """Outcome -> count over the resolved pairs of the audit sample (pairs that met the bar for automatic
    acceptance and were drawn for review anyway): ``chosen`` means reviewers confirmed the users' side."""
    rows = session.execute(
        select(Pair.route_reasons, ReviewPost.outcome)
        .join(ReviewPost, ReviewPost.pair_id == Pair.pair_id)
        .where(
            ReviewPost.state == "resolved",
            cast(Pair.route_reasons, String).like(f'%"{AUDIT_CODE}:%'),
        )
    ).all()
    return Counter(str(outcome) for reasons, outcome in rows if is_audit(reasons))


#: The reason code of a pair below the acceptance bar (routing adds it to every such pair, whatever else it has).
_BELOW_BAR = "weak_signal"


def _fair_sample(reasons: Any) -> bool:
    """Whether a resolved pair is a fair sample of its strength: every pair below the acceptance bar goes to
    review, so those are all of their band; above it, only the audit sample (drawn at random) is — pairs that met
    the bar and went to review for a conflict or a check are a selected few."""
    codes = {str(r).split(":", 1)[0] for r in reasons or []}
    return _BELOW_BAR in codes or is_audit(reasons)


def _resolved_with_side() -> Any:
    """Resolved review posts whose outcome names a side (not a tie, not both bad), gold items left out."""
    return (
        select(Pair.strength, Pair.route_reasons, ReviewPost.outcome, Pair.signals, Pair.users)
        .join(ReviewPost, ReviewPost.pair_id == Pair.pair_id)
        .where(
            ReviewPost.state == "resolved",
            ReviewPost.outcome.in_(("chosen", "rejected")),
            Pair.status != "gold",
        )
    )


def calibration_points(session: Session) -> list[tuple[float, bool]]:
    """(strength, reviewers confirmed the users' side) for the resolved pairs that are a fair sample of their
    strength (below the bar; the audit sample). Resolutions that name no side (a tie, both bad) and gold items
    are left out."""
    rows = session.execute(_resolved_with_side()).all()
    return [(float(st), outcome == "chosen") for st, reasons, outcome, _, _ in rows if _fair_sample(reasons)]


def reviewed_evidence(session: Session, limit: int) -> list[tuple[list[dict[str, Any]], list[str], bool]]:
    """(signal records, users, reviewers confirmed the chosen side) of the latest ``limit`` resolved pairs that
    are a fair sample of their strength: what the calibration map of strength is fitted on (after recomputing
    each pair's strength from its records under the current reliabilities)."""
    q = _resolved_with_side().order_by(ReviewPost.resolved_at.desc(), Pair.pair_id).limit(limit)
    return [
        (list(signals or []), list(users or []), outcome == "chosen")
        for _, reasons, outcome, signals, users in session.execute(q).all()
        if _fair_sample(reasons)
    ]


def resolved_count(session: Session) -> int:
    """How many review posts are resolved: the calibration map is fitted again only when it moved."""
    return int(
        session.execute(
            select(func.count()).select_from(ReviewPost).where(ReviewPost.state == "resolved")
        ).scalar_one()
    )


def review_calibration(session: Session) -> dict[str, object]:
    """Per strength band, how often reviewers confirmed the users' side (:mod:`prefloop.curator.pairing
    .calibration`): the calibration of ``strength`` measured in production."""
    return summarize(bands_of(calibration_points(session)))
