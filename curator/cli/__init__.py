"""The ``prefloop`` command line.

Each area's commands live in their own module and are imported only when used, so ``prefloop --help`` stays
fast and a missing optional extra only breaks the commands that need it. Settings are loaded once here and
handed to commands through ``click``'s context (``ctx.obj``).
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from prefloop.schemas.errors import ConfigError, PrefloopError

__all__ = ["cli", "main"]

#: command name -> "module:attribute"; help text shown without importing the module.
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("prefloop.curator.cli.db:db", "Migrate or inspect the store."),
    "doctor": ("prefloop.curator.cli.doctor:doctor", "Check Kafka, the database and the spaCy model."),
    "curator": ("prefloop.curator.cli.curate:curator", "Run the curator (consume, store, pair, route)."),
    "ingest": ("prefloop.curator.cli.curate:ingest", "Load a file of v1 events through the ingest path."),
    "purge": ("prefloop.curator.cli.curate:purge", "Blank raw event text older than the retention period."),
    "pairs": ("prefloop.curator.cli.pairs:pairs", "List or export preference pairs."),
    "scrub": ("prefloop.curator.cli.scrub:scrub", "Scrub PII from a JSONL file."),
    "tag": ("prefloop.curator.cli.tagging:tag", "Tag prompts in a JSONL file with harm categories."),
    "tagger": ("prefloop.curator.cli.tagging:tagger", "Train the harm tagger."),
    "coverage": (
        "prefloop.curator.cli.coverage:coverage",
        "On-call: does each harm category have the data it needs?",
    ),
    "release": ("prefloop.curator.cli.releases:release", "Build monthly dataset releases."),
    "forget": ("prefloop.curator.cli.releases:forget", "Erase a user's events and pairs."),
    "pseudonym": (
        "prefloop.curator.cli.releases:pseudonym",
        "Print the pseudonym capture stores for a user id.",
    ),
    "scheduler": ("prefloop.curator.cli.releases:scheduler", "Run the monthly release scheduler."),
    "slackbot": ("prefloop.slackbot.cli:slackbot", "Run the Slack review bot."),
    "agreement": ("prefloop.slackbot.cli:agreement", "Reviewer agreement report."),
    "demo": ("prefloop.curator.cli.demo:demo", "Run the whole loop on embedded defaults."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, _help = COMMANDS[cmd_name]
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise click.ClickException(
                f"`prefloop {cmd_name}` needs {exc.name!r}, which is not installed: "
                "install prefloop with the extra for it, e.g. pip install 'prefloop[all]'"
            ) from exc
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(package_name="prefloop")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """prefloop: user feedback in, curated preference datasets out."""
    from prefloop.curator.settings import Settings

    settings = Settings.load()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = settings


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: prefloop errors become one clear line and a non-zero exit, not a traceback."""
    try:
        return cli.main(args=argv, prog_name="prefloop", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except ConfigError as exc:
        click.echo(f"prefloop: configuration error: {exc}", err=True)
        return 2
    except PrefloopError as exc:
        click.echo(f"prefloop: {exc}", err=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
