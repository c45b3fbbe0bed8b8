"""Write the JSON Schema files in ``schemas/json/`` from the models: ``python -m prefloop.schemas.export``.

``tests/unit/test_schemas.py`` fails when the committed files and the code disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from prefloop.schemas.events import EVENT_TYPES, SCHEMA_VERSION
from prefloop.schemas.records import PairRecord, ReleaseManifest, VoteRecord

__all__ = ["JSON_DIR", "render_all"]

JSON_DIR = Path(__file__).parent / "json"


def _schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://prefloop.dev/schemas/{name}.v{SCHEMA_VERSION}.json"
    return schema


def render_all() -> dict[str, str]:
    """File name -> file text, for every contract."""
    models: dict[str, type[BaseModel]] = {f"event.{k}": v for k, v in EVENT_TYPES.items()}
    models.update({"pair": PairRecord, "vote": VoteRecord, "release_manifest": ReleaseManifest})
    return {
        f"{name}.v{SCHEMA_VERSION}.json": json.dumps(_schema(model, name), indent=2, sort_keys=True) + "\n"
        for name, model in sorted(models.items())
    }


def main() -> int:
    JSON_DIR.mkdir(exist_ok=True)
    for name, text in render_all().items():
        (JSON_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote schemas/json/{name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
