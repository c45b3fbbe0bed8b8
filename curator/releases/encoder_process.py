"""The sentence encoder in a process of its own, for the release build.

In a thread, the encoder shares the interpreter lock with the build's ordered pass: measured beside a busy
Python thread, 1,024 prompts took twice the wall time of the encoder alone (29.9 s against 15.1 s, the same
~8 CPU-seconds), because every sub-batch waits for the lock between its onnxruntime calls. In a process of its
own it ran as fast as alone (16.3 s). :class:`EncoderProcess` starts that process (``spawn``: the build already
runs threads) when it is created, so loading the model overlaps the build's other work; :meth:`embed` sends
texts and waits for their vectors (the waiting thread holds no lock); :meth:`close` stops it.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from prefloop.curator.releases import messages as msg
from prefloop.schemas.errors import ReleaseError

__all__ = ["EncoderProcess"]


def _serve(conn: Connection, threads: int) -> None:
    """The worker: load the encoder, then answer each list of texts with its vectors until told to stop."""
    import resource

    try:
        from prefloop.curator.tagging.encoder import SentenceEncoder

        encoder = SentenceEncoder.load(threads=threads)
        while True:
            texts = conn.recv()
            if texts is None:
                break
            conn.send(("ok", encoder.encode(texts)))
    except EOFError:
        return
    except BaseException as exc:  # handed to the build, which raises it at the waiting lookup
        conn.send(("error", exc))
        return
    conn.send(("peak_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


class EncoderProcess:
    """``SentenceEncoder.load(threads=threads).encode`` run in a child process."""

    def __init__(self, threads: int = 1) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve, args=(child, threads), name="paraphrase-encoder", daemon=True
        )
        self._process.start()
        child.close()
        self._lock = threading.Lock()
        #: the worker's peak resident memory (MB), known after :meth:`close`
        self.peak_rss_mb: float | None = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, as the encoder gives them."""
        with self._lock:
            try:
                self._conn.send(list(texts))
                kind, value = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                raise ReleaseError(msg.ENCODER_PROCESS_GONE.format(code=self._process.exitcode)) from exc
        if kind == "error":
            raise value
        return np.asarray(value)

    def close(self) -> None:
        """Stop the worker (waits for it)."""
        with self._lock:
            try:
                self._conn.send(None)
                kind, value = self._conn.recv()
                if kind == "peak_rss_kb":
                    self.peak_rss_mb = round(value / 1024, 1)
            except (EOFError, OSError, BrokenPipeError, ValueError):
                pass
            self._conn.close()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def __enter__(self) -> EncoderProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
