"""`--push-to-hub`: the release folder reaches a hub through huggingface_hub's HTTP API.

The hub is not reachable here, so a small local stand-in answers the endpoints ``create_repo`` and
``upload_folder`` call (repo creation, preupload, NDJSON commit). It answers "regular" upload mode for every
file; the real hub's LFS/Xet path for large files is not exercised here.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from prefloop.curator.releases import BuildOptions, GatePolicy, build_release
from prefloop.curator.releases.hub import push_to_hub
from prefloop.curator.store import Store
from tests.unit.release_factories import SmallTaxonomy, add_pairs


class _Hub:
    def __init__(self) -> None:
        self.repos: dict[str, dict[str, bytes]] = {}
        self.unknown: list[str] = []
        self.commits: list[dict[str, object]] = []
        self.validated: list[object] = []


def _handler(hub: _Hub, base: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _body(self) -> bytes:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            return gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw

        def _json(self, status: int, data: object) -> None:
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")
            body = self._body()
            if parts[:2] == ["api", "validate-yaml"]:
                content = json.loads(body)["content"]
                header = yaml.safe_load(content.split("---")[1]) if content.startswith("---") else None
                hub.validated.append(header)
                if not isinstance(header, dict) or "license" not in header:
                    return self._json(400, {"errors": [{"message": "no license in the card"}]})
                return self._json(200, {"errors": [], "warnings": []})
            if parts[:3] == ["api", "repos", "create"]:
                data = json.loads(body)
                repo = f"{data['organization']}/{data['name']}" if data.get("organization") else data["name"]
                hub.repos.setdefault(repo, {})
                return self._json(200, {"url": f"{base[0]}/datasets/{repo}", "name": repo, "id": repo})
            if parts[:2] == ["api", "datasets"] and parts[4] == "preupload":
                files = json.loads(body)["files"]
                return self._json(
                    200,
                    {
                        "files": [
                            {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files
                        ]
                    },
                )
            if parts[:2] == ["api", "datasets"] and parts[4] == "commit":
                repo = f"{parts[2]}/{parts[3]}"
                for line in body.decode().splitlines():
                    item = json.loads(line)
                    if item["key"] == "header":
                        hub.commits.append(item["value"])
                    elif item["key"] == "file":
                        hub.repos[repo][item["value"]["path"]] = base64.b64decode(item["value"]["content"])
                return self._json(
                    200, {"commitUrl": f"{base[0]}/datasets/{repo}/commit/0001", "commitOid": "0" * 40}
                )
            hub.unknown.append(f"POST {self.path}")
            return self._json(404, {"error": "not in the stand-in"})

        def do_GET(self) -> None:
            hub.unknown.append(f"GET {self.path}")
            self._json(404, {"error": "not in the stand-in"})

    return Handler


@pytest.fixture()
def hub() -> Iterator[tuple[_Hub, str]]:
    state, base = _Hub(), [""]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, base))
    base[0] = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, base[0]
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_push_uploads_every_file_of_a_built_release(
    hub: tuple[_Hub, str], store: Store, tmp_path: Path
) -> None:
    state, endpoint = hub
    add_pairs(store, 6)
    opts = BuildOptions(
        month="2026-10", root=tmp_path, progress=False, policy=GatePolicy(min_pairs_warning=1)
    )
    release = build_release(store, opts, taxonomy=SmallTaxonomy())
    url = push_to_hub(release.path, "prefloop/prefs", endpoint=endpoint, token="hf_test")
    assert url.endswith("/datasets/prefloop/prefs/commit/0001")
    uploaded = state.repos["prefloop/prefs"]
    manifest = json.loads(uploaded["manifest.json"])
    assert {f["path"] for f in manifest["files"]} | {"manifest.json"} == set(uploaded)
    for f in manifest["files"]:
        assert hashlib.sha256(uploaded[f["path"]]).hexdigest() == f["sha256"]
    assert state.validated and state.validated[0]["configs"][0]["config_name"] == "default"  # type: ignore[index]
    assert state.commits[0]["summary"] == "release 2026-10"
    assert state.unknown == []


def test_push_refused_card_is_an_error(hub: tuple[_Hub, str], tmp_path: Path) -> None:
    _, endpoint = hub
    (tmp_path / "rel").mkdir()
    (tmp_path / "rel" / "README.md").write_text("---\npretty_name: x\n---\n# no license\n")
    with pytest.raises(ValueError, match="no license in the card"):
        push_to_hub(tmp_path / "rel", "prefloop/prefs", endpoint=endpoint, token="hf_test")
