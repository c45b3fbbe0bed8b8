"""`prefloop scrub --in in.jsonl --out out.jsonl [--field text]`: add `scrubbed` and `pii` to every line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from prefloop.curator.cli.output import progress_wanted
from prefloop.curator.scrub import messages

__all__ = ["scrub"]


@click.command()
@click.option("--in", "src", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "dst", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--field", "field_name", default="text", show_default=True, help="JSON field holding the text.")
@click.option(
    "--on-error",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="fail: stop at the first bad line and write nothing; skip: leave bad lines out and list them.",
)
@click.option(
    "--processes", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--model", default=None, help="spaCy model name. Default: the PREFLOOP_SPACY_MODEL setting.")
@click.option(
    "--recognizers",
    "recognizers_yaml",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML recognizer registry (see prefloop.curator.scrub.registry). Default: the built-in set.",
)
@click.option("--no-progress", is_flag=True, help="Do not draw the progress bar.")
@click.pass_context
def scrub(
    ctx: click.Context,
    src: Path,
    dst: Path,
    field_name: str,
    on_error: str,
    processes: int,
    batch_size: int,
    model: str | None,
    recognizers_yaml: Path | None,
    no_progress: bool,
) -> None:
    """Scrub PII from FIELD of every JSON line: adds `scrubbed` (text with [TYPE_n] placeholders) and `pii`
    (a list of {"type", "start", "end"} offsets into the original field).

    Lines keep their order. A line that is not a JSON object or lacks a string FIELD stops the run with its
    line number (--on-error fail, the default; nothing is written) or is skipped and listed (--on-error skip).
    """
    from tqdm import tqdm

    from prefloop.curator.scrub import ScrubError
    from prefloop.curator.scrub.engine import DEFAULT_MODEL
    from prefloop.curator.scrub.jsonl import scrub_jsonl

    model_name = model or getattr(ctx.obj, "spacy_model", None) or DEFAULT_MODEL
    with src.open("rb") as handle:
        total = sum(1 for _ in handle)
    with tqdm(
        total=total,
        unit="line",
        desc=messages.CLI_PROGRESS,
        file=sys.stderr,
        disable=not progress_wanted(no_progress),
    ) as bar:
        try:
            report = scrub_jsonl(
                src,
                dst,
                field_name=field_name,
                on_error="skip" if on_error == "skip" else "fail",
                processes=processes,
                batch_size=batch_size,
                model=model_name,
                recognizers_yaml=recognizers_yaml,
                on_progress=bar.update,
                on_skip=lambda error: bar.write(
                    messages.CLI_SKIPPED_LINE.format(line=error.line_number, reason=error.reason),
                    file=sys.stderr,
                ),
            )
        except ScrubError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        messages.CLI_SUMMARY.format(
            written=report.written, out=dst, skipped=len(report.skipped), spans=report.spans
        ),
        err=True,
    )
    if report.skipped:
        lines = ", ".join(str(error.line_number) for error in report.skipped[:50])
        more = f" (+{len(report.skipped) - 50} more)" if len(report.skipped) > 50 else ""
        click.echo(messages.CLI_SKIPPED_SUMMARY.format(lines=lines + more), err=True)
