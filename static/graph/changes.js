// Applying what the server sends: a change (`{add, update, remove}`, elements keyed by id,
// see clusterviz/dashboard/consumers.py) drawn onto Cytoscape.
//
// New elements fade in and removed ones fade out; a node fading out keeps its place (and
// its box its size) until it is gone, and one that comes back meanwhile takes the same
// place. A whole snapshot (a resync, the past) is turned into such a change by diffing it
// against what is drawn, so nothing that stayed is redrawn.

import {display} from "./labels.js";
import {isBox} from "./layout.js";

// hooks: refold() after each change (folds.js); ownersShown(): the owners toggle;
// changed(): after each change, for the page's lists
export function createChanges(cy, layout, hooks) {
  const leaving = new Set();

  function applyOwnerToggle(collection) {
    collection.filter("node.owner, edge.owns").toggleClass("hidden-owner", !hooks.ownersShown());
  }

  // The server's `parent` (the node a pod runs on) is kept as `box`: see style.js on why
  // boxes are not compound parents.
  function dataOf(el) {
    const {parent, ...data} = el.data;
    data.display = display(data);
    if (parent) data.box = parent;
    if (isBox(el)) {
      const {w, h} = layout.boxShape(data.id, data);
      Object.assign(data, {w, h});
    }
    return data;
  }

  // One cy.add per call, not per element: Cytoscape's per-add bookkeeping over 2,000 pods
  // cost more than the pods. Node boxes go first: a pod's place is taken from its box.
  function addElements(els, animate) {
    for (const group of [els.filter(isBox), els.filter((el) => !isBox(el))]) {
      if (!group.length) continue;
      const added = cy.add(group.map(specOf));
      applyOwnerToggle(added);
      if (animate) fadeIn(added);
    }
  }

  function specOf(el) {
    const id = el.data.id;
    if (leaving.has(id)) {  // it came back while fading out: drop the old one now
      leaving.delete(id);
      cy.getElementById(id).stop(true).remove();
    }
    const data = dataOf(el);
    return {group: el.group, data, classes: el.classes, position: layout.positionFor({...el, data})};
  }

  function fadeIn(added) {
    const fading = added.filter((e) => e.isNode() && !e.data("kind")?.startsWith("Node"));
    fading.style("opacity", 0);
    fading.animate({style: {opacity: 1}}, {duration: 450});
  }

  function updateElement(el) {
    const current = cy.getElementById(el.data.id);
    if (current.empty()) return addElements([el], true);
    const data = dataOf(el);
    if (data.box !== current.data("box")) {  // scheduled: from the Unscheduled box to its node
      layout.freePod(data.id);
      current.position(layout.positionFor({...el, data}));
    }
    current.data(data);
    // the server's classes replace the old ones; a highlight on it stays
    const kept = current.classes().filter((c) => /^(path|hover-|dim$)/.test(c));
    current.classes(el.classes);
    current.addClass(kept.join(" "));
    applyOwnerToggle(current);
  }

  function removeElement(id, animate) {
    const current = cy.getElementById(id);
    if (current.empty()) return;
    if (!animate || current.isEdge()) {
      layout.free(id);
      current.remove();
      return;
    }
    leaving.add(id);
    current.connectedEdges().remove();
    current.animate({style: {opacity: 0}}, {duration: 450, complete: () => {
      if (!leaving.delete(id)) return;
      layout.free(id);
      current.remove();
      cy.batch(layout.resizeBoxes);
    }});
  }

  function applyChange(change, animate) {
    cy.batch(() => {
      for (const id of change.remove) removeElement(id, animate);
      addElements(change.add, animate);
      for (const el of change.update) updateElement(el);
      hooks.refold();
      layout.resizeBoxes();
    });
    hooks.changed();
  }

  function diffAgainstDrawn(elements) {
    const incoming = new Map(elements.map((el) => [el.data.id, el]));
    const remove = cy.elements().not(".pod-fold")  // drawn here, not sent: see folds.js
      .filter((e) => !incoming.has(e.id()) && !leaving.has(e.id()))
      .map((e) => e.id());
    const add = [], update = [];
    for (const el of elements) {
      (cy.getElementById(el.data.id).nonempty() && !leaving.has(el.data.id) ? update : add).push(el);
    }
    return {add, update, remove};
  }

  return {applyChange, diffAgainstDrawn, applyOwnerToggle};
}
