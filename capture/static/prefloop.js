/*! prefloop capture helper v1 — no build step, no dependencies.
 *
 * <script src="/prefloop/static/prefloop.js" data-prefloop-endpoint="/prefloop" defer></script>
 * (in a Jinja template: {{ prefloop_script() }})
 *
 * Markup (event delegation: elements added later work too):
 *   <div data-prefloop-token="{{ token }}">                         a response (token from response_shown)
 *     <button data-prefloop-vote="up">👍</button>                    click again to retract; the other to change
 *     <button data-prefloop-vote="down" data-prefloop-reason="incorrect">👎</button>
 *     <button data-prefloop-regenerate>Regenerate</button>
 *     <form data-prefloop-edit><textarea name="edited_text"></textarea><button>Save</button></form>
 *   </div>
 *   <div data-prefloop-choice data-prefloop-token-a="{{ a }}" data-prefloop-token-b="{{ b }}">
 *     <button data-prefloop-prefer="a">A is better</button> <button data-prefloop-prefer="b">B</button>
 *     <button data-prefloop-prefer="tie">Same</button>
 *   </div>
 *
 * Each click gets one idempotency key; retries (network errors, 429, 5xx) reuse it, so the server counts the
 * click once. Requests use fetch(keepalive) and, when the page is hidden or unloads, anything not yet
 * acknowledged is sent again with navigator.sendBeacon (same key). Results are dispatched as DOM events
 * "prefloop:sent" and "prefloop:error" (bubbling, detail = {kind, status, body}).
 */
(function () {
  "use strict";
  if (window.prefloop && window.prefloop.version) return;

  var script = document.currentScript;
  var endpoint = ((script && script.getAttribute("data-prefloop-endpoint")) || "/prefloop").replace(/\/+$/, "");
  var CLIENT = "prefloop.js/1";
  var MAX_ATTEMPTS = 6;
  var pending = {}; // idempotency key -> {kind, body}

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function emit(el, name, detail) {
    (el || document).dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail }));
  }

  function post(kind, body, attempt) {
    return fetch(endpoint + "/" + kind, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      keepalive: true
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        return { status: resp.status, body: data, retryAfter: Number(resp.headers.get("Retry-After")) || 0 };
      });
    }, function () {
      return { status: 0, body: { error: "network" }, retryAfter: 0 };
    });
  }

  function send(kind, payload, el) {
    var key = newKey();
    var body = Object.assign({}, payload, { idempotency_key: key, client_version: CLIENT });
    pending[key] = { kind: kind, body: body };
    return new Promise(function (resolve, reject) {
      function attempt(n) {
        post(kind, body, n).then(function (r) {
          var retryable = r.status === 0 || r.status === 429 || r.status >= 500;
          if (r.status === 200) {
            delete pending[key];
            emit(el, "prefloop:sent", { kind: kind, status: 200, body: r.body });
            resolve(r.body);
          } else if (retryable && n + 1 < MAX_ATTEMPTS) {
            var wait = r.retryAfter ? r.retryAfter * 1000 : Math.min(5000, 200 * Math.pow(2, n));
            setTimeout(function () { attempt(n + 1); }, wait);
          } else {
            if (!retryable) delete pending[key]; // a refused click is final; a lost one waits for unload
            emit(el, "prefloop:error", { kind: kind, status: r.status, body: r.body });
            reject(r);
          }
        });
      }
      attempt(0);
    });
  }

  function flushPending() {
    if (!navigator.sendBeacon) return;
    Object.keys(pending).forEach(function (key) {
      var p = pending[key];
      var blob = new Blob([JSON.stringify(p.body)], { type: "text/plain;charset=UTF-8" });
      if (navigator.sendBeacon(endpoint + "/" + p.kind, blob)) delete pending[key];
    });
  }
  window.addEventListener("pagehide", flushPending);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushPending();
  });

  // --- the API (also used by the data-attribute hooks) -----------------------------------------
  function vote(token, rating, extra, el) {
    return send("feedback", Object.assign({ token: token, rating: rating }, extra || {}), el);
  }
  function retract(token, el) { return send("feedback", { token: token, retract: true }, el); }
  function regenerate(token, el) { return send("regenerate", { token: token }, el); }
  function choose(tokenA, tokenB, preferred, el) {
    return send("choice", { token_a: tokenA, token_b: tokenB, preferred: preferred }, el);
  }
  function edit(token, text, el) { return send("edit", { token: token, edited_text: text }, el); }

  function setVoteState(box, state) {
    box.setAttribute("data-prefloop-vote-state", state);
    var buttons = box.querySelectorAll("[data-prefloop-vote]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-prefloop-vote") === state));
    }
  }

  document.addEventListener("click", function (ev) {
    var target = ev.target instanceof Element ? ev.target : null;
    if (!target) return;
    var button = target.closest("[data-prefloop-vote],[data-prefloop-regenerate],[data-prefloop-prefer]");
    if (!button) return;
    if (button.hasAttribute("data-prefloop-prefer")) {
      var pair = button.closest("[data-prefloop-choice]");
      // an empty token: the server could not record that response (see <prefix>/status); nothing to send
      if (!pair || !pair.getAttribute("data-prefloop-token-a") || !pair.getAttribute("data-prefloop-token-b")) return;
      choose(pair.getAttribute("data-prefloop-token-a"), pair.getAttribute("data-prefloop-token-b"),
        button.getAttribute("data-prefloop-prefer"), button).catch(function () {});
      pair.setAttribute("data-prefloop-chosen", button.getAttribute("data-prefloop-prefer"));
      return;
    }
    var box = button.closest("[data-prefloop-token]");
    if (!box) return;
    var token = box.getAttribute("data-prefloop-token");
    if (!token) return;
    if (button.hasAttribute("data-prefloop-regenerate")) {
      regenerate(token, button).catch(function () {});
      return;
    }
    var which = button.getAttribute("data-prefloop-vote");
    var current = box.getAttribute("data-prefloop-vote-state") || "";
    if (which === current) {
      setVoteState(box, "");
      retract(token, button).catch(function () {});
    } else {
      setVoteState(box, which);
      var extra = {};
      if (button.getAttribute("data-prefloop-reason")) extra.reason = button.getAttribute("data-prefloop-reason");
      vote(token, which === "up" ? 1 : -1, extra, button).catch(function () {});
    }
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target instanceof Element ? ev.target.closest("form[data-prefloop-edit]") : null;
    if (!form) return;
    ev.preventDefault();
    var box = form.closest("[data-prefloop-token]");
    var field = form.querySelector("[name=edited_text]") || form.querySelector("textarea");
    if (!box || !box.getAttribute("data-prefloop-token") || !field || !field.value) return;
    edit(box.getAttribute("data-prefloop-token"), field.value, form).catch(function () {});
  });

  window.prefloop = {
    version: 1,
    endpoint: endpoint,
    vote: vote,
    retract: retract,
    regenerate: regenerate,
    choose: choose,
    edit: edit,
    pending: function () { return Object.keys(pending).length; },
    flush: flushPending
  };
})();
