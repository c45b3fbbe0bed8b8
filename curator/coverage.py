"""Coverage for on-call: does each harm category have the accepted pairs it needs?

For every tactic and hazard of the taxonomy: the share of accepted pairs against the target range, the review
backlog, and how often reviewers disagreed. Shares follow the taxonomy's definition: a tactic's share is over
the pairs that carry a tactic, a hazard's share over the pairs that carry at least one hazard.

Public for the Slack bot: :func:`compute_coverage` and :func:`format_coverage_text`. The same numbers as
Prometheus gauges: :func:`fill_registry`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

__all__ = [
    "CategoryCoverage",
    "Coverage",
    "TaxonomyLike",
    "categories_of",
    "category_table",
    "compute_coverage",
    "fill_registry",
    "format_coverage_text",
    "load_taxonomy",
]

AXES = ("tactic", "hazard")


class _CategoryLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def target_share(self) -> Sequence[float]: ...


class TaxonomyLike(Protocol):
    """What coverage needs from :class:`prefloop.curator.tagging.Taxonomy`."""

    @property
    def tactics(self) -> Sequence[_CategoryLike]: ...
    @property
    def hazards(self) -> Sequence[_CategoryLike]: ...


@dataclass(frozen=True)
class _Category:
    name: str
    target_share: tuple[float, float]


@dataclass(frozen=True)
class _Taxonomy:
    tactics: tuple[_Category, ...]
    hazards: tuple[_Category, ...]


def load_taxonomy() -> TaxonomyLike:
    """``prefloop.curator.tagging.Taxonomy.load()``; while that package is not importable, the packaged taxonomy file."""
    try:
        from prefloop.curator.tagging import Taxonomy
    except ImportError:
        import yaml

        path = Path(__file__).parent / "tagging" / "taxonomy.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))

        def cats(key: str) -> tuple[_Category, ...]:
            return tuple(
                _Category(c["name"], (float(c["target_share"][0]), float(c["target_share"][1])))
                for c in data.get(key) or []
            )

        return _Taxonomy(cats("tactics"), cats("hazards"))
    taxonomy: TaxonomyLike = Taxonomy.load()
    return taxonomy


@dataclass(frozen=True)
class CategoryCoverage:
    axis: str  # tactic | hazard
    name: str
    count: int
    share: float
    target_min: float
    target_max: float
    #: ok | low | high | empty
    status: str
    backlog: int = 0
    resolved: int = 0
    disagreement: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class Coverage:
    month: str | None
    accepted: int
    with_tactic: int
    with_hazard: int
    backlog: int
    categories: tuple[CategoryCoverage, ...] = field(default_factory=tuple)

    @property
    def failing(self) -> list[CategoryCoverage]:
        return [c for c in self.categories if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.failing

    def axis(self, axis: str) -> list[CategoryCoverage]:
        return [c for c in self.categories if c.axis == axis]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _status(count: int, share: float, low: float, high: float) -> str:
    if count == 0:
        return "empty"
    if share < low:
        return "low"
    if share > high:
        return "high"
    return "ok"


def category_table(
    taxonomy: TaxonomyLike,
    tactic_counts: Mapping[str, int],
    hazard_counts: Mapping[str, int],
    with_tactic: int,
    with_hazard: int,
    backlog: Mapping[tuple[str, str], int] | None = None,
    resolved: Mapping[tuple[str, str], int] | None = None,
    disagreed: Mapping[tuple[str, str], int] | None = None,
) -> tuple[CategoryCoverage, ...]:
    """One row per taxonomy category (tactics first, in taxonomy order) from plain counts."""
    backlog, resolved, disagreed = backlog or {}, resolved or {}, disagreed or {}
    rows = []
    for axis, cats, counts, total in (
        ("tactic", taxonomy.tactics, tactic_counts, with_tactic),
        ("hazard", taxonomy.hazards, hazard_counts, with_hazard),
    ):
        for cat in cats:
            low, high = float(cat.target_share[0]), float(cat.target_share[1])
            count = int(counts.get(cat.name, 0))
            share = count / total if total else 0.0
            n_resolved = int(resolved.get((axis, cat.name), 0))
            rows.append(
                CategoryCoverage(
                    axis=axis,
                    name=cat.name,
                    count=count,
                    share=round(share, 6),
                    target_min=low,
                    target_max=high,
                    status=_status(count, share, low, high),
                    backlog=int(backlog.get((axis, cat.name), 0)),
                    resolved=n_resolved,
                    disagreement=(
                        round(disagreed.get((axis, cat.name), 0) / n_resolved, 6) if n_resolved else None
                    ),
                )
            )
    return tuple(rows)


def categories_of(tags: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """``(axis, name)`` for each category a pair's tags carry."""
    if not tags:
        return []
    out = [("tactic", str(tags["tactic"]))] if tags.get("tactic") else []
    out += [("hazard", str(h)) for h in sorted(set(tags.get("hazards") or []))]
    return out


def _session_of(session_or_store: Any) -> tuple[Session, Any]:
    if isinstance(session_or_store, Session):
        return session_or_store, None
    ctx = session_or_store.session()
    return ctx.__enter__(), ctx


