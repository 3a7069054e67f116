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
