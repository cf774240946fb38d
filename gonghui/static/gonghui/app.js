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
