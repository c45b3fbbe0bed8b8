"""The distribution's import names: every package folder is shipped under ``prefloop.``, nothing at the top."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("capture", "curator", "schemas", "slackbot")


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_folder_is_listed_under_the_prefloop_namespace() -> None:
    on_disk = {
        "prefloop." + ".".join(init.parent.relative_to(ROOT).parts)
        for folder in FOLDERS
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert set(_setuptools()["packages"]) == on_disk


def test_the_four_folders_map_to_prefloop_names_and_nothing_installs_at_the_top_level() -> None:
    config = _setuptools()
    assert config["package-dir"] == {f"prefloop.{f}": f for f in FOLDERS}
    assert all(name.startswith("prefloop.") for name in config["packages"])


def test_each_package_is_marked_typed() -> None:
    assert all((ROOT / folder / "py.typed").is_file() for folder in FOLDERS)


def test_imports_resolve_to_the_checkout_folders() -> None:
    import prefloop.capture
    import prefloop.curator
    import prefloop.schemas
    import prefloop.slackbot

    for module, folder in (
        (prefloop.capture, "capture"),
        (prefloop.curator, "curator"),
        (prefloop.schemas, "schemas"),
        (prefloop.slackbot, "slackbot"),
    ):
        assert Path(module.__file__ or "").parent == ROOT / folder
