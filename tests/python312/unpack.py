"""Unpack the CPython tree that the Go module github.com/kluctl/go-embed-python carries for one platform.

The module holds a python-build-standalone build as plain files plus `files.json`, which lists every entry with
its permission bits, symlink target, and whether it is stored gzip-compressed (as `<name>.gz`). This restores the
tree as the build made it:

    python tests/python312/unpack.py MODULE_DATA_DIR TARGET_DIR

MODULE_DATA_DIR is `<module>/python/internal/data/linux-amd64`; TARGET_DIR must not exist yet.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path, PurePosixPath

GO_MODE_DIR = 1 << 31  # io/fs.ModeDir in the `perm` field written by Go


def entry_path(target: Path, name: str) -> Path:
    """The entry's place under target; a name that would climb out of it is refused."""
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"files.json names {name!r}, which is outside the tree")
    return target.joinpath(*relative.parts)


def unpack(source: Path, target: Path) -> int:
    listing = json.loads((source / "files.json").read_text(encoding="utf-8"))
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    count = 0
    for entry in listing["files"]:
        path = entry_path(staging, entry["name"])
        mode = int(entry["perm"])
        if "symlink" in entry:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(entry["symlink"])
        elif mode & GO_MODE_DIR:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            stored = entry_path(source, entry["name"])
            if entry.get("compressed"):
                with gzip.open(stored.with_name(stored.name + ".gz")) as compressed, path.open("wb") as out:
                    shutil.copyfileobj(compressed, out)
            else:
                shutil.copyfile(stored, path)
            path.chmod(mode & 0o777)
            count += 1
    staging.rename(target)  # all or nothing: a half-unpacked tree is never taken for a complete one
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(argv[1]), Path(argv[2])
    if not (source / "files.json").is_file():
        print(
            f"unpack: {source} has no files.json: is it the module's python/internal/data/<platform>?",
            file=sys.stderr,
        )
        return 2
    if target.exists():
        print(f"unpack: {target} exists already: remove it first", file=sys.stderr)
        return 2
    print(f"unpacked {unpack(source, target)} files into {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
