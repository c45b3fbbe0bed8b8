"""Capture's endpoints and Flask-WTF's ``CSRFProtect``: the blueprint is exempted automatically.

A CSRF token proves that a form was posted from the host's own pages. Capture's endpoints need no such proof:
every request carries the signed response token ``response_shown`` put in the page, which binds the user, the
conversation and the app, and a page on another origin cannot read it. With ``CSRFProtect`` on (common in Flask
apps) every click would otherwise be refused with 400 before it reached capture.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask

__all__ = ["exempt_from_csrf"]


def exempt_from_csrf(app: Flask, blueprint: Blueprint) -> None:
    """Exempt ``blueprint`` from Flask-WTF's ``CSRFProtect`` on ``app``, whether that is initialised before
    or after capture (it keeps itself in ``app.extensions["csrf"]``). Nothing happens without Flask-WTF."""
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        _exempt(csrf, blueprint)
        return

    # CSRFProtect.init_app, if it comes later, registers its own before_request hook after this one: this one
    # runs first and exempts the blueprint before the first check. It is needed for the first request only:
    # from then on Flask refuses setup methods (CSRFProtect.init_app's before_request included), so it takes
    # itself out of the hook list instead of costing every later request of the host a call.
    @app.before_request
    def _prefloop_csrf_exempt() -> None:
        found = app.extensions.get("csrf")
        if found is not None:
            _exempt(found, blueprint)
        _remove_hook(app, _prefloop_csrf_exempt)


def _remove_hook(app: Flask, hook: Callable[[], None]) -> None:
    """Take ``hook`` out of ``app``'s before_request hooks. The list is replaced (or its entry removed), not
    changed in place: Flask may be iterating over it in this very request (and in others)."""
    hooks = app.before_request_funcs.get(None)
    if hooks is not None and hook in hooks:
        rest = [f for f in hooks if f is not hook]
        if rest:
            app.before_request_funcs[None] = rest
        else:  # none left: no entry (Flask would still look up and loop over an empty list on every request)
            app.before_request_funcs.pop(None, None)


def _exempt(csrf: Any, blueprint: Blueprint) -> None:
    exempt = getattr(csrf, "exempt", None)
    if callable(exempt):
        exempt(blueprint)
