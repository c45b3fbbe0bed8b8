"""Kubernetes service-link variables: recognised so that the strict settings check does not refuse them.

With service links on (Kubernetes' default), every pod gets, for every Service of its namespace, variables named
after the Service. A Service ``prefloop-slackbot`` with a port named ``http`` (port 80) injects::

    PREFLOOP_SLACKBOT_SERVICE_HOST=10.0.0.11
    PREFLOOP_SLACKBOT_SERVICE_PORT=80
    PREFLOOP_SLACKBOT_SERVICE_PORT_HTTP=80
    PREFLOOP_SLACKBOT_PORT=tcp://10.0.0.11:80
    PREFLOOP_SLACKBOT_PORT_80_TCP=tcp://10.0.0.11:80
    PREFLOOP_SLACKBOT_PORT_80_TCP_PROTO=tcp
    PREFLOOP_SLACKBOT_PORT_80_TCP_PORT=80
    PREFLOOP_SLACKBOT_PORT_80_TCP_ADDR=10.0.0.11

Only these shapes are ignored: a ``PREFLOOP_<NAME>_PORT`` counts as a link only when its value is a
``tcp://``/``udp://``/``sctp://`` address, so a mistyped real setting (``PREFLOOP_SLACKBOT_PORT=3000``) is still
refused. The manifests also set ``enableServiceLinks: false``; this is the second line of defence.
"""

from __future__ import annotations

import re

__all__ = ["is_service_link", "looks_like_link_value"]

_NAME = r"[A-Z0-9_]+?"
#: names that are links whatever their value
_LINK_NAMES = re.compile(
    rf"^PREFLOOP_{_NAME}_(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT_\d+_(?:TCP|UDP|SCTP)(?:_PROTO|_PORT|_ADDR)?)$"
)
_PORT_NAME = re.compile(rf"^PREFLOOP_{_NAME}_PORT$")
_LINK_VALUE = re.compile(r"^(?:tcp|udp|sctp)://[^\s/]+:\d{1,5}$")


def looks_like_link_value(value: str) -> bool:
    """``tcp://10.0.0.11:80`` and the like: the value Kubernetes gives ``<SERVICE>_PORT``."""
    return bool(_LINK_VALUE.match(value.strip()))


def is_service_link(name: str, value: str) -> bool:
    """True when ``name=value`` has the shape of a variable Kubernetes injects for a Service."""
    if _LINK_NAMES.match(name):
        return True
    return bool(_PORT_NAME.match(name)) and looks_like_link_value(value)
