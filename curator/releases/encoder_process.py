"""The sentence encoder in processes of their own, for the release build.

In a thread, the encoder shares the interpreter lock with the build's ordered pass: measured beside a busy
Python thread, 1,024 prompts took twice the wall time of the encoder alone (29.9 s against 15.1 s, the same
~8 CPU-seconds), because every sub-batch waits for the lock between its onnxruntime calls. In a process of its
own it ran as fast as alone (16.3 s). :class:`EncoderPool` starts its processes (``spawn``: the build already
runs threads) when it is created, so loading the model overlaps the build's other work; :meth:`embed` deals the
texts' sub-batches to the processes, which encode them at the same time, and waits for their vectors (the
waiting thread holds no lock); :meth:`close` stops them.

With two processes on two cores the encoder uses the core the ordered pass leaves free while it waits for the
encoder's decisions. The vectors are the single encoder's to the bit whatever the number of processes: each
process encodes whole sub-batches of :meth:`SentenceEncoder.encode` (:func:`sub_batches`), as they are.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from prefloop.curator.releases import messages as msg
from prefloop.curator.tagging.encoder import WIDTH, sub_batches
from prefloop.curator.tagging.encoder_server import serve
from prefloop.schemas.errors import ReleaseError

__all__ = ["PROCESSES", "EncoderPool"]

#: Encoder processes a build starts by default: one per core of a two-core machine.
PROCESSES = 2

_GONE = (EOFError, OSError, BrokenPipeError)


class EncoderPool:
    """``SentenceEncoder.load(threads=threads).encode`` run in ``processes`` child processes."""

    def __init__(self, processes: int = PROCESSES, threads: int = 1) -> None:
        if processes < 1:
            raise ValueError("an encoder pool needs at least one process")
        ctx = multiprocessing.get_context("spawn")
        self._conns: list[Connection] = []
        self._processes: list[BaseProcess] = []
        for n in range(processes):
            conn, child = ctx.Pipe()
            process = ctx.Process(
                target=serve, args=(child, threads), name=f"paraphrase-encoder-{n}", daemon=True
            )
            process.start()
            child.close()
            self._conns.append(conn)
            self._processes.append(process)
        self._lock = threading.Lock()
        #: each worker's peak resident memory (MB), known after :meth:`close`
        self.peak_rss_mb: list[float | None] = [None] * processes

    def __len__(self) -> int:
        return len(self._processes)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, as the encoder gives them."""
        batches = sub_batches(texts)
        dealt = [batches[n :: len(self._conns)] for n in range(len(self._conns))]
        out = np.zeros((len(texts), WIDTH), np.float32)
        with self._lock:
            busy = [n for n, share in enumerate(dealt) if share]
            for n in busy:  # every process starts before any answer is awaited
                self._send(n, [[texts[i] for i in batch] for batch in dealt[n]])
            answers = [self._receive(n) for n in busy]
        for n, (kind, value) in zip(busy, answers, strict=True):
            if kind == "error":
                raise value
            rows = [i for batch in dealt[n] for i in batch]
            out[rows] = value
        return out

    def _send(self, n: int, batches: list[list[str]]) -> None:
        try:
            self._conns[n].send(batches)
        except _GONE as exc:
            raise self._gone(n) from exc

    def _receive(self, n: int) -> tuple[str, Any]:
        try:
            kind, value = self._conns[n].recv()
        except _GONE as exc:
            raise self._gone(n) from exc
        return kind, value

    def _gone(self, n: int) -> ReleaseError:
        self._processes[n].join(timeout=1)
        return ReleaseError(msg.ENCODER_PROCESS_GONE.format(code=self._processes[n].exitcode))

    def close(self) -> None:
        """Stop the workers (waits for them)."""
        with self._lock:
            for n, conn in enumerate(self._conns):
                try:
                    conn.send(None)
                    kind, value = conn.recv()
                    while kind == "ok":  # an answer a failed embed left unread
                        kind, value = conn.recv()
                    if kind == "peak_rss_kb":
                        self.peak_rss_mb[n] = round(value / 1024, 1)
                except (*_GONE, ValueError):
                    pass
                conn.close()
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()

    def __enter__(self) -> EncoderPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
