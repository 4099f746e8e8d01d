// The camera: legible by default.
//
// The default view fits the graph, but never below the zoom at which the smallest label is
// LEGIBLE_PX high on the screen: a projected graph whose text cannot be read is no use, so
// when it cannot fit at that size it is shown from its top left (or centred, along an axis
// where it fits), the rest a drag away, and the Fit control says so (controls.js). The
// camera follows the canvas's size; once the user zooms, it is theirs, and neither a
// resize nor a new element moves it. Only the camera moves, never the elements.
//
// state.view: {clamped (the default view stopped at the legible zoom: part is off-screen),
//              manual (the user zoomed), legibleZoom}

import {LAYOUT} from "./layout.js";
import {smallestLabel} from "./style.js";

const LEGIBLE_PX = 12;
const PAD = 24;

export function createCamera(cy, state, scale) {
  const watchers = [];
  // what the default view frames: not what is hidden, not the request's marks
  const shown = () => cy.elements().not(".hidden-owner, .folded, .path-marker, .path-hop");

  function defaultView(animate) {
    const eles = shown();
    if (eles.empty() || !cy.width() || !cy.height()) return;
    const box = eles.boundingBox();
    const fits = Math.min((cy.width() - 2 * PAD) / Math.max(box.w, 1),
                          (cy.height() - 2 * PAD) / Math.max(box.h, 1));
    const legible = LEGIBLE_PX / smallestLabel(scale);
    const zoom = Math.min(Math.max(fits, legible), cy.maxZoom());
    const place = (size, lo, span) => (span * zoom <= size - 2 * PAD
      ? (size - span * zoom) / 2 - lo * zoom : PAD - lo * zoom);
    const pan = {x: place(cy.width(), box.x1, box.w), y: place(cy.height(), box.y1, box.h)};
    state.view = {clamped: fits < legible, manual: false, legibleZoom: legible};
    cy.stop(true);
    if (animate) cy.animate({zoom, pan}, {duration: 300});
    else cy.viewport({zoom, pan});
    for (const watcher of watchers) watcher(state.view);
  }

  function zoomBy(factor) {
    state.view.manual = true;
    const zoom = Math.min(Math.max(cy.zoom() * factor, cy.minZoom()), cy.maxZoom());
    cy.zoom({level: zoom, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}});
  }

  // Move the camera when something new fell outside the view. Judged from each new node's
  // centre and a pod's size: a bounding box would compute the styles and measure the labels
  // of everything new, which costs more than drawing the delta.
  function keepInView(added) {
    const view = cy.extent();
    const [w, h] = [LAYOUT.podW / 2, LAYOUT.podH / 2];
    const outside = added.some((el) => {
      if (el.group !== "nodes") return false;
      const node = cy.getElementById(el.data.id);
      if (node.empty() || node.hasClass("k8s-node")) return false;  // a box is where its pods are
      const {x, y} = node.position();
      return x - w < view.x1 || x + w > view.x2 || y - h < view.y1 || y + h > view.y2;
    });
    if (outside && !state.view.manual) defaultView(true);
  }

  // Hide panel, full screen and the window all change the canvas: follow it, and keep the
  // default view unless the user chose a camera of their own.
  function followContainerSize(container) {
    if (typeof ResizeObserver === "undefined") return;
    let due = null;
    new ResizeObserver(() => {
      cancelAnimationFrame(due);
      due = requestAnimationFrame(() => {
        cy.resize();
        if (!state.view.manual) defaultView(false);
      });
    }).observe(container);
  }

  cy.on("scrollzoom", () => { state.view.manual = true; });

  // watcher(state.view): now, and after each default view
  function watch(watcher) {
    watchers.push(watcher);
    watcher(state.view);
  }

  return {defaultView, zoomBy, keepInView, followContainerSize, watch};
}
