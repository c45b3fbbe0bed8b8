"""The last guard before Slack: every pair text the bot posts goes through :data:`EXIT_GUARD`."""

from __future__ import annotations

from prefloop.curator.scrub.guard import ExitGuard
from prefloop.curator.store.models import (
    Pair,
)
from prefloop.slackbot.views import PairView

#: The last guard before Slack (docs/privacy.md): e-mail, phone, card, IBAN, SSN, IP, keys and tokens the
#: scrubber missed are masked in what is posted, counted and logged without the value.
EXIT_GUARD = ExitGuard("slack")


def pair_view(pair: Pair) -> PairView:
    chosen, rejected = EXIT_GUARD.texts(pair.pair_id, [pair.chosen, pair.rejected])
    return PairView(
        pair_id=pair.pair_id,
        prompt=EXIT_GUARD.messages(pair.pair_id, list(pair.prompt or [])),
        chosen=chosen,
        rejected=rejected,
        tags=dict(pair.tags or {}),
        route_reasons=list(pair.route_reasons or []),
    )
