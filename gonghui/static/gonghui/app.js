// Small behaviours not worth a library. htmx does the rest.
document.addEventListener("click", function (event) {
  // Unit tree: the first click loads the children (htmx), later clicks fold and unfold them.
  var toggle = event.target.closest("[data-toggle-tree]");
  if (!toggle) return;
  var node = toggle.closest(".tree-node");
  var expanded = toggle.getAttribute("aria-expanded") === "true";
  var loaded = node.querySelector(":scope > .tree-children").children.length > 0;
  if (expanded && loaded) {
    node.classList.add("collapsed");
    toggle.setAttribute("aria-expanded", "false");
  } else {
    node.classList.remove("collapsed");
    toggle.setAttribute("aria-expanded", "true");
  }
});
document.body.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  // The messages come translated from the page (base.html), like every other text.
  var text = status === 404 ? document.body.dataset.msgNotFound : document.body.dataset.msgFailed;
  var box = document.createElement("div");
  box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3";
  box.setAttribute("role", "alert");
  box.textContent = text;
  document.body.appendChild(box);
  setTimeout(function () { box.remove(); }, 5000);
});
// A double click on "save" must not send a form twice (two cases registered, two payments): a
// POST form ignores further submits while its request is under way. Not by disabling buttons,
// which would drop the clicked button's name from the request; released after a few seconds
// for forms answered with a download (the page stays) and when the page comes back from history.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented) return;
  if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
  if (form.dataset.submitting) {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  setTimeout(function () { delete form.dataset.submitting; }, 5000);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitting]").forEach(function (form) { delete form.dataset.submitting; });
});
