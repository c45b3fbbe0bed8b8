"""What a release build is asked to do (:class:`BuildOptions`, usually from the settings), what it returns
(:class:`BuildResult`), and the name of a release's directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefloop.curator.releases.encoder_process import PROCESSES
from prefloop.curator.releases.gates import GatePolicy
from prefloop.schemas.records import ReleaseManifest

__all__ = ["BuildOptions", "BuildResult", "release_dir_name"]


@dataclass(frozen=True)
class BuildOptions:
    month: str
    root: Path = Path("releases")
    name: str = "prefloop-preferences"
    seed: int = 0
    test_share: float = 0.1
    license: str = "cc-by-4.0"
    policy: GatePolicy = field(default_factory=GatePolicy)
    overrides: tuple[str, ...] = ()
    progress: bool = True
    contact: str | None = None
    #: Paraphrase-level duplicates (see :mod:`prefloop.curator.releases.paraphrase`): a prompt that rewords an
    #: earlier one goes to that prompt's split, and is left out when that one is in the frozen evaluation set.
    #: Off by default (``PREFLOOP_RELEASE_PARAPHRASE``): on, a 1M-pair month costs ~60 more CPU-seconds (the
    #: candidates and ~3k encoder passes), and the 120 s goal is not shown met with it (docs/perf/release.md).
    paraphrase: bool = False
    #: Processes the sentence encoder runs in when ``paraphrase`` is on (each on one core; the vectors are the
    #: same whatever the number): two use the core the ordered pass leaves free while it waits for decisions.
    encoder_processes: int = PROCESSES

    @classmethod
    def from_settings(cls, settings: Any, month: str, root: Path | None = None, **kw: Any) -> BuildOptions:
        return cls(
            month=month,
            root=Path(root or settings.release_dir),
            name=settings.release_name,
            seed=settings.release_seed,
            test_share=settings.release_test_share,
            license=settings.release_license,
            contact=settings.release_contact,
            paraphrase=settings.release_paraphrase,
            **kw,
        )


@dataclass(frozen=True)
class BuildResult:
    name: str
    month: str
    revision: int
    path: Path
    manifest: ReleaseManifest
    report: dict[str, Any]
    #: Seconds per build phase (logged and returned, never written into the release).
    timings: dict[str, float] = field(default_factory=dict)


def release_dir_name(month: str, revision: int) -> str:
    """``2026-10`` for revision 1, ``2026-10-r2`` after."""
    return month if revision == 1 else f"{month}-r{revision}"
