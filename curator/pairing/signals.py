"""Evidence to candidates: turn a prompt group's signals into candidate pairs of distinct answers.

Identical answers (same normalized text) are one candidate side, whoever saw them; each candidate carries every
signal between its two answers, in both directions, with the events that formed it (provenance).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from prefloop.curator.pairing.grouping import answer_hash, similarity
from prefloop.curator.pairing.model import ActionView, Candidate, GroupView, ResponseView, SignalView
from prefloop.curator.pairing.policy import Policy

__all__ = [
    "answer_clusters",
    "build_candidates",
    "combine",
    "logit",
    "merge_near_identical",
    "pair_id_for",
    "shrink",
    "with_history",
]

_MAX_P = 0.999


def logit(p: float) -> float:
    p = min(max(p, 1 - _MAX_P), _MAX_P)
    return math.log(p / (1 - p))


def combine(total_logit: float) -> float:
    """Probability from summed log-odds, capped so no evidence is ever certain."""
    return min(1 / (1 + math.exp(-total_logit)), _MAX_P)


def shrink(reliability: float, weight: float) -> float:
    """Move a reliability toward 0.5 (no evidence) by ``weight`` in [0, 1]."""
    return 0.5 + (reliability - 0.5) * max(min(weight, 1.0), 0.0)


def with_history(
    reliability: float, confirmed: int, contradicted: int, prior_weight: float, cap: float
) -> float:
    """A signal's reliability given its user's reviewer-verified record: the kind's reliability is a prior worth
    ``prior_weight`` outcomes, the user's confirmed and contradicted signals are the observed ones."""
    n = confirmed + contradicted
    if n == 0:
        return reliability
    return min(max((confirmed + prior_weight * reliability) / (n + prior_weight), 1 - cap), cap)


def pair_id_for(group_key: str, left: str, right: str) -> str:
    """Stable id of the unordered pair of two answers (or an edit and an answer) in one group."""
    lo, hi = sorted((left, right))
    return hashlib.sha256(f"{group_key}|{lo}|{hi}".encode()).hexdigest()[:32]


