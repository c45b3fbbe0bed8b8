"""The distribution as an adopter gets it: sdist and wheel built outside the checkout, installed in a fresh venv.

The tree is copied out of the checkout *with* bytecode in every package folder (a tree that has run tests),
the sdist is built from the copy and the wheel from the unpacked sdist, as pip does. The wheel is installed
into a new virtualenv next to a host app that has its own ``schemas.py`` and ``curator.py``.

Speed: the new venv gets the wheel itself with ``--no-deps``; its dependencies come from the test interpreter's
site-packages (pinned by constraints.txt) through a plain path line in a ``.pth`` file, which does not run the
editable-install hook that lives there. So the check costs seconds and no index access, while everything that
is prefloop's own (files, metadata, entry point, import names, py.typed) comes from the wheel alone.
"""

from __future__ import annotations

import compileall
import email.parser
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("capture", "curator", "schemas", "slackbot")
#: what never belongs in a copy of a source tree, used or not: top-level work folders, tool caches anywhere
_TOP_LEVEL_WORK = {".git", ".venv", "var", ".cache", "releases", "build", "dist"}
_TOOL_CACHES = shutil.ignore_patterns("*.egg-info", ".*_cache", ".hypothesis")


def _not_source(folder: str, names: list[str]) -> set[str]:
    top = set(names) & _TOP_LEVEL_WORK if Path(folder) == ROOT else set()
    return top | set(_TOOL_CACHES(folder, names))


_BUILD = "import sys; from setuptools import build_meta as b; print(getattr(b, sys.argv[1])(sys.argv[2]))"


def _run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _bytecode(names: list[str]) -> list[str]:
    return [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]


