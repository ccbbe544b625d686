// Progressive enhancement only: every page works without it.
// A click anywhere on a deliveries row opens that delivery.
document.addEventListener("click", (event) => {
  if (event.target.closest("a, button, input, select")) return;
  const row = event.target.closest("tr[data-href]");
  if (row) window.location.assign(row.dataset.href);
});
