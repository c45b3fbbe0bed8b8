"""Block Kit payloads: the review post, its resolved form, the "Read full" modal and the App Home tab.

Plain functions from plain data to the dicts Slack expects; no Slack client here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prefloop.slackbot import messages as msg
from prefloop.slackbot.rubric import Rubric

__all__ = [
    "ACTION_READ_FULL",
    "ACTION_REASON",
    "BLOCK_REASON",
    "VOTE_ACTIONS",
    "PairView",
    "blind_reasons",
    "escape",
    "full_text_modal",
    "home_view",
    "resolved_message",
    "review_message",
    "sides",
    "tally_text",
]

#: action_id -> vote choice (reviewer frame). Each button's ``value`` is the pair id.
VOTE_ACTIONS = {f"vote_{choice}": choice for choice in msg.CHOICE_LABELS}
ACTION_REASON = "vote_reason"
ACTION_READ_FULL = "read_full"
BLOCK_REASON = "reason"
BLOCK_VOTE = "vote"
#: Characters of each text shown in the channel before it is cut (Slack allows 3000 per section).
DEFAULT_CUT = 700
_SECTION_MAX = 2900
_MODAL_MAX_BLOCKS = 100


@dataclass(frozen=True)
class PairView:
    """What a reviewer sees of a pair: scrubbed texts only."""

    pair_id: str
    prompt: Sequence[Mapping[str, str]]
    chosen: str
    rejected: str
    tags: Mapping[str, Any] = field(default_factory=dict)
    route_reasons: Sequence[str] = ()


def blind_reasons(route_reasons: Sequence[str]) -> str:
    """Why a pair is under review, as reviewers may read it: side-neutral labels by reason code only, so nothing
    tells them which answer the users preferred (``check:rejected_is_refusal`` would)."""
    labels: list[str] = []
    for reason in route_reasons:
        code = reason.split(":", 1)[0].strip()
        if code in msg.BLIND_HIDDEN:
            continue
        label = msg.BLIND_REASONS.get(code, msg.BLIND_REASON_OTHER)
        if label not in labels:
            labels.append(label)
    return ", ".join(labels) or msg.NO_REASONS


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so a text can never mention @channel or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sides(view: PairView, a_is: str) -> tuple[str, str]:
    """(text shown as A, text shown as B)."""
    return (view.chosen, view.rejected) if a_is == "chosen" else (view.rejected, view.chosen)


def _prompt_text(prompt: Sequence[Mapping[str, str]]) -> str:
    if len(prompt) == 1:
        return str(prompt[0].get("content", ""))
    return "\n".join(f"{m.get('role', 'user')}: {m.get('content', '')}" for m in prompt)


def _cut(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return escape(text), False
    return escape(text[:limit]) + msg.CUT_MARK.format(shown=limit, total=len(text)), True


def _tags_text(tags: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for key in sorted(tags):
        value = tags[key]
        if isinstance(value, list | tuple):
            value = ", ".join(map(str, value)) or msg.NO_TAGS
        elif isinstance(value, dict):
            continue
        parts.append(f"{key}: {value}")
    return escape("; ".join(parts)) if parts else msg.NO_TAGS


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[: _SECTION_MAX + 100]}}


def _body_blocks(view: PairView, a_is: str, rubric: Rubric, cut: int) -> tuple[list[dict[str, Any]], bool]:
    a_text, b_text = sides(view, a_is)
    prompt, cut_p = _cut(_prompt_text(view.prompt), cut)
    a, cut_a = _cut(a_text, cut)
    b, cut_b = _cut(b_text, cut)
    criteria = " > ".join(c.label for c in rubric.criteria)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": msg.POST_HEADER}},
        _section(f"{msg.LABEL_PROMPT}\n{prompt}"),
        {"type": "divider"},
        _section(f"{msg.LABEL_ANSWER.format(side='A')}\n{a}"),
        _section(f"{msg.LABEL_ANSWER.format(side='B')}\n{b}"),
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": msg.LABEL_TAGS.format(tags=_tags_text(view.tags))},
                {
                    "type": "mrkdwn",
                    "text": msg.LABEL_ROUTED.format(reasons=blind_reasons(view.route_reasons)),
                },
                {
                    "type": "mrkdwn",
                    "text": msg.LABEL_RUBRIC.format(version=rubric.version, criteria=criteria),
                },
                {"type": "mrkdwn", "text": f"`{view.pair_id}`"},
            ],
        },
    ]
    return blocks, cut_p or cut_a or cut_b


def review_message(view: PairView, a_is: str, rubric: Rubric, cut: int = DEFAULT_CUT) -> dict[str, Any]:
    """``text`` + ``blocks`` of the post asking for votes."""
    blocks, was_cut = _body_blocks(view, a_is, rubric, cut)
    buttons: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": msg.CHOICE_LABELS[choice]},
            "value": view.pair_id,
            **({"style": "danger"} if choice == "unsafe" else {}),
        }
        for action_id, choice in VOTE_ACTIONS.items()
    ]
    if was_cut:
        buttons.append(
            {
                "type": "button",
                "action_id": ACTION_READ_FULL,
                "text": {"type": "plain_text", "text": msg.READ_FULL},
                "value": view.pair_id,
            }
        )
    blocks += [
        _section(msg.POST_INSTRUCTIONS),
        {
            "type": "actions",
            "block_id": BLOCK_REASON,
            "elements": [
                {
                    "type": "static_select",
                    "action_id": ACTION_REASON,
                    "placeholder": {"type": "plain_text", "text": msg.REASON_PLACEHOLDER},
                    "options": [
                        {"text": {"type": "plain_text", "text": c.label}, "value": c.id}
                        for c in rubric.criteria
                    ],
                }
            ],
        },
        {"type": "actions", "block_id": BLOCK_VOTE, "elements": buttons},
    ]
    return {"text": msg.POST_FALLBACK.format(pair_id=view.pair_id), "blocks": blocks}


def tally_text(tally: Mapping[str, int], a_is: str) -> str:
    """Stored-frame counts shown in the reviewers' frame ("A better: 2, Tie: 1")."""
    shown = {a_is: "a", ("rejected" if a_is == "chosen" else "chosen"): "b"}
    parts = [
        f"{msg.CHOICE_LABELS.get(shown.get(label, label), label)}: {n}" for label, n in sorted(tally.items())
    ]
    return ", ".join(parts) or "none"


