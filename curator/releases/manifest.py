"""``manifest.json``: counts, every file's hash, code and schema versions, the previous release."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from prefloop.schemas.records import ReleaseFile, ReleaseManifest

__all__ = ["MANIFEST_NAME", "code_version", "file_entries", "write_manifest"]

MANIFEST_NAME = "manifest.json"


def code_version() -> str:
    try:
        return metadata.version("prefloop")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entries(root: Path) -> list[ReleaseFile]:
    """Every file under ``root`` except the manifest itself, sorted by path."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST_NAME)
    return [
        ReleaseFile(path=p.relative_to(root).as_posix(), sha256=_sha256(p), bytes=p.stat().st_size)
        for p in files
    ]


def write_manifest(root: Path, manifest: ReleaseManifest) -> Path:
    path = root / MANIFEST_NAME
    path.write_text(
        json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return path
