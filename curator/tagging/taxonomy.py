"""The harm taxonomy as data: tactics x hazards, loaded from YAML (``taxonomy.yaml`` by default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from prefloop.curator.tagging import messages
from prefloop.curator.tagging.errors import TaxonomyError

__all__ = ["DEFAULT_TAXONOMY_PATH", "Category", "Subcategory", "Taxonomy"]

DEFAULT_TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yaml")


@dataclass(frozen=True)
class Subcategory:
    name: str
    description: str = ""


@dataclass(frozen=True)
class Category:
    """A tactic or a hazard. ``target_share`` is the (min, max) share of a release that should carry it."""

    name: str
    description: str
    subcategories: tuple[Subcategory, ...] = ()
    examples: tuple[str, ...] = ()
    target_share: tuple[float, float] = (0.0, 1.0)
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Taxonomy:
    tactics: tuple[Category, ...]
    hazards: tuple[Category, ...]
    version: int = 1
    path: str = ""

    @property
    def tactic_names(self) -> list[str]:
        return [c.name for c in self.tactics]

    @property
    def hazard_names(self) -> list[str]:
        return [c.name for c in self.hazards]

    def get(self, name: str) -> Category:
        for cat in (*self.tactics, *self.hazards):
            if cat.name == name:
                return cat
        raise KeyError(name)

    def codes_for(self, hazards: Sequence[str]) -> dict[str, list[str]]:
        """The interoperable codes of ``hazards`` per standard (``ailuminate``: MLCommons AILuminate v1.0 hazard codes,
        ``llama_guard``: Llama Guard 3 categories), each list de-duplicated in hazard order. Every standard named
        anywhere in the taxonomy is a key, with an empty list when no hazard maps to it. Names the taxonomy does not
        know (a hazard since removed) have no codes."""
        standards = sorted({std for cat in self.hazards for std in cat.codes})
        out: dict[str, list[str]] = {std: [] for std in standards}
        known = {cat.name: cat for cat in self.hazards}
        for name in hazards:
            for std, codes in (known[name].codes if name in known else {}).items():
                out[std].extend(c for c in codes if c not in out[std])
        return out

    def target_ranges(self) -> dict[str, dict[str, tuple[float, float]]]:
        """``{"tactics": {name: (min, max)}, "hazards": {...}}`` — what coverage reports compare against."""
        return {
            "tactics": {c.name: c.target_share for c in self.tactics},
            "hazards": {c.name: c.target_share for c in self.hazards},
        }

    @classmethod
    def load(cls, path: Path | str | None = None) -> Taxonomy:
        """Read and validate a taxonomy YAML file (default: the packaged ``taxonomy.yaml``)."""
        p = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
        if not p.is_file():
            raise TaxonomyError(messages.TAXONOMY_MISSING.format(path=p), value=str(p))
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise TaxonomyError(messages.TAXONOMY_INVALID.format(path=p, reason=exc), value=str(p)) from exc
        if not isinstance(data, dict):
            raise TaxonomyError(
                messages.TAXONOMY_INVALID.format(path=p, reason="top level is not a mapping"), str(p)
            )
        tactics = tuple(_category(p, raw) for raw in _list(p, data, "tactics"))
        hazards = tuple(_category(p, raw) for raw in _list(p, data, "hazards"))
        names = [c.name for c in (*tactics, *hazards)]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise TaxonomyError(
                messages.TAXONOMY_INVALID.format(path=p, reason=f"duplicate names {dupes}"), dupes
            )
        return cls(tactics=tactics, hazards=hazards, version=int(data.get("version", 1)), path=str(p))


def _list(path: Path, data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise TaxonomyError(
            messages.TAXONOMY_INVALID.format(path=path, reason=f"'{key}' must be a non-empty list"), key
        )
    return value


def _category(path: Path, raw: Any) -> Category:
    def bad(reason: str) -> TaxonomyError:
        return TaxonomyError(messages.TAXONOMY_INVALID.format(path=path, reason=reason), raw)

    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise bad(f"every category needs a 'name', got {raw!r}")
    name = raw["name"]
    share = raw.get("target_share", [0.0, 1.0])
    if (
        not isinstance(share, list)
        or len(share) != 2
        or not all(isinstance(x, (int, float)) for x in share)
        or not 0 <= share[0] <= share[1] <= 1
    ):
        raise bad(f"{name}: target_share must be [min, max] with 0 <= min <= max <= 1, got {share!r}")
    subs = []
    for sub in raw.get("subcategories") or []:
        if not isinstance(sub, dict) or not isinstance(sub.get("name"), str):
            raise bad(f"{name}: each subcategory needs a 'name', got {sub!r}")
        subs.append(Subcategory(sub["name"], str(sub.get("description", ""))))
    codes_raw = raw.get("codes") or {}
    if not isinstance(codes_raw, dict):
        raise bad(f"{name}: codes must be a mapping like {{llama_guard: [S1], ailuminate: [vcr]}}")
    codes = {str(k): tuple(str(c) for c in (v or [])) for k, v in codes_raw.items()}
    return Category(
        name=name,
        description=str(raw.get("description", "")).strip(),
        subcategories=tuple(subs),
        examples=tuple(str(e) for e in raw.get("examples") or []),
        target_share=(float(share[0]), float(share[1])),
        codes=codes,
    )
