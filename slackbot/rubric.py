"""The review rubric: ordered criteria with a version, loaded from YAML (packaged ``rubric.yaml`` by default)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from prefloop.slackbot.errors import RubricError

__all__ = ["DEFAULT_RUBRIC", "Criterion", "Rubric", "load_rubric"]

DEFAULT_RUBRIC = Path(__file__).with_name("rubric.yaml")


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    question: str


@dataclass(frozen=True)
class Rubric:
    """Criteria in order of importance; ``version`` is recorded with every vote."""

    version: str
    criteria: tuple[Criterion, ...]

    @property
    def reason_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

    def label(self, reason_id: str | None) -> str:
        for c in self.criteria:
            if c.id == reason_id:
                return c.label
        return reason_id or "-"


def load_rubric(path: Path | str | None = None) -> Rubric:
    """Read a rubric file; raise :class:`RubricError` naming the file and the problem."""
    path = Path(path) if path else DEFAULT_RUBRIC
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RubricError(f"cannot read rubric {path}: {exc}", path=path) from exc
    if not isinstance(data, dict) or not data.get("version") or not isinstance(data.get("criteria"), list):
        raise RubricError(f"rubric {path} needs a `version` and a list of `criteria`", path=path)
    criteria: list[Criterion] = []
    for i, item in enumerate(data["criteria"]):
        if not isinstance(item, dict) or not item.get("id") or not item.get("label"):
            raise RubricError(f"rubric {path}: criterion #{i + 1} needs an `id` and a `label`", path=path)
        criteria.append(Criterion(str(item["id"]), str(item["label"]), str(item.get("question", ""))))
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        raise RubricError(f"rubric {path}: criterion ids must be unique, got {ids}", path=path)
    return Rubric(version=str(data["version"]), criteria=tuple(criteria))
