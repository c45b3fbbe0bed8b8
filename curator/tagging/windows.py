"""Windows of a long prompt for the sentence encoder (issue 15, session 12).

The encoder reads the first :data:`~prefloop.curator.tagging.encoder.MAX_TOKENS` word pieces of a text and drops
the rest, so the request at the end of a long jailbreak template is never seen. :func:`windows` cuts a text into
pieces the encoder can read whole: the text itself first (the encoder cuts it to its first window, as tagging
always did, so short texts and the first window embed exactly as before), then the last window, or every further
window. Windows start at a word, never inside one, so each reads as the same word pieces it had in the whole text.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from prefloop.curator.tagging.encoder import MAX_TOKENS, TOKENIZER_PATH

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["WINDOW", "Pooling", "pooled_max", "window_starts", "windows"]

#: Word pieces a window holds: the encoder's input less its two special tokens.
WINDOW = MAX_TOKENS - 2
#: ``headtail``: the first and the last window; ``every``: every window, consecutive, the last ending at the end.
Pooling = Literal["headtail", "every"]

_lock = threading.Lock()


def window_starts(n: int, size: int = WINDOW, mode: Pooling = "headtail") -> list[int]:
    """Piece indices where the windows of a text of ``n`` word pieces start: ``[0]`` when it fits one window,
    else the first window and the last (``headtail``) or consecutive windows with the last one ending at piece
    ``n`` (``every``). Every piece lies in some window; none starts past ``n - size``."""
    if n <= size:
        return [0]
    if mode == "headtail":
        return [0, n - size]
    return [*range(0, n - size, size), n - size]


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(TOKENIZER_PATH))
    tok.no_truncation()
    tok.no_padding()
    return tok


def _word_start(tokens: Sequence[str], i: int) -> int:
    """The first piece at or after ``i`` that begins a word (not a ``##`` continuation)."""
    while i < len(tokens) and tokens[i].startswith("##"):
        i += 1
    return i


def windows(text: str, mode: Pooling = "headtail", size: int = WINDOW) -> list[str]:
    """The texts the encoder reads for ``text``: ``[text]`` when it fits one window, else ``text`` (read as its
    first window) followed by the substrings that start the further windows (:func:`window_starts`), each cut at the
    end of its window except the last."""
    with _lock:
        enc = _tokenizer().encode(text, add_special_tokens=False)
    tokens, offsets = enc.tokens, enc.offsets
    n = len(tokens)
    out = [text]
    for start in window_starts(n, size, mode)[1:]:
        s = _word_start(tokens, start)
        if s >= n:
            continue
        end = min(s + size, n)
        out.append(text[offsets[s][0] : offsets[end - 1][1]] if end < n else text[offsets[s][0] :])
    return out


def pooled_max(scores: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Per-label max of several windows' scores (one window: its scores)."""
    return {k: max(s[k] for s in scores) for k in scores[0]}
