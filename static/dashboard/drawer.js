// The drawer on the right: its tabs, Hide panel (the graph takes the whole width) and ⇔
// (a wider panel, for kubectl's tables).
//
//   const drawer = mountDrawer({onTab(name) {}, onWiden() {}});
//   drawer.show("inspect")
//
// The graph follows the drawer's width by itself (graph/camera.js); the terminals' text is
// refitted by onWiden.

import {$} from "../lib/dom.js";

export function mountDrawer(opts) {
  function show(name) {
    for (const button of document.querySelectorAll(".tabs button[role=tab]")) {
      button.setAttribute("aria-selected", String(button.dataset.tab === name));
    }
    for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.dataset.tab !== name;
    opts.onTab(name);
  }

  for (const button of document.querySelectorAll(".tabs button[role=tab]")) {
    button.addEventListener("click", () => show(button.dataset.tab));
  }
  $("drawer-toggle").addEventListener("click", (e) => {
    const closed = document.body.classList.toggle("drawer-closed");
    e.target.textContent = closed ? gettext("Show panel") : gettext("Hide panel");
    e.target.setAttribute("aria-expanded", String(!closed));
  });
  $("drawer-wide").addEventListener("click", (e) => {
    const wide = document.body.classList.toggle("drawer-wide");
    e.target.setAttribute("aria-pressed", String(wide));
    opts.onWiden();
  });
  return {show};
}
