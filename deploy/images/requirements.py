"""Print the requirements of prefloop's image (the core plus the curator and slackbot extras), one per line,
from pyproject.toml: the image installs its dependencies in a layer of their own, before the source.

    python3 deploy/images/requirements.py pyproject.toml [extra ...]   (default extras: curator slackbot)
"""

from __future__ import annotations

import re
import sys
import tomllib


def requirements(pyproject: str, extras: list[str]) -> list[str]:
    with open(pyproject, "rb") as f:
        project = tomllib.load(f)["project"]
    name = project["name"]
    optional = project.get("optional-dependencies", {})
    out: list[str] = list(project.get("dependencies", []))
    seen: set[str] = set()
    todo = list(extras)
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for req in optional[extra]:
            own = re.fullmatch(rf"{re.escape(name)}\[([^\]]+)\]", req.replace(" ", ""))
            if own:  # "prefloop[curator]": another extra of this project
                todo.extend(own.group(1).split(","))
            else:
                out.append(req)
    return sorted(set(out), key=str.lower)


if __name__ == "__main__":
    args = sys.argv[1:] or ["pyproject.toml"]
    print("\n".join(requirements(args[0], args[1:] or ["curator", "slackbot"])))
