"""The ``prefloop`` command line.

Each area's commands live in their own module and are imported only when used, so ``prefloop --help`` stays
fast and a missing optional extra only breaks the commands that need it. Settings are loaded once here and
handed to commands through ``click``'s context (``ctx.obj``).

Every error leaves through :func:`main`: one line on stderr saying what to set or run, and the exit code of
:mod:`prefloop.curator.cli.exits` (a traceback only with ``--debug``).
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import click

from prefloop.curator.cli import exits, kafka_log
from prefloop.curator.cli import messages as msg
from prefloop.schemas.errors import ConfigError

__all__ = ["cli", "main"]

#: command name -> "module:attribute"; help text shown without importing the module.
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("prefloop.curator.cli.db:db", "Migrate or inspect the store."),
    "doctor": ("prefloop.curator.cli.doctor:doctor", "Check Kafka, the database and the spaCy model."),
    "health": ("prefloop.curator.cli.health:health", "Container health check: probe this role's /healthz."),
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
    "settings": (
        "prefloop.curator.cli.settings:settings",
        "List every setting with its value (secrets masked).",
    ),
}

#: libraries whose INFO lines an operator does not need (shown with --debug): migrations run, kafka-python's group
#: joins and connection opens (about 80 lines a curator start), matplotlib's font cache built on a first plot
QUIET_LOGGERS = ("alembic", "kafka", "matplotlib", "presidio-analyzer")


class _SlowTaskNoise(logging.Filter):
    """kafka-python 3 warns whenever one step of its network loop took over 0.1 s ("Task ... ran for 0.111s
    (>0.100s threshold). It is blocking the event loop"): on a busy host that is every few minutes, and nothing an
    operator can act on. Shown with --debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = str(record.msg)
        return not (text.startswith("Task ") and "threshold" in text)


_SLOW_TASK_NOISE = _SlowTaskNoise()


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
        except ModuleNotFoundError as exc:  # an installation short of an extra: exit 2, like configuration
            raise ConfigError(msg.MISSING_EXTRA.format(command=cmd_name, module=exc.name)) from exc
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(package_name="prefloop")
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read PREFLOOP_* settings from this file too (default: ./.env when it exists); the environment wins.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and every library's log lines (alembic's too).")
@click.pass_context
def cli(ctx: click.Context, env_file: Path | None, debug: bool) -> None:
    """prefloop: user feedback in, curated preference datasets out.

    Exit codes: 0 ok, 1 a check failed, 2 usage or configuration, 3 the database or Kafka did not answer.
    """
    from prefloop.curator.settings import Settings

    try:
        settings = Settings.load(env_file=env_file)
    except ConfigError:
        if ctx.obj is _HELP:  # `prefloop CMD --help` shows the help even while a setting is wrong
            return
        raise
    logging.basicConfig(
        level="DEBUG" if debug else settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not debug:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        logging.getLogger("kafka.net.selector").addFilter(_SLOW_TASK_NOISE)
        kafka_log.install()
    else:
        logging.getLogger("kafka.net.selector").removeFilter(_SLOW_TASK_NOISE)
        kafka_log.uninstall()
    ctx.obj = settings


#: ``ctx.obj`` before the settings load, when the arguments ask for a command's help
_HELP = object()


def _debug_requested(args: list[str]) -> bool:
    """``--debug`` among the group's own options (those before the command name)."""
    value_next = False
    for arg in args:
        if value_next:  # the value of the option before (a file may be named anything)
            value_next = False
            continue
        if arg == "--debug":
            return True
        if not arg.startswith("-"):
            return False  # the command name: what follows are its own arguments
        value_next = arg == "--env-file"
    return False


def _stop_on_sigterm(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: the exit code; any error becomes one line on stderr (see :mod:`.exits`)."""
    if threading.current_thread() is threading.main_thread():
        # As PID 1 of a container (compose, Kubernetes) a process ignores SIGTERM unless it handles it: stop as on
        # Ctrl-C. Long-running commands install their own graceful handlers over this one.
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        start = _HELP if "--help" in args else None
        result = cli.main(args=args, prog_name="prefloop", standalone_mode=False, obj=start)
        return result if isinstance(result, int) else exits.OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:  # a wrong flag or argument: click's usage line and hint, exit 2
        exc.show()
        return exc.exit_code
    except click.ClickException as exc:  # a command's own refusal: one line, exit 1
        click.echo(f"prefloop: {exc.format_message()}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo(f"prefloop: {msg.ABORTED}", err=True)
        return exits.CHECK_FAILED
    except KeyboardInterrupt:
        click.echo(f"prefloop: {msg.INTERRUPTED}", err=True)
        return exits.INTERRUPTED
    except Exception as exc:
        failed = exits.failure(exc)
        if _debug_requested(args):
            traceback.print_exc()
        click.echo(f"prefloop: {failed.line}", err=True)
        return failed.code


if __name__ == "__main__":
    sys.exit(main())
