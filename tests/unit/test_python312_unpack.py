"""The unpacker behind tests/python312/run restores a go-embed-python tree exactly, or nothing at all."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "python312_unpack", Path(__file__).resolve().parents[1] / "python312" / "unpack.py"
)
assert _SPEC is not None and _SPEC.loader is not None
unpack_module = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(unpack_module)

DIR = 1 << 31


def _module_tree(root: Path, files: list[dict[str, object]], contents: dict[str, bytes]) -> Path:
    root.mkdir()
    for name, data in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "files.json").write_text(json.dumps({"contentHash": "x", "files": files}))
    return root


def test_a_tree_comes_back_with_its_modes_symlinks_and_compressed_files(tmp_path: Path) -> None:
    interpreter = b"\x7fELF pretend interpreter" * 100
    source = _module_tree(
        tmp_path / "module",
        [
            {"name": "bin", "size": 0, "perm": DIR | 0o755},
            {"name": "bin/python3.12", "size": len(interpreter), "perm": 0o755, "compressed": True},
            {"name": "bin/python3", "size": 10, "perm": 1 << 27, "symlink": "python3.12"},
            {"name": "lib", "size": 0, "perm": DIR | 0o755},
            {"name": "lib/os.py", "size": 7, "perm": 0o644},
        ],
        {"bin/python3.12.gz": gzip.compress(interpreter), "lib/os.py": b"import\n"},
    )
    target = tmp_path / "python"

    assert unpack_module.unpack(source, target) == 2

    assert (target / "bin" / "python3.12").read_bytes() == interpreter
    assert os.stat(target / "bin" / "python3.12").st_mode & 0o777 == 0o755
    assert os.readlink(target / "bin" / "python3") == "python3.12"
    assert (target / "lib" / "os.py").read_bytes() == b"import\n"
    assert os.stat(target / "lib" / "os.py").st_mode & 0o777 == 0o644
    assert not (tmp_path / "python.partial").exists()


@pytest.mark.parametrize("name", ["../escape.py", "/etc/passwd", "lib/../../escape.py"])
def test_a_name_outside_the_tree_is_refused_and_nothing_is_left_as_complete(
    tmp_path: Path, name: str
) -> None:
    source = _module_tree(tmp_path / "module", [{"name": name, "size": 1, "perm": 0o644}], {"lib/x.py": b"x"})
    target = tmp_path / "python"

    with pytest.raises(ValueError, match="outside the tree"):
        unpack_module.unpack(source, target)

    assert not target.exists()
    assert not (tmp_path / "escape.py").exists()


def test_the_command_line_refuses_a_folder_without_a_listing_and_an_existing_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert unpack_module.main(["unpack.py", str(tmp_path), str(tmp_path / "python")]) == 2
    assert "has no files.json" in capsys.readouterr().err

    source = _module_tree(tmp_path / "module", [], {})
    (tmp_path / "python").mkdir()
    assert unpack_module.main(["unpack.py", str(source), str(tmp_path / "python")]) == 2
    assert "exists already" in capsys.readouterr().err
