"""The review workflow over the store: queue pairs for posting, record votes and discussion, resolve by the
quorum policy, audit every action. No Slack client here: every Slack call is written to the outbox
(:mod:`prefloop.slackbot.outbox`) in the same transaction as the state change it belongs to.

The parts live in modules named for what they hold: :mod:`~prefloop.slackbot.transactions` (write
transactions, audit, outbox, handled events), :mod:`~prefloop.slackbot.posting` (posts, gold mix, reminders),
:mod:`~prefloop.slackbot.voting` (votes and reasons), :mod:`~prefloop.slackbot.resolution` (resolve, escalate,
release fields) and :mod:`~prefloop.slackbot.threads` (Read full, thread replies).
"""

from __future__ import annotations

from prefloop.slackbot.actions import ActionRef
from prefloop.slackbot.exit_guard import EXIT_GUARD, pair_view
from prefloop.slackbot.posting import EnqueueResult, Posting
from prefloop.slackbot.queries import harm_categories
from prefloop.slackbot.threads import Threads
from prefloop.slackbot.voting import VoteResult, Voting

__all__ = [
    "EXIT_GUARD",
    "ActionRef",
    "EnqueueResult",
    "ReviewService",
    "VoteResult",
    "harm_categories",
    "pair_view",
]


class ReviewService(Voting, Posting, Threads):
    """One per process; thread-safe (SQLite writes are serialized in-process, PostgreSQL locks the post row)."""
