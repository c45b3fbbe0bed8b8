"""The blueprint: JSON endpoints for feedback, regenerate, choice and edit; the browser helper; metrics.

Adapters only: read the body (bounded), ask the host for the user, hand both to ``CaptureCore.handle``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from prefloop.capture.core import CaptureCore, Reply, error_reply
from prefloop.capture.metrics import CONTENT_TYPE_LATEST
from prefloop.capture.settings import CaptureSettings

if TYPE_CHECKING:
    from prefloop.capture.extension import FeedbackCapture

__all__ = ["make_blueprint"]


def _json(reply: Reply) -> Response:
    return Response(reply.json(), status=reply.status, headers=reply.headers, mimetype="application/json")


#: The codes of errors raised around capture's views; any other status is ``http_error``.
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def make_blueprint(capture: FeedbackCapture, settings: CaptureSettings) -> Blueprint:
    bp = Blueprint("prefloop", __name__, static_folder="static", url_prefix=settings.url_prefix)
    limit = settings.max_body_bytes

    def core() -> CaptureCore:
        return current_app.extensions["prefloop"]

    def endpoint(kind: str) -> Response:
        c = core()
        size = request.content_length
        if size is not None and size > limit:
            return _json(c.too_large(size))
        raw = request.stream.read(limit + 1)
        if len(raw) > limit:
            return _json(c.too_large(len(raw)))
        try:
            user_id = capture.current_user_id()
        except Exception:
            current_app.logger.exception("prefloop capture: the user_loader failed")
            return _json(error_reply(503, "unavailable"))
        return _json(c.handle(kind, raw, user_id))

    for kind in ("feedback", "regenerate", "choice", "edit"):
        bp.add_url_rule(f"/{kind}", f"{kind}", lambda kind=kind: endpoint(kind), methods=["POST"])

    if settings.status_endpoint:

        @bp.get("/status")
        def status() -> Response:
            return Response(json.dumps(core().status()), mimetype="application/json")

    if settings.metrics_endpoint:

        @bp.get("/metrics")
        def metrics() -> Response:
            return Response(core().metrics.render(), mimetype=None, content_type=CONTENT_TYPE_LATEST)

    @bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def unknown(rest: str) -> Response:
        """Anything else under the prefix: a JSON 404 (not the host's HTML page)."""
        return _json(error_reply(404, "not_found"))

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Errors raised before a view answers (routing, a host's before_request hook, another extension):
        the status as it is, with a code that says which."""
        status = exc.code or 400
        code = _HTTP_CODES.get(status, "http_error")
        reason = (exc.description or exc.name or "").strip()
        return _json(error_reply(status, code, size="?", limit=limit, http_status=status, reason=reason))

    return bp
