"""`prefloop tag --in in.jsonl --out out.jsonl [--field prompt]`, `prefloop tagger train` and `train-reader`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from prefloop.curator.tagging import messages

__all__ = ["tag", "tagger"]


def _calibration_folds(value: int | None) -> int | None:
    if value == 1:
        raise click.BadParameter(messages.FOLDS_ONE)
    return value


@click.command()
@click.option("--in", "src", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "dst", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--field", default="prompt", show_default=True, help="Field holding a prompt string or messages."
)
@click.option(
    "--model", "model_dir", type=click.Path(file_okay=False, path_type=Path), help="Trained model folder."
)
@click.option("--batch-size", default=128, show_default=True, type=click.IntRange(1, 10_000))
def tag(src: Path, dst: Path, field: str, model_dir: Path | None, batch_size: int) -> None:
    """Add `tags` = {tactic, hazards, scores} to every line of a JSONL file.

    The field may hold a string or a list of {role, content} messages (the last user message is the prompt).
    A malformed line stops the run with its line number; the output is written only when every line is tagged.
    """
    from prefloop.curator.tagging import Tagger, tag_jsonl

    report = tag_jsonl(src, dst, Tagger.load(model_dir), field=field, batch_size=batch_size)
    click.echo(
        messages.TAG_DONE.format(count=report.lines, harmful=report.harmful, src=src, dst=dst), err=True
    )


@click.group()
def tagger() -> None:
    """Train or inspect the harm tagger."""


@tagger.command()
@click.option("--corpus", "corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Default: packaged model."
)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--epochs", default=None, type=click.IntRange(1, 200), help="Default: the training default.")
@click.option(
    "--folds",
    default=None,
    type=click.IntRange(0, 10),
    callback=lambda _ctx, _param, value: _calibration_folds(value),
    help="Out-of-fold models the thresholds are calibrated on (default 4; 0: thresholds stay 0.5).",
)
@click.option(
    "--encoder/--no-encoder",
    default=True,
    show_default=True,
    help="Also train the sentence-embedding classifier (more accurate, ~5x slower on harmful prompts); "
    "--no-encoder gives a bag-of-words-only model.",
)
@click.option(
    "--consult-at",
    default=None,
    type=click.FloatRange(0.0, 1.0),
    help="Bag-of-words score from which the encoder is consulted (default 0.3; 0.2 gains recall on unfamiliar "
    "wordings at ~15% less throughput; 0 with --head-weight 1: the head reads every prompt and decides).",
)
@click.option(
    "--head-weight",
    default=None,
    type=click.FloatRange(0.0, 1.0),
    help="Share of the embedding classifier in the blended scores (default 0.6).",
)
def train(
    corpus_dir: Path | None,
    out_dir: Path | None,
    seed: int,
    epochs: int | None,
    folds: int | None,
    encoder: bool,
    consult_at: float | None,
    head_weight: float | None,
) -> None:
    """Train the classifiers on the committed corpus, calibrate thresholds, write the model."""
    from prefloop.curator.tagging import train as train_model
    from prefloop.curator.tagging.corpus import FOLDS
    from prefloop.curator.tagging.head import CONSULT_AT, HEAD_WEIGHT
    from prefloop.curator.tagging.tagger import DEFAULT_MODEL_DIR
    from prefloop.curator.tagging.training import DEFAULT_EPOCHS

    report = train_model(
        corpus_dir,
        out_dir or DEFAULT_MODEL_DIR,
        seed=seed,
        epochs=epochs or DEFAULT_EPOCHS,
        folds=FOLDS if folds is None else folds,
        encoder=encoder,
        consult_at=CONSULT_AT if consult_at is None else consult_at,
        weight=HEAD_WEIGHT if head_weight is None else head_weight,
        log=lambda m: click.echo(m, err=True),
    )
    click.echo(json.dumps(report.to_dict(), sort_keys=True))


@tagger.command("train-reader")
@click.option(
    "--base",
    "base_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Model to add the reader to. Default: the packaged model.",
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--corpus", "corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--fpr-margin",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="What the reader may add to the base model's rate of ordinary prompts flagged. Default: 0.",
)
def train_reader(
    base_dir: Path | None, out_dir: Path, corpus_dir: Path | None, seed: int, fpr_margin: float | None
) -> None:
    """Add the character n-gram injection reader to a trained model (calibrated out of source)."""
    from prefloop.curator.tagging.reader_training import READER_FPR_MARGIN
    from prefloop.curator.tagging.reader_training import train_reader as fit
    from prefloop.curator.tagging.tagger import DEFAULT_MODEL_DIR

    margin = READER_FPR_MARGIN if fpr_margin is None else fpr_margin
    report = fit(
        base_dir or DEFAULT_MODEL_DIR,
        out_dir,
        corpus_dir,
        seed,
        margin=margin,
        log=lambda m: click.echo(m, err=True),
    )
    click.echo(json.dumps(report, sort_keys=True))