class _Builder:
    def __init__(self, group: GroupView, policy: Policy) -> None:
        self.group = group
        self.policy = policy
        self.by_id: dict[str, ResponseView] = {}
        self.answer_of: dict[str, str] = {}
        self.answers: dict[str, list[ResponseView]] = defaultdict(list)
        for r in sorted(group.responses, key=lambda r: (r.shown_at, r.response_id)):
            if r.text is None:  # purged: never re-paired
                continue
            h = answer_hash(r.text)
            self.by_id[r.response_id] = r
            self.answer_of[r.response_id] = h
            self.answers[h].append(r)
        self.candidates: dict[str, Candidate] = {}

    # -- candidates --------------------------------------------------------------------------------
    def _answer_candidate(self, ha: str, hb: str) -> Candidate:
        a, b = sorted((ha, hb))
        pid = pair_id_for(self.group.key, a, b)
        cand = self.candidates.get(pid)
        if cand is None:
            ra, rb = self.answers[a], self.answers[b]
            cand = Candidate(
                pair_id=pid,
                group_key=self.group.key,
                a_id=ra[0].response_id,
                b_id=rb[0].response_id,
                a_text=ra[0].text or "",
                b_text=rb[0].text or "",
                a_ids=[r.response_id for r in ra],
                b_ids=[r.response_id for r in rb],
            )
            self.candidates[pid] = cand
        return cand

    def _add(
        self,
        winner: str,
        loser: str,
        kind: str,
        strength: float,
        events: Iterable[str],
        users: Iterable[str],
        at: datetime,
        **detail: object,
    ) -> None:
        if winner == loser:
            return
        who = tuple(sorted(set(users)))
        history = self.policy.history
        if history.enabled and len(who) == 1 and who[0] in self.group.user_history:
            confirmed, contradicted = self.group.user_history[who[0]]
            adjusted = with_history(
                strength, confirmed, contradicted, history.prior_weight, history.max_reliability
            )
            if (
                confirmed + contradicted
            ):  # kept even when it moved nothing: the strength is recomputed from it
                detail = {**detail, "history": [confirmed, contradicted], "base_strength": round(strength, 4)}
                strength = adjusted
        cand = self._answer_candidate(winner, loser)
        side = "a" if self.answer_of[cand.a_id] == winner else "b"
        cand.signals.append(SignalView(kind, side, strength, tuple(events), who, at, dict(detail)))

    # -- signal kinds ------------------------------------------------------------------------------
    def choices(self, actions: list[ActionView]) -> None:
        strength = self.policy.reliability("choice")
        for act in actions:
            if act.kind != "choice" or act.other_response_id is None:
                continue
            ha, hb = self.answer_of.get(act.response_id), self.answer_of.get(act.other_response_id)
            if ha is None or hb is None or ha == hb:
                continue
            if act.preferred == "tie":
                cand = self._answer_candidate(ha, hb)
                cand.ties.append(
                    SignalView("choice", "a", 0.5, (act.event_id,), (act.user,), act.occurred_at)
                )
            elif act.preferred in ("a", "b"):
                win, lose = (ha, hb) if act.preferred == "a" else (hb, ha)
                self._add(win, lose, "choice", strength, [act.event_id], [act.user], act.occurred_at)

    def edits(self, actions: list[ActionView]) -> None:
        strength = self.policy.reliability("edit")
        for act in actions:
            if act.kind != "edit" or act.edited_text is None:
                continue
            original = self.by_id.get(act.response_id)
            if original is None:
                continue
            pid = pair_id_for(self.group.key, f"edit:{act.event_id}", self.answer_of[act.response_id])
            cand = Candidate(
                pair_id=pid,
                group_key=self.group.key,
                a_id=f"edit:{act.event_id}",
                b_id=original.response_id,
                a_text=act.edited_text,
                b_text=original.text or "",
                a_ids=[],
                b_ids=[original.response_id],
                a_human_written=True,
            )
            cand.signals.append(
                SignalView(
                    "edit",
                    "a",
                    strength,
                    (act.event_id, original.event_id),
                    (act.user,),
                    act.occurred_at,
                    {"editor": act.editor or "user"},
                )
            )
            self.candidates[pid] = cand

    def thumbs(self) -> None:
        ups: dict[str, dict[str, tuple[str, datetime]]] = defaultdict(dict)  # answer -> user -> (event, at)
        downs: dict[str, dict[str, tuple[str, datetime, str | None]]] = defaultdict(dict)
        for fb in self.group.feedback:
            h = self.answer_of.get(fb.response_id)
            if h is None or fb.rating == 0:
                continue
            if fb.rating > 0:
                ups[h][fb.user] = (fb.event_id, fb.occurred_at)
            else:
                downs[h][fb.user] = (fb.event_id, fb.occurred_at, fb.reason)
        same = self.policy.reliability("thumbs_same_user")
        cross = self.policy.reliability("thumbs_cross_user")
        for pos, up_users in ups.items():
            for neg, down_users in downs.items():
                if pos == neg:
                    continue
                # the same user liked one answer and disliked the other
                for user in sorted(up_users.keys() & down_users.keys()):
                    ev_up, at_up = up_users[user]
                    ev_down, at_down, reason = down_users[user]
                    self._add(
                        pos,
                        neg,
                        "thumbs_same_user",
                        shrink(same, self.policy.reason_weight(reason)),
                        [ev_up, ev_down],
                        [user],
                        min(at_up, at_down),
                        reasons=[reason or "none"],
                        weight=self.policy.reason_weight(reason),
                    )
                # different users: independent comparisons = a matching of likers to dislikers
                everyone = up_users.keys() | down_users.keys()
                n = min(len(up_users), len(down_users), len(everyone) // 2)
                if n == 0 or (len(everyone) == 1):
                    continue
                reasons = [d[2] or "none" for d in down_users.values()]
                weight = sum(self.policy.reason_weight(r) for r in reasons) / len(reasons)
                strength = combine(n * logit(shrink(cross, weight)))
                events = [e for e, _ in up_users.values()] + [d[0] for d in down_users.values()]
                at = min([a for _, a in up_users.values()] + [d[1] for d in down_users.values()])
                self._add(
                    pos,
                    neg,
                    "thumbs_cross_user",
                    strength,
                    sorted(events),
                    everyone,
                    at,
                    reasons=sorted(reasons),
                    weight=round(weight, 4),
                    matched=n,
                )

    def regenerates(self, actions: list[ActionView]) -> None:
        regen_events = {a.response_id: a for a in actions if a.kind == "regenerate"}
        links: dict[tuple[str, str], ActionView | None] = {}  # (replaced, new) -> the regenerate event
        for r in self.by_id.values():
            if r.regenerates and r.regenerates in self.by_id:
                links[(r.regenerates, r.response_id)] = regen_events.get(r.regenerates)
        # a regenerate event whose new response does not name what it replaced: the next answer in that
        # conversation shown after the click
        linked = {old for old, _ in links}
        for old_id, click in regen_events.items():
            old = self.by_id.get(old_id)
            if old is None or old_id in linked:
                continue
            later = [
                r
                for r in self.by_id.values()
                if r.conversation_id == old.conversation_id
                and r.response_id != old_id
                and r.shown_at >= click.occurred_at
            ]
            if later:
                links[(old_id, min(later, key=lambda r: r.shown_at).response_id)] = click
        fb = {(f.response_id, f.user): f for f in self.group.feedback if f.rating != 0}
        choices = [a for a in actions if a.kind == "choice"]
        strong = self.policy.reliability("regenerate_then_positive")
        weak = self.policy.reliability("regenerate_only")
        for (old_id, new_id), act in sorted(links.items(), key=lambda kv: kv[0]):
            old, new = self.by_id[old_id], self.by_id[new_id]
            user = act.user if act else new.user
            events = [e for e in (act.event_id if act else None, new.event_id) if e]
            at = act.occurred_at if act else new.shown_at
            new_fb = fb.get((new_id, user))
            if new_fb is not None and new_fb.rating < 0:
                continue  # disliked the new answer too: no preference between them
            positive: list[tuple[str, str]] = []
            if new_fb is not None and new_fb.rating > 0:
                positive.append(("thumbs_up", new_fb.event_id))
            for c in choices:
                if c.user == user and (
                    (c.preferred == "a" and c.response_id == new_id)
                    or (c.preferred == "b" and c.other_response_id == new_id)
                ):
                    positive.append(("choice", c.event_id))
            if new.continued_by:
                positive.append(("continued", new.continued_by))
            ho, hn = self.answer_of[old_id], self.answer_of[new_id]
            if positive:
                self._add(
                    hn,
                    ho,
                    "regenerate_then_positive",
                    strong,
                    events + [e for k, e in positive if k != "continued"],
                    [user],
                    at,
                    then=[k for k, _ in positive],
                )
            else:
                self._add(hn, ho, "regenerate_only", weak, events, [user], at)


#: Near-identical answers are clustered only in groups with at most this many distinct answers (the comparison
#: is quadratic in the worst case; a hot prompt keeps exact-answer evidence only).
MAX_CLUSTERED_ANSWERS = 60


def answer_clusters(texts: dict[str, str], threshold: float) -> dict[str, str]:
    """Answer hash -> the hash of its cluster's first answer. ``texts`` (hash -> text) in the order the answers
    were first shown; an answer joins the first cluster whose first answer is at least ``threshold`` similar
    (the same word-bigram similarity that calls two answers a tie). The first answer of a cluster never changes
    as later answers arrive, so merged pairs keep their ids."""
    reps: list[tuple[str, str]] = []
    out: dict[str, str] = {}
    for h, text in texts.items():
        for rep, rep_text in reps:
            if similarity(text, rep_text) >= threshold:
                out[h] = rep
                break
        else:
            reps.append((h, text))
            out[h] = h
    return out


def merge_near_identical(
    cands: list[Candidate], cluster: dict[str, str], of: dict[str, str]
) -> list[Candidate]:
    """Candidates whose two answers are near-identical to another candidate's two answers are one comparison:
    their evidence (from other users) is moved onto the earliest such candidate, in its frame, and the rest
    are dropped (their ids are kept in ``merged``). Candidates within one cluster (a near-tie) and edits stay
    as they are."""
    keep: dict[tuple[str, str], Candidate] = {}
    out: list[Candidate] = []

    def first_at(c: Candidate) -> tuple[object, str]:
        times = [s.at for s in c.signals] + [t.at for t in c.ties]
        return (min(times) if times else None, c.pair_id)

    for cand in sorted(cands, key=lambda c: (first_at(c)[0] is None, first_at(c))):
        ca, cb = cluster.get(of.get(cand.a_id, ""), ""), cluster.get(of.get(cand.b_id, ""), "")
        if cand.a_human_written or not ca or not cb or ca == cb:
            out.append(cand)
            continue
        key = (min(ca, cb), max(ca, cb))
        home = keep.get(key)
        if home is None:
            keep[key] = cand
            out.append(cand)
            continue
        flip = cluster[of[home.a_id]] != ca
        for sig in cand.signals:
            side = sig.favours if not flip else ("b" if sig.favours == "a" else "a")
            home.signals.append(
                replace(sig, favours=side, detail={**sig.detail, "near_identical_of": cand.pair_id})
            )
        home.ties.extend(cand.ties)
        home.merged.append(cand.pair_id)
    return out


def build_candidates(group: GroupView, policy: Policy) -> list[Candidate]:
    """Every candidate pair in ``group`` that has evidence (choices, edits, thumbs, regenerates, ties).

    With ``similarity.merge_near_identical`` on, evidence on near-identical answers (at least
    ``similarity.tie`` alike) from different users combines on one candidate."""
    b = _Builder(group, policy)
    actions = sorted(group.actions, key=lambda a: (a.occurred_at, a.event_id))
    b.choices(actions)
    b.edits(actions)
    b.thumbs()
    b.regenerates(actions)
    cands = list(b.candidates.values())
    if policy.similarity.merge_near_identical and 2 < len(b.answers) <= MAX_CLUSTERED_ANSWERS:
        texts = {h: rs[0].text or "" for h, rs in b.answers.items()}
        cands = merge_near_identical(cands, answer_clusters(texts, policy.similarity.tie), b.answer_of)
    limit = policy.limits.max_candidates_per_group
    if len(cands) > limit:

        def weight(c: Candidate) -> float:
            return sum(abs(logit(s.strength)) for s in c.signals) + 0.1 * len(c.ties)

        cands = sorted(cands, key=lambda c: (-weight(c), c.pair_id))[:limit]
    for c in cands:
        c.similarity = similarity(c.a_text, c.b_text)
    return sorted(cands, key=lambda c: c.pair_id)
