"""A throw-away Kafka broker with a SASL_SSL listener, for the managed-Kafka tests: the same 4.1.2 jars as
deploy/local/kafka, its own ports and data directory, a CA made here with openssl, a SCRAM user created with
Kafka's own tool (kafka.admin.ConfigCommand), and mutual TLS (the client must show a certificate of the CA).

Listeners (all on 127.0.0.1): INTERNAL (PLAINTEXT, broker-to-broker and the admin tool), SECURE (SASL_SSL, what
prefloop's clients use), CONTROLLER.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SecureBroker", "make_pki"]

ROOT = Path(__file__).resolve().parents[2]
KAFKA_VERSION = "4.1.2"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_pki(directory: Path) -> dict[str, Path]:
    """A self-signed CA, a server certificate for 127.0.0.1/localhost and a client certificate, all PEM."""
    directory.mkdir(parents=True, exist_ok=True)
    d = directory
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=prefloop-test-ca", cwd=d)  # fmt: skip
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    (d / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for who in ("server", "client"):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{who}.key", "-out", f"{who}.csr",
                 "-subj", f"/CN=prefloop-test-{who}", cwd=d)  # fmt: skip
        _openssl("x509", "-req", "-in", f"{who}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{who}.pem", "-days", "2", "-extfile", f"{who}.ext", cwd=d)  # fmt: skip
    # the broker's PEM keystore: its (PKCS#8, unencrypted) key and its certificate in one file
    (d / "broker-keystore.pem").write_text((d / "server.key").read_text() + (d / "server.pem").read_text())
    return {"ca": d / "ca.pem", "client_cert": d / "client.pem", "client_key": d / "client.key"}


@dataclass
class SecureBroker:
    """``start()`` it, use :attr:`bootstrap` with :meth:`client_options`, ``stop()`` it."""

    workdir: Path
    user: str = "prefloop"
    password: str = "scram-secret-4b1f"

    def __post_init__(self) -> None:
        self.internal, self.secure, self.controller = _free_port(), _free_port(), _free_port()
        self.lib = ROOT / ".cache" / "kafka" / KAFKA_VERSION / "lib"
        self.proc: subprocess.Popen[bytes] | None = None
        self.pki: dict[str, Path] = {}

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.secure}"

    @property
    def plaintext_bootstrap(self) -> str:
        return f"127.0.0.1:{self.internal}"

    def client_options(self, mechanism: str = "SCRAM-SHA-512", **overrides: Any) -> dict[str, Any]:
        """kafka-python settings for the SASL_SSL listener (what goes into PREFLOOP_KAFKA_OPTIONS)."""
        return {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": mechanism,
            "sasl_plain_username": self.user,
            "sasl_plain_password": self.password,
            "ssl_cafile": str(self.pki["ca"]),
            "ssl_certfile": str(self.pki["client_cert"]),
            "ssl_keyfile": str(self.pki["client_key"]),
            **overrides,
        }

    def _java(self, *args: str) -> list[str]:
        return [
            "java",
            "-cp",
            f"{self.lib}/*",
            f"-Dlog4j2.configurationFile={self.workdir / 'log4j2.xml'}",
            *args,
        ]

    def _write_config(self) -> Path:
        w = self.workdir
        jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        props = w / "server.properties"
        props.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{self.controller}",
                    "controller.listener.names=CONTROLLER",
                    f"listeners=INTERNAL://127.0.0.1:{self.internal},SECURE://127.0.0.1:{self.secure},"
                    f"CONTROLLER://127.0.0.1:{self.controller}",
                    f"advertised.listeners=INTERNAL://127.0.0.1:{self.internal},SECURE://127.0.0.1:{self.secure}",
                    "inter.broker.listener.name=INTERNAL",
                    "listener.security.protocol.map=INTERNAL:PLAINTEXT,SECURE:SASL_SSL,CONTROLLER:PLAINTEXT",
                    "listener.name.secure.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512",
                    f"listener.name.secure.scram-sha-256.sasl.jaas.config={jaas}",
                    f"listener.name.secure.scram-sha-512.sasl.jaas.config={jaas}",
                    "listener.name.secure.ssl.keystore.type=PEM",
                    f"listener.name.secure.ssl.keystore.location={w / 'pki' / 'broker-keystore.pem'}",
                    "listener.name.secure.ssl.truststore.type=PEM",
                    f"listener.name.secure.ssl.truststore.location={self.pki['ca']}",
                    "listener.name.secure.ssl.client.auth=required",
                    f"log.dirs={w / 'data'}",
                    "num.partitions=1",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "",
                ]
            )
        )
        (w / "log4j2.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><Configuration status="WARN"><Appenders>'
            '<Console name="o" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console>'
            '</Appenders><Loggers><Root level="INFO"><AppenderRef ref="o"/></Root></Loggers></Configuration>'
        )
        return props

    def start(self, timeout: float = 120.0) -> SecureBroker:
        subprocess.run([str(ROOT / "deploy" / "local" / "kafka"), "fetch"], check=True, capture_output=True)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.pki = make_pki(self.workdir / "pki")
        props = self._write_config()
        uuid = subprocess.run(
            self._java("kafka.tools.StorageTool", "random-uuid"),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        subprocess.run(
            self._java("kafka.tools.StorageTool", "format", "-t", uuid.stdout.split()[-1], "-c", str(props)),
            check=True,
            capture_output=True,
            timeout=120,
        )
        with (self.workdir / "server.log").open("wb") as log:
            self.proc = subprocess.Popen(
                self._java("-Xmx384m", "kafka.Kafka", str(props)),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + timeout
            while "Kafka Server started" not in self.log():
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the SASL_SSL broker did not start:\n{self.log()[-3000:]}")
                time.sleep(0.2)
            for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):  # one credential per request
                self._add_scram_user(mechanism)
        except BaseException:
            self.stop()
            raise
        return self

    def _add_scram_user(self, mechanism: str) -> None:
        creds = f"{mechanism}=[iterations=4096,password={self.password}]"
        done = subprocess.run(
            self._java(
                "kafka.admin.ConfigCommand",
                "--bootstrap-server",
                self.plaintext_bootstrap,
                "--alter",
                "--add-config",
                creds,
                "--entity-type",
                "users",
                "--entity-name",
                self.user,
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"kafka.admin.ConfigCommand could not add the SCRAM user:\n{done.stdout}{done.stderr}"
            )

    def log(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
