// Similar threads while a title is typed, on the new-thread form. Without this script the
// form's button asks the server for the same list; with it, the list follows the typing.
(function () {
  "use strict";
  var box = document.querySelector("[data-similar-for]");
  if (!box || !window.fetch || !window.DOMParser) return;
  var input = document.getElementById(box.getAttribute("data-similar-for"));
  var url = box.getAttribute("data-similar-url");
  if (!input || !url) return;
  var timer = null;
  var asked = "";
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var title = input.value.trim();
      if (title.length < 4 || title === asked) return;
      asked = title;
      fetch(url + "?titel=" + encodeURIComponent(title), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || title !== asked) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("similar-results");
          var current = document.getElementById("similar-results");
          if (fresh && current) current.replaceWith(document.importNode(fresh, true));
        })
        .catch(function () { /* the button still works */ });
    }, 400);
  });
})();

// Suggestions while typing a mention: "@mar" lists the members it may name; arrow keys and
// Enter (or a click) put "@handle " in the text. Without this script the preview shows
// whom each mention names, and which name nobody.
(function () {
  "use strict";
  var areas = document.querySelectorAll("textarea[data-mentions]");
  if (!areas.length || !window.fetch) return;
  Array.prototype.forEach.call(areas, function (area) {
    var url = area.getAttribute("data-mentions");
    var list = document.createElement("ul");
    list.className = "mention-suggestions";
    list.id = area.id + "-mentions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", area.getAttribute("data-mentions-label") || "");
    list.hidden = true;
    area.insertAdjacentElement("afterend", list);
    area.setAttribute("aria-controls", list.id);
    area.setAttribute("aria-autocomplete", "list");
    var timer = null;
    var asked = "";
    var active = -1;
    function typed() {
      var before = area.value.slice(0, area.selectionStart);
      var match = /(^|[^A-Za-z0-9@])@([A-Za-z0-9-]{2,40})$/.exec(before);
      return match ? match[2] : null;
    }
    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }
    function choose(handle) {
      var at = area.selectionStart;
      var before = area.value.slice(0, at).replace(/@[A-Za-z0-9-]*$/, "@" + handle + " ");
      area.value = before + area.value.slice(at);
      area.selectionStart = area.selectionEnd = before.length;
      close();
      area.focus();
    }
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      var q = typed();
      if (!q) { close(); return; }
      timer = window.setTimeout(function () {
        asked = q;
        fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (people) {
            if (q !== asked) return;
            list.textContent = "";
            active = -1;
            people.forEach(function (p, i) {
              var item = document.createElement("li");
              item.setAttribute("role", "option");
              item.id = list.id + "-" + i;
              item.setAttribute("data-handle", p.handle);
              item.textContent = p.name + " (@" + p.handle + ")" + (p.organisation ? ", " + p.organisation : "");
              item.addEventListener("mousedown", function (event) {
                event.preventDefault();
                choose(p.handle);
              });
              list.appendChild(item);
            });
            list.hidden = people.length === 0;
          })
          .catch(function () { /* the preview still says whom a mention names */ });
      }, 250);
    });
    area.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      var items = list.querySelectorAll("li");
      if (!items.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        Array.prototype.forEach.call(items, function (item, i) {
          item.setAttribute("aria-selected", i === active ? "true" : "false");
        });
        area.setAttribute("aria-activedescendant", items[active].id);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        choose(items[active].getAttribute("data-handle"));
      } else if (event.key === "Escape") {
        close();
      }
    });
    area.addEventListener("blur", function () { window.setTimeout(close, 200); });
  });
})();

// Drafts: while a reply or a new thread is written, its text is kept on the server every
// 30 seconds (when it changed), so a closed tab or a lost connection loses nothing; it
// comes back in the form next time. Posting it removes the draft.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft]");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var body = form.querySelector("textarea[name=body]");
  var title = form.querySelector("input[name=title]");
  var token = form.querySelector("input[name=csrf_token]");
  if (!body || !token) return;
  function current() { return body.value + "\u0000" + (title ? title.value : ""); }
  var saved = current();
  window.setInterval(function () {
    var now = current();
    if (now === saved) return;
    var data = new URLSearchParams();
    data.set("csrf_token", token.value);
    data.set("target", form.getAttribute("data-draft"));
    data.set("title", title ? title.value : "");
    data.set("body", body.value);
    fetch("/concepten", { method: "POST", credentials: "same-origin", body: data })
      .then(function (response) { if (response.ok) saved = now; })
      .catch(function () { /* tried again in 30 seconds */ });
  }, 30000);
})();
