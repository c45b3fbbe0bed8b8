"""Text for the slash command, the App Home tab and the `prefloop agreement` report (plain functions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefloop.curator.pairing.audit import AuditEstimate, audit_estimate
from prefloop.curator.store.models.base import utcnow
from prefloop.slackbot import messages as msg
from prefloop.slackbot.agreement import AgreementReport, AgreementRow, agreement_report
from prefloop.slackbot.gold import GoldScore, flagged, gold_scores
from prefloop.slackbot.service import ReviewService
from prefloop.slackbot.views import home_view

__all__ = [
    "COMMAND_ROLES",
    "SLOW_COMMANDS",
    "agreement_text",
    "calibration_text",
    "command_response",
    "coverage_text",
    "gold_text",
    "home_for",
    "queue_text",
    "service_gold",
    "stats_text",
]

#: Who may run which `/prefloop` subcommand: ``reviewer`` = reviewers and adjudicators; ``adjudicator`` = the
#: adjudicator group only (figures about other reviewers are for the review leads).
COMMAND_ROLES = {
    "coverage": "reviewer",
    "queue": "reviewer",
    "stats": "adjudicator",
    "agreement": "adjudicator",
}
#: Subcommands answered later through the command's response_url (they may take longer than Slack's 3 s).
SLOW_COMMANDS = frozenset({"coverage", "agreement"})


def _pct(value: float | None) -> str:
    return msg.NOT_AVAILABLE if value is None else f"{value:.0%}"


def _alpha(value: float | None) -> str:
    return msg.NOT_AVAILABLE if value is None else f"{value:.2f}"


def _age(since: datetime | None, now: datetime | None = None) -> str:
    if since is None:
        return "?"
    seconds = int(((now or utcnow()) - since).total_seconds())
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def _row_line(row: AgreementRow) -> str:
    flag = msg.AGREEMENT_FLAG if row.below_target else ""
    return msg.AGREEMENT_ROW.format(
        key=row.key,
        percent=_pct(row.percent),
        alpha=_alpha(row.alpha),
        pairs=row.pairs,
        votes=row.votes,
        flag=flag,
    )


def agreement_text(report: AgreementReport) -> str:
    if report.overall.pairs == 0:
        return msg.AGREEMENT_EMPTY
    lines = [
        msg.AGREEMENT_HEADER.format(target=report.target),
        _row_line(report.overall),
        "",
        "By harm category:",
    ]
    lines += [f"  {_row_line(r)}" for r in report.by_category]
    if report.first_two is not None and report.first_two.pairs:
        lines += [
            "",
            msg.SELECTION_BIAS.format(
                first_two=_pct(report.first_two.percent),
                alpha=_alpha(report.first_two.alpha),
                pairs=report.first_two.pairs,
                third=_pct(report.third_vote_share),
                bias=msg.NOT_AVAILABLE if report.selection_bias is None else f"{report.selection_bias:+.0%}",
            ),
        ]
    if report.a_share is not None:
        lines += [
            "",
            msg.POSITION_BIAS.format(share=report.a_share, n=report.side_votes)
            + msg.POSITION_P.format(p=report.position_p if report.position_p is not None else 1.0),
        ]
    lines += ["", "By reviewer:"]
    for r in report.by_reviewer:
        flag = msg.AGREEMENT_FLAG if r.below_target else ""
        lines.append(
            "  "
            + msg.AGREEMENT_REVIEWER_ROW.format(
                key=r.key,
                percent=_pct(r.percent),
                alpha=_alpha(r.alpha),
                with_others=_pct(r.with_others),
                votes=r.votes,
                a_share=_pct(r.a_share),
                flag=flag,
            )
        )
    return "\n".join(lines)


def audit_text(estimate: AuditEstimate) -> str:
    if not estimate.audited or estimate.interval is None:
        return msg.AUDIT_EMPTY
    low, high = estimate.interval
    return msg.AUDIT_LINE.format(
        confirmed=estimate.confirmed,
        audited=estimate.audited,
        precision=_pct(estimate.precision),
        low=_pct(low),
        high=_pct(high),
    )


def calibration_text(calibration: dict[str, Any]) -> str:
    """The review-measured calibration of ``strength`` per band (``ReviewService.review_calibration``)."""
    if not calibration["bands"]:
        return msg.CALIBRATION_EMPTY
    lines = [msg.CALIBRATION_HEADER]
    for b in calibration["bands"]:
        verdict = msg.CALIBRATION_VERDICTS[b["direction"]]
        if b["miss_beyond_noise"]:
            verdict += msg.CALIBRATION_NOISE
        lines.append(
            msg.CALIBRATION_LINE.format(
                band=b["band"],
                right=b["right"],
                pairs=b["pairs"],
                share=_pct(b["share_right"]),
                low=_pct(b["interval"][0]),
                high=_pct(b["interval"][1]),
                strength=f"{b['mean_strength']:.2f}",
                verdict=verdict,
            )
        )
    return "\n".join(lines)


def service_gold(service: ReviewService) -> tuple[dict[str, GoldScore], set[str]]:
    """Every reviewer's gold score and who is flagged under the service's policy."""
    with service.store.session() as s:
        scores = gold_scores(s)
    return scores, flagged(scores, service.policy)


def gold_text(scores: dict[str, GoldScore], low: set[str]) -> str:
    if not scores:
        return msg.GOLD_HEADER + " " + msg.NOT_AVAILABLE
    lines = [msg.GOLD_HEADER]
    for reviewer in sorted(scores):
        sc = scores[reviewer]
        cats = ", ".join(f"{cat} {r}/{n}" for cat, (n, r) in sorted(sc.by_category.items()))
        flag = msg.GOLD_FLAGGED if reviewer in low else ""
        lines.append(
            "  "
            + msg.GOLD_ROW.format(
                key=reviewer, accuracy=_pct(sc.accuracy), n=sc.items, categories=cats, flag=flag
            )
        )
    return "\n".join(lines)


def coverage_text(store: Any) -> str:
    """`prefloop.curator.coverage`'s text, or one clear line when it is not available."""
    try:
        from prefloop.curator.coverage import compute_coverage, format_coverage_text
    except ImportError as exc:
        return msg.COVERAGE_UNAVAILABLE.format(reason=f"prefloop.curator.coverage is not installed ({exc})")
    try:
        return str(format_coverage_text(compute_coverage(store)))
    except Exception as exc:  # coverage belongs to another component: never break the command for it
        return msg.COVERAGE_UNAVAILABLE.format(reason=f"{exc.__class__.__name__}: {exc}")


