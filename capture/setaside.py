"""``python -m prefloop.capture.setaside``: list, send or drop the records Kafka refused for good.

    python -m prefloop.capture.setaside --spool DIR list [--json]
    python -m prefloop.capture.setaside --spool DIR send [--bootstrap HOST:PORT] [--topic T] [--options JSON]
    python -m prefloop.capture.setaside --spool DIR drop (--all | EVENT_ID ...)

Run it on the app's host, against the app's ``PREFLOOP_CAPTURE_SPOOL_DIR``; it needs only capture's own
dependencies. ``send`` takes the broker, topic and producer options from the flags or from
``PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP``/``_TOPIC``/``_OPTIONS`` (as the app's config names them). A record Kafka
acknowledges is deleted; one it refuses again stays, with the reason printed. Exit code 0 when nothing is left
to do, 1 when a record was refused or could not be sent (or a named id was not set aside), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from prefloop.capture.publisher.setaside import drop, list_set_aside, send

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m prefloop.capture.setaside",
        description="List, send or drop the records Kafka refused for good (<spool>/.set-aside).",
    )
    parser.add_argument("--spool", required=True, type=Path, help="the app's PREFLOOP_CAPTURE_SPOOL_DIR")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="one line per record: event id, bytes, file")
    listing.add_argument("--json", action="store_true", help="one JSON object instead")
    sending = commands.add_parser("send", help="send them again (after raising the limit that refused them)")
    sending.add_argument("--bootstrap", default=os.environ.get("PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP"))
    sending.add_argument("--topic", default=os.environ.get("PREFLOOP_CAPTURE_KAFKA_TOPIC"))
    sending.add_argument(
        "--options",
        default=os.environ.get("PREFLOOP_CAPTURE_KAFKA_OPTIONS", "{}"),
        help="JSON object of KafkaProducer settings (as PREFLOOP_CAPTURE_KAFKA_OPTIONS)",
    )
    dropping = commands.add_parser("drop", help="delete records for good")
    dropping.add_argument("event_ids", nargs="*", metavar="EVENT_ID")
    dropping.add_argument("--all", action="store_true", help="every record set aside")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.spool.is_dir():
        parser.error(f"--spool {args.spool}: no such directory (give the app's PREFLOOP_CAPTURE_SPOOL_DIR)")
    if args.command == "list":
        records = list_set_aside(args.spool)
        if args.json:
            rows = [{"event_id": r.event_id, "bytes": r.size, "path": str(r.path)} for r in records]
            print(json.dumps({"set_aside": rows}))
        for r in [] if args.json else records:
            print(f"{r.event_id}  {r.size:>9} bytes  {r.path}")
        return 0
    if args.command == "drop":
        if args.all == bool(args.event_ids):
            parser.error("drop: name the event ids to delete, or give --all")
        dropped = drop(args.spool, None if args.all else args.event_ids)
        print(f"dropped {len(dropped)} record(s)")
        missing = set(args.event_ids) - set(dropped)
        for event_id in sorted(missing):
            print(f"not set aside: {event_id}", file=sys.stderr)
        return 1 if missing else 0
    return _send_command(parser, args)


def _send_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from prefloop.capture.publisher.config import DEFAULT_TOPIC, PublisherConfig
    from prefloop.capture.publisher.sender import close_producer, make_producer

    if not args.bootstrap:
        parser.error("send: give --bootstrap HOST:PORT (or set PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP)")
    try:
        options = json.loads(args.options)
    except ValueError as exc:
        parser.error(f"--options is not JSON ({exc}): give an object of KafkaProducer settings")
    if not isinstance(options, dict):
        parser.error("--options must be a JSON object of KafkaProducer settings")
    config = PublisherConfig(
        spool_dir=args.spool,
        kafka_bootstrap=args.bootstrap,
        topic=args.topic or DEFAULT_TOPIC,
        producer_options=options,
    )
    try:
        producer = make_producer(config.producer_settings())
    except Exception as exc:
        print(f"cannot reach Kafka at {args.bootstrap}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    try:
        report = send(args.spool, producer, config.topic)
    finally:
        close_producer(producer)
    print(f"sent {len(report.sent)} record(s) to {config.topic}")
    for event_id, reason in report.refused.items():
        print(f"still set aside: {event_id}: {reason}", file=sys.stderr)
    return 1 if report.refused else 0


if __name__ == "__main__":
    sys.exit(main())