def _build(hook: str, out: Path, source: Path) -> Path:
    """Run setuptools' PEP 517 ``hook`` in ``source`` (no isolation: the test venv's pinned setuptools)."""
    return out / _run(sys.executable, "-c", _BUILD, hook, out, cwd=source).strip().splitlines()[-1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """{"tree", "sdist", "wheel"}: a used copy of the checkout and what it builds into."""
    work = tmp_path_factory.mktemp("dist")
    tree = work / "tree"
    shutil.copytree(ROOT, tree, ignore=_not_source)
    for folder in (*FOLDERS, "tests"):  # every package folder holds bytecode, as after a test run
        assert compileall.compile_dir(tree / folder, quiet=2, force=True)
    sdist = _build("build_sdist", work, tree)
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    (unpacked,) = (work / "unpacked").iterdir()
    return {"tree": tree, "sdist": sdist, "wheel": _build("build_wheel", work / "wheel", unpacked)}


def test_the_sdist_carries_the_tests_licence_and_changelog_and_no_bytecode(dist: dict[str, Path]) -> None:
    with tarfile.open(dist["sdist"]) as archive:
        names = [n.split("/", 1)[1] for n in archive.getnames() if "/" in n]
    assert _bytecode(names) == []
    for expected in ("LICENSE", "CHANGELOG.md", "pyproject.toml", "constraints.txt", "tests/conftest.py"):
        assert expected in names
    shipped_tests = {n for n in names if n.startswith("tests/") and n.endswith(".py")}
    in_checkout = {
        str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("*.py") if "__pycache__" not in p.parts
    }
    assert in_checkout <= shipped_tests


def test_the_wheel_holds_every_source_and_data_file_of_the_four_folders_and_nothing_compiled(
    dist: dict[str, Path],
) -> None:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = wheel.namelist()
    assert _bytecode(names) == []
    shipped = {n for n in names if not n.startswith("prefloop-")}
    expected = {
        f"prefloop/{path.relative_to(dist['tree']).as_posix()}"
        for folder in FOLDERS
        for path in (dist["tree"] / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped == expected
    for data in (  # the data folders the tagger, the scrubber, the store and capture read at run time
        "prefloop/curator/tagging/model/meta.json",
        "prefloop/curator/tagging/minilm/tokenizer.json",
        "prefloop/curator/scrub/data/first_names.txt",
        "prefloop/curator/store/migrations/versions/0005_merge_heads.py",
        "prefloop/capture/static/prefloop.js",
        "prefloop/schemas/json/event.feedback.v1.json",
        *(f"prefloop/{folder}/py.typed" for folder in FOLDERS),
    ):
        assert data in shipped


def test_the_wheel_metadata_names_the_licence_pythons_and_urls(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        meta_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(wheel.read(meta_name).decode())
        licence = wheel.read(meta_name.replace("METADATA", "licenses/LICENSE")).decode()
    assert meta["License-Expression"] == "Apache-2.0"
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier") or []
    for minor in (11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert "Typing :: Typed" in classifiers
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Changelog"} <= set(urls)


@pytest.fixture(scope="module")
def venv(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with the wheel installed (dependencies: see the module doc)."""
    where = tmp_path_factory.mktemp("venv") / "env"
    _run(sys.executable, "-m", "venv", "--without-pip", where, cwd=where.parent)
    python = where / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=where))
    (Path(str(purelib).strip()) / "_prefloop_test_deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    pip = (sys.executable, "-m", "pip", "--python", python)
    _run(*pip, "install", "-q", "--no-deps", dist["wheel"], cwd=where)
    return where


@pytest.fixture(scope="module")
def host_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A host app whose own top-level modules are named like prefloop's folders."""
    app = tmp_path_factory.mktemp("hostapp")
    (app / "schemas.py").write_text("ORIGIN = 'the host app'\n", encoding="utf-8")
    (app / "curator.py").write_text("ORIGIN = 'the host app'\n", encoding="utf-8")
    (app / "app.py").write_text(
        textwrap.dedent(
            """\
            from __future__ import annotations

            import json

            import curator
            import schemas
            from flask import Flask

            import prefloop.capture
            from prefloop.capture import FeedbackCapture

            app = Flask(__name__)
            app.config.update(SECRET_KEY="host-secret", PREFLOOP_CAPTURE_SPOOL_DIR="spool")
            capture = FeedbackCapture(app, user_loader=lambda: "user-1")
            with app.test_request_context():
                token = capture.response_shown(
                    conversation_id="c1", context=[{"role": "user", "content": "hi"}], text="hello", model="m"
                )
            print(json.dumps({
                "schemas": schemas.ORIGIN,
                "curator": curator.ORIGIN,
                "capture_file": prefloop.capture.__file__,
                "token": bool(token),
            }))
            """
        ),
        encoding="utf-8",
    )
    return app


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFLOOP_", "PYTHON"))}


def test_capture_imports_next_to_a_host_apps_own_schemas_and_curator_modules(
    venv: Path, host_app: Path
) -> None:
    import json

    out = json.loads(_run(venv / "bin" / "python", "app.py", cwd=host_app, env=_clean_env()).splitlines()[-1])
    assert out["schemas"] == out["curator"] == "the host app"
    assert Path(out["capture_file"]).is_relative_to(venv)  # the wheel's copy, not the checkout
    assert out["token"]


def test_the_console_script_from_the_wheel_runs(venv: Path, host_app: Path) -> None:
    help_text = _run(venv / "bin" / "prefloop", "--help", cwd=host_app, env=_clean_env())
    assert "Usage: prefloop" in help_text and "doctor" in help_text and "Traceback" not in help_text
    assert "0.1.0" in _run(venv / "bin" / "prefloop", "--version", cwd=host_app, env=_clean_env())


def test_a_users_mypy_sees_feedback_capture_typed(venv: Path, host_app: Path, tmp_path: Path) -> None:
    (tmp_path / "mypy.ini").write_text(  # analyse prefloop itself; its own dependencies do not matter here
        "[mypy]\nfollow_imports = skip\n[mypy-prefloop.*]\nfollow_imports = normal\n", encoding="utf-8"
    )
    (host_app / "typed.py").write_text(
        "from prefloop.capture import FeedbackCapture\n\nreveal_type(FeedbackCapture())\n", encoding="utf-8"
    )
    mypy = Path(sys.executable).parent / "mypy"
    options = ("--config-file", tmp_path / "mypy.ini", "--cache-dir", tmp_path / "cache")
    out = _run(
        mypy,
        *options,
        "--python-executable",
        venv / "bin" / "python",
        "typed.py",
        cwd=host_app,
        env=_clean_env(),
    )
    assert 'Revealed type is "prefloop.capture.extension.FeedbackCapture"' in out, out
    assert "py.typed" not in out and "import-untyped" not in out
