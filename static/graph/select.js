// Finding drawn elements, for the modules that highlight them (path.js, hover.js).

// The drawn elements of these ids (an id not drawn is left out).
export function byIds(cy, ids) {
  let found = cy.collection();
  for (const id of ids || []) found = found.union(cy.getElementById(id));
  return found;
}

// A node's box (or the Unscheduled one): its pods are drawn inside it.
export const isBoxElement = (element) => element.hasClass("k8s-node");
