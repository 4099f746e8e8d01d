// Zoom in/out, Fit and the Job fold, over the graph's corner; keys +, - and 0 anywhere but
// in a text field. When the default view cannot fit the graph at a readable size, the Fit
// button and a note say so (camera.js).

import {element, isTyping} from "../lib/dom.js";

export function mountControls(container, camera, folds) {
  const host = container.parentElement;
  if (!host) return;
  // words a person reads, in the page's language (the catalog script loads before the modules)
  const text = {
    zoomIn: gettext("Zoom in (+)"), zoomOut: gettext("Zoom out (−)"), fit: gettext("Fit"),
    fitTitle: gettext("Show the whole graph (0)"),
    tooBig: gettext("Too big to fit at a readable size: drag to pan, − to see it all"),
    fold: gettext("Fold finished Jobs"),
    foldTitle: gettext("Show a finished Job's pods as one box (click it to open)"),
  };
  const box = element("div", null, "graph-controls");
  box.setAttribute("role", "group");
  const fit = button(text.fit, text.fitTitle, () => camera.defaultView(true));
  const fold = button(text.fold, text.foldTitle, () => {
    folds.set(!folds.isOn());
    fold.setAttribute("aria-pressed", String(folds.isOn()));
  });
  fold.setAttribute("aria-pressed", String(folds.isOn()));
  fold.className = "fold";
  const note = element("span", text.tooBig, "graph-note");
  note.hidden = true;
  box.append(button("+", text.zoomIn, () => camera.zoomBy(1.25)),
             button("−", text.zoomOut, () => camera.zoomBy(0.8)), fit, fold, note);
  host.append(box);
  camera.watch((view) => {
    note.hidden = !view.clamped;
    fit.classList.toggle("clamped", view.clamped);
    fit.title = view.clamped ? text.tooBig : text.fitTitle;
  });
  document.addEventListener("keydown", (event) => zoomKeys(event, camera));
}

function button(text, title, onClick) {
  const b = element("button", text);
  b.type = "button";
  b.title = title;
  b.setAttribute("aria-label", title);
  b.addEventListener("click", onClick);
  return b;
}

function zoomKeys(event, camera) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (isTyping(event.target)) return;
  if (event.key === "+" || event.key === "=") camera.zoomBy(1.25);
  else if (event.key === "-" || event.key === "_") camera.zoomBy(0.8);
  else if (event.key === "0") camera.defaultView(true);
  else return;
  event.preventDefault();
}