def resolved_message(
    view: PairView,
    a_is: str,
    rubric: Rubric,
    outcome: str,
    tally: Mapping[str, int],
    agreement: float,
    decided_by: str,
    cut: int = DEFAULT_CUT,
) -> dict[str, Any]:
    """The post after resolution: same texts, no buttons, the outcome and (now) the tally."""
    blocks, _ = _body_blocks(view, a_is, rubric, cut)
    label = msg.OUTCOME_LABELS.get(outcome, outcome)
    blocks += [
        _section(f"*{msg.RESOLVED_HEADER.format(outcome=label)}*"),
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": msg.RESOLVED_DETAIL.format(
                        tally=tally_text(tally, a_is), agreement=agreement, decided_by=decided_by
                    ),
                }
            ],
        },
    ]
    return {"text": msg.RESOLVED_HEADER.format(outcome=label), "blocks": blocks}


def _chunks(text: str, size: int = _SECTION_MAX) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def full_text_modal(view: PairView, a_is: str) -> dict[str, Any]:
    """A modal with the whole prompt and both answers (views.open)."""
    a_text, b_text = sides(view, a_is)
    blocks: list[dict[str, Any]] = []
    for title, text in (
        (msg.LABEL_PROMPT, _prompt_text(view.prompt)),
        (msg.LABEL_ANSWER.format(side="A"), a_text),
        (msg.LABEL_ANSWER.format(side="B"), b_text),
    ):
        for i, chunk in enumerate(_chunks(escape(text))):
            blocks.append(_section(f"{title if i == 0 else msg.MODAL_CONTINUED}\n{chunk}"))
        blocks.append({"type": "divider"})
    if len(blocks) > _MODAL_MAX_BLOCKS:
        blocks = [*blocks[: _MODAL_MAX_BLOCKS - 1], _section(msg.MODAL_CONTINUED)]
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": msg.MODAL_TITLE},
        "close": {"type": "plain_text", "text": msg.MODAL_CLOSE},
        "private_metadata": view.pair_id,
        "blocks": blocks,
    }


def home_view(pending_lines: Sequence[str], more: int, mine_text: str) -> dict[str, Any]:
    """The App Home tab: pairs waiting for this reviewer and their own agreement."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": msg.HOME_HEADER}},
        _section(msg.HOME_PENDING.format(n=len(pending_lines) + more)),
        _section("\n".join(pending_lines) if pending_lines else msg.HOME_NONE_PENDING),
    ]
    if more:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": msg.HOME_MORE.format(n=more)}]}
        )
    blocks += [{"type": "divider"}, _section(mine_text)]
    return {"type": "home", "blocks": blocks}