def queue_text(service: ReviewService) -> str:
    counts = service.queue_counts()
    text = msg.QUEUE_LINE.format(
        queued=counts["queued"] + counts["unposted"],
        posted=counts["posted"],
        escalated=counts["escalated"],
        resolved=counts["resolved"],
    )
    oldest = service.oldest_open()
    if oldest is not None:
        text += "\n" + msg.QUEUE_OLDEST.format(pair_id=oldest.pair_id, age=_age(oldest.posted_at))
    return text


def stats_text(service: ReviewService) -> str:
    return msg.STATS_LINE.format(**service.stats())


def command_response(service: ReviewService, text: str) -> str:
    """The answer to ``/prefloop <text>``."""
    sub = (text or "").strip().split(" ", 1)[0].lower()
    if sub == "coverage":
        return f"```{coverage_text(service.store)}```"
    if sub == "queue":
        return queue_text(service)
    if sub == "stats":
        return stats_text(service)
    if sub == "agreement":
        text = agreement_text(agreement_report(service.rated_votes()))
        return "\n\n".join(
            [
                text,
                gold_text(*service_gold(service)),
                audit_text(audit_estimate(service.audit_outcomes())),
                calibration_text(service.review_calibration()),
            ]
        )
    return msg.COMMAND_USAGE


def home_for(service: ReviewService, user: str, limit: int = 10) -> dict[str, Any]:
    """The App Home view for ``user``: their pending pairs and their own agreement numbers."""
    posts, more = service.pending_for(user, limit)
    lines = []
    for p in posts:
        if p.channel and p.ts:
            link = f"https://slack.com/archives/{p.channel}/p{p.ts.replace('.', '')}"
            lines.append(
                msg.HOME_PENDING_ITEM.format(
                    link=link, pair_id=p.pair_id, state=p.state, age=_age(p.posted_at)
                )
            )
        else:
            lines.append(msg.HOME_PENDING_ITEM_NOLINK.format(pair_id=p.pair_id, state=p.state))
    report = agreement_report(service.rated_votes())
    mine = next((r for r in report.by_reviewer if r.key == user), None)
    if mine is None or mine.percent is None:
        mine_text = msg.HOME_MINE_EMPTY
    else:
        mine_text = msg.HOME_MINE.format(
            percent=_pct(mine.percent),
            with_others=_pct(mine.with_others),
            votes=mine.votes,
            target=report.target,
        )
    return home_view(lines, more, mine_text)
