"""Build a recognizer set from YAML.

::

    defaults: true            # start from the built-in set (default true)
    disable: [person_cue]     # built-in names to leave out
    recognizers:
      - use: phone            # a built-in by name, with constructor options
        options: {regions: [US, GB]}
      - class: mypkg.recognizers:TicketIdRecognizer   # any Recognizer subclass, imported by path
      - name: employee_id     # a declarative pattern recognizer
        entity_type: SECRET
        pattern: '\\bEMP-\\d{6}\\b'
        score: 0.8
        context: [employee]
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import yaml

from prefloop.curator.scrub.errors import RecognizerConfigError
from prefloop.curator.scrub.recognizers import BUILTIN, PatternRecognizer, Recognizer, default_recognizers
from prefloop.curator.scrub.types import ENTITY_TYPES

__all__ = ["load_recognizers", "recognizers_from_config"]

_PATTERN_KEYS = {"name", "entity_type", "pattern", "score", "context", "min_score"}


def load_recognizers(path: str | Path) -> list[Recognizer]:
    """Read ``path`` (YAML, format in this module's docstring) and build its recognizers."""
    source = str(path)
    try:
        config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RecognizerConfigError(f"cannot read YAML ({exc})", value=source, source=source) from exc
    return recognizers_from_config(config, source=source)


def recognizers_from_config(config: Any, source: str = "") -> list[Recognizer]:
    """Build recognizers from an already-parsed mapping (see the module docstring)."""
    if not isinstance(config, dict):
        raise RecognizerConfigError("the top level must be a mapping", value=config, source=source)
    unknown = set(config) - {"defaults", "disable", "recognizers"}
    if unknown:
        raise RecognizerConfigError("unknown top-level keys", value=sorted(unknown), source=source)
    disabled = set(config.get("disable") or ())
    missing = disabled - set(BUILTIN)
    if missing:
        raise RecognizerConfigError("'disable' names unknown built-ins", value=sorted(missing), source=source)
    result = (
        [r for r in default_recognizers() if r.name not in disabled] if config.get("defaults", True) else []
    )
    for entry in config.get("recognizers") or ():
        recognizer = _build(entry, source)
        result = [r for r in result if r.name != recognizer.name] + [recognizer]
    return result


def _build(entry: Any, source: str) -> Recognizer:
    if not isinstance(entry, dict):
        raise RecognizerConfigError("each recognizer must be a mapping", value=entry, source=source)
    options = entry.get("options") or {}
    if not isinstance(options, dict):
        raise RecognizerConfigError("'options' must be a mapping", value=options, source=source)
    try:
        if "use" in entry:
            cls = BUILTIN.get(entry["use"])
            if cls is None:
                raise RecognizerConfigError(
                    f"unknown built-in (known: {', '.join(sorted(BUILTIN))})",
                    value=entry["use"],
                    source=source,
                )
            return cls(**options)
        if "class" in entry:
            return _import_class(entry["class"], source)(**options)
        return _pattern(entry, source)
    except TypeError as exc:
        raise RecognizerConfigError(f"bad options ({exc})", value=entry, source=source) from exc


def _import_class(dotted: str, source: str) -> type[Recognizer]:
    module_name, _, attribute = str(dotted).partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise RecognizerConfigError(f"cannot import ({exc})", value=dotted, source=source) from exc
    if not (isinstance(cls, type) and issubclass(cls, Recognizer)):
        raise RecognizerConfigError("not a Recognizer subclass", value=dotted, source=source)
    return cls


def _pattern(entry: dict[str, Any], source: str) -> Recognizer:
    unknown = set(entry) - _PATTERN_KEYS
    if unknown or not {"name", "entity_type", "pattern"} <= set(entry):
        raise RecognizerConfigError(
            "a pattern recognizer needs name, entity_type and pattern (and may set score, context, min_score)",
            value=entry,
            source=source,
        )
    if entry["entity_type"] not in ENTITY_TYPES:
        raise RecognizerConfigError(
            f"entity_type must be one of {', '.join(ENTITY_TYPES)}", value=entry["entity_type"], source=source
        )
    recognizer = PatternRecognizer(
        entry["name"],
        entity_type=entry["entity_type"],
        pattern=entry["pattern"],
        score=entry.get("score"),
        context=entry.get("context"),
        min_score=entry.get("min_score"),
    )
    try:
        recognizer.load()
    except Exception as exc:  # re.error and friends: report which entry is broken
        raise RecognizerConfigError(
            f"pattern does not compile ({exc})", value=entry["pattern"], source=source
        ) from exc
    return recognizer
