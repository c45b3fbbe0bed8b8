"""``python -m prefloop.capture.example [--host H] [--port N] [--spool DIR] [--kafka HOST:PORT]``: serve the example app."""

from __future__ import annotations

import argparse

from prefloop.capture.example import messages
from prefloop.capture.example.app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m prefloop.capture.example", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--spool", default="var/example-spool", help="capture spool folder")
    parser.add_argument("--kafka", default=None, help="Kafka bootstrap (default: embedded mode, spool only)")
    args = parser.parse_args(argv)
    config = {"PREFLOOP_CAPTURE_SPOOL_DIR": args.spool, "PREFLOOP_CAPTURE_KAFKA_BOOTSTRAP": args.kafka}
    app = create_app(config)
    print(messages.SERVING.format(host=args.host, port=args.port, spool=args.spool), flush=True)
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