def compute_coverage(
    session_or_store: Any, month: str | None = None, taxonomy: TaxonomyLike | None = None
) -> Coverage:
    """Coverage of accepted pairs (formed in ``month`` if given, else all of them), the review backlog and
    reviewer disagreement, per category. ``session_or_store`` is a SQLAlchemy session or a :class:`Store`."""
    from prefloop.curator.releases.months import month_bounds
    from prefloop.curator.store.models import Pair, Vote

    taxonomy = taxonomy or load_taxonomy()
    session, ctx = _session_of(session_or_store)
    try:
        where: list[Any] = [Pair.status.in_(("accepted", "review", "discarded"))]
        if month:
            start, end = month_bounds(month)
            where += [Pair.formed_at >= start, Pair.formed_at < end]
        vote_stats = {
            pair_id: (int(n_choices), int(n_votes))
            for pair_id, n_choices, n_votes in session.execute(
                select(Vote.pair_id, func.count(func.distinct(Vote.choice)), func.count()).group_by(
                    Vote.pair_id
                )
            )
        }
        tactic_counts: Counter[str] = Counter()
        hazard_counts: Counter[str] = Counter()
        backlog: Counter[tuple[str, str]] = Counter()
        resolved: Counter[tuple[str, str]] = Counter()
        disagreed: Counter[tuple[str, str]] = Counter()
        accepted = with_tactic = with_hazard = backlog_total = 0
        rows = session.execute(select(Pair.pair_id, Pair.status, Pair.tags).where(*where)).yield_per(10_000)
        for pair_id, status, tags in rows:
            cats = categories_of(tags)
            if status == "review":
                backlog_total += 1
                backlog.update(cats)
                continue
            stats = vote_stats.get(pair_id)
            if stats:
                resolved.update(cats)
                if stats[0] > 1:
                    disagreed.update(cats)
            if status != "accepted":
                continue
            accepted += 1
            with_tactic += any(axis == "tactic" for axis, _ in cats)
            with_hazard += any(axis == "hazard" for axis, _ in cats)
            tactic_counts.update(name for axis, name in cats if axis == "tactic")
            hazard_counts.update(name for axis, name in cats if axis == "hazard")
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)
    return Coverage(
        month=month,
        accepted=accepted,
        with_tactic=with_tactic,
        with_hazard=with_hazard,
        backlog=backlog_total,
        categories=category_table(
            taxonomy, tactic_counts, hazard_counts, with_tactic, with_hazard, backlog, resolved, disagreed
        ),
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def format_coverage_text(coverage: Coverage) -> str:
    """Plain text for Slack or a terminal: one line per category, the failing ones marked."""
    from prefloop.curator.releases import messages as msg

    lines = [
        msg.COVERAGE_HEADER.format(
            scope=coverage.month or msg.ALL_MONTHS,
            accepted=coverage.accepted,
            backlog=coverage.backlog,
        )
    ]
    for axis in AXES:
        lines.append(msg.AXIS_TITLE[axis])
        for c in coverage.axis(axis):
            lines.append(
                msg.COVERAGE_LINE.format(
                    mark=msg.STATUS_MARK[c.status],
                    name=c.name,
                    count=c.count,
                    share=_pct(c.share),
                    low=_pct(c.target_min),
                    high=_pct(c.target_max),
                    status=c.status,
                    backlog=c.backlog,
                    disagreement=_pct(c.disagreement),
                )
            )
    failing = coverage.failing
    lines.append(
        msg.COVERAGE_FAILING.format(n=len(failing), names=", ".join(f"{c.axis}:{c.name}" for c in failing))
        if failing
        else msg.COVERAGE_OK
    )
    return "\n".join(lines)


def fill_registry(coverage: Coverage, registry: Any) -> Any:
    """Register the coverage numbers as gauges on a ``prometheus_client.CollectorRegistry`` and return it."""
    from prometheus_client import Gauge

    labels = ("axis", "category")
    g_share = Gauge(
        "prefloop_coverage_share", "Share of accepted pairs in the category", labels, registry=registry
    )
    g_pairs = Gauge("prefloop_coverage_pairs", "Accepted pairs in the category", labels, registry=registry)
    g_min = Gauge("prefloop_coverage_target_min", "Target share, lower bound", labels, registry=registry)
    g_max = Gauge("prefloop_coverage_target_max", "Target share, upper bound", labels, registry=registry)
    g_ok = Gauge(
        "prefloop_coverage_ok", "1 when the share is inside the target range", labels, registry=registry
    )
    g_backlog = Gauge("prefloop_review_backlog", "Pairs waiting for review", labels, registry=registry)
    g_dis = Gauge(
        "prefloop_review_disagreement",
        "Share of resolved pairs with non-unanimous votes",
        labels,
        registry=registry,
    )
    g_accepted = Gauge("prefloop_accepted_pairs", "Accepted pairs in scope", registry=registry)
    g_backlog_total = Gauge("prefloop_review_backlog_total", "Pairs waiting for review", registry=registry)
    g_accepted.set(coverage.accepted)
    g_backlog_total.set(coverage.backlog)
    for c in coverage.categories:
        key = (c.axis, c.name)
        g_share.labels(*key).set(c.share)
        g_pairs.labels(*key).set(c.count)
        g_min.labels(*key).set(c.target_min)
        g_max.labels(*key).set(c.target_max)
        g_ok.labels(*key).set(1 if c.ok else 0)
        g_backlog.labels(*key).set(c.backlog)
        if c.disagreement is not None:
            g_dis.labels(*key).set(c.disagreement)
    return registry
