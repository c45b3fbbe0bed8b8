/* The example chat page: sends messages to /api/chat, asks /api/regenerate for another answer.
 * Feedback (thumbs, regenerate, choice, edit) is sent by prefloop.js from the data-prefloop-* attributes;
 * this script only renders answers and shows what prefloop.js reports ("prefloop:sent" / "prefloop:error").
 */
(function () {
  "use strict";
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("prompt");
  var conversationId = null;

  function api(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (data) {
        if (!resp.ok) throw new Error(data.error || ("HTTP " + resp.status));
        return data;
      });
    });
  }

  function addUser(text) {
    var div = document.createElement("div");
    div.className = "msg user";
    div.textContent = text;
    list.appendChild(div);
  }

  function addError(text) {
    var div = document.createElement("div");
    div.className = "msg error";
    div.textContent = text;
    list.appendChild(div);
  }

  function addAnswer(answer, after) {
    var node = document.getElementById("answer-template").content.firstElementChild.cloneNode(true);
    node.setAttribute("data-prefloop-token", answer.token);
    node.setAttribute("data-response-id", answer.response_id);
    node.querySelector(".text").textContent = answer.text;
    if (after) after.insertAdjacentElement("afterend", node);
    else list.appendChild(node);
    return node;
  }

  function addChoice(oldBox, newBox) {
    var node = document.getElementById("choice-template").content.firstElementChild.cloneNode(true);
    node.setAttribute("data-prefloop-token-a", oldBox.getAttribute("data-prefloop-token"));
    node.setAttribute("data-prefloop-token-b", newBox.getAttribute("data-prefloop-token"));
    newBox.insertAdjacentElement("afterend", node);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    addUser(text);
    var body = { message: text };
    if (conversationId) body.conversation_id = conversationId;
    api("/api/chat", body).then(function (answer) {
      conversationId = answer.conversation_id;
      addAnswer(answer);
    }, function (err) { addError("The assistant could not answer: " + err.message); });
  });

  // prefloop.js sends the regenerate event itself; here we fetch and show the new answer.
  list.addEventListener("click", function (ev) {
    var button = ev.target instanceof Element ? ev.target.closest("[data-prefloop-regenerate]") : null;
    if (!button) return;
    var box = button.closest("[data-prefloop-token]");
    button.disabled = true;
    api("/api/regenerate", {
      conversation_id: conversationId,
      response_id: box.getAttribute("data-response-id")
    }).then(function (answer) {
      box.classList.add("replaced");
      var fresh = addAnswer(answer, box);
      addChoice(box, fresh);
    }, function (err) {
      button.disabled = false;
      addError("Could not regenerate: " + err.message);
    });
  });

  document.addEventListener("submit", function (ev) {
    var editForm = ev.target instanceof Element ? ev.target.closest("form[data-prefloop-edit]") : null;
    if (editForm) editForm.closest("details").open = false;
  });

  function report(ev, ok) {
    var el = ev.target instanceof Element ? ev.target : null;
    var box = el && el.closest(".msg");
    if (!box) return;
    box.setAttribute("data-feedback-" + ev.detail.kind, ok ? "sent" : "error");
    var status = box.querySelector(".status");
    if (status) status.textContent = ok ? "Thanks, noted." : "Not sent (" + ev.detail.status + ")";
  }
  document.addEventListener("prefloop:sent", function (ev) { report(ev, true); });
  document.addEventListener("prefloop:error", function (ev) { report(ev, false); });
})();
