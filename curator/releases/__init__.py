"""Monthly dataset releases: build (splits, gates, card, manifest, changelog), erasure, scheduler, hub push.

Heavy libraries (``datasets``, ``matplotlib``, ``apscheduler``, ``huggingface_hub``) are imported only when a
build, a schedule or a push runs.
"""

from __future__ import annotations

from prefloop.curator.releases.build import BuildOptions, BuildResult, build_release, release_dir_name
from prefloop.curator.releases.erasure import ErasureResult, forget_user
from prefloop.curator.releases.errors import GateFailedError, ReleaseExistsError, ReleaseInputError
from prefloop.curator.releases.gates import GATE_NAMES, GatePolicy
from prefloop.curator.releases.records import pin_eval
from prefloop.curator.releases.splits import SPLITS, split_for

__all__ = [
    "GATE_NAMES",
    "SPLITS",
    "BuildOptions",
    "BuildResult",
    "ErasureResult",
    "GateFailedError",
    "GatePolicy",
    "ReleaseExistsError",
    "ReleaseInputError",
    "build_release",
    "forget_user",
    "pin_eval",
    "release_dir_name",
    "split_for",
]
