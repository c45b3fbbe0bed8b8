"""The sentence encoder served in a child process (the release build's paraphrase decisions use it).

It lives here, beside the encoder, and imports nothing but the encoder, so a spawned child loads
onnxruntime, the tokenizer and the weights only: not the release package, SQLAlchemy, spaCy or the tagger
(~8 CPU-seconds per process before). The parent side is
:class:`prefloop.curator.releases.encoder_process.EncoderPool`.

Protocol, over one :class:`multiprocessing.connection.Connection`: the parent sends a list of sub-batches
(each a list of texts, already in the order :meth:`SentenceEncoder.encode` would put them) and receives
``("ok", vectors)``, the sub-batches' vectors stacked in the order sent; ``None`` asks the worker to stop and is
answered ``("peak_rss_kb", n)``. An error is answered ``("error", exception)`` and ends the worker.
"""

from __future__ import annotations

from multiprocessing.connection import Connection

import numpy as np

__all__ = ["serve"]


def serve(conn: Connection, threads: int) -> None:
    """Load the encoder, then answer each list of sub-batches with their vectors until told to stop."""
    import resource

    try:
        from prefloop.curator.tagging.encoder import WIDTH, SentenceEncoder

        encoder = SentenceEncoder.load(threads=threads)
        while True:
            batches = conn.recv()
            if batches is None:
                break
            parts = [encoder.encode(batch) for batch in batches]
            conn.send(("ok", np.concatenate(parts) if parts else np.zeros((0, WIDTH), np.float32)))
    except EOFError:
        return
    except BaseException as exc:  # handed to the build, which raises it at the waiting lookup
        conn.send(("error", exc))
        return
    conn.send(("peak_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
