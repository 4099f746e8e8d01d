// Hovering a Service or a pod lights up what it is wired to and dims the rest: a Service's
// endpoint pods and the Ingress routes to it; a pod's Services and its owners (a
// Deployment over the pod's ReplicaSet too). A request's marks (path.js) are never dimmed.

import {byIds} from "./select.js";

function wiredTo(target) {
  if (target.hasClass("service")) {
    const endpoints = target.outgoers("edge.endpoint");
    const routes = target.incomers("edge.route");
    return endpoints.union(endpoints.targets()).union(routes).union(routes.sources());
  }
  const links = target.incomers("edge.endpoint, edge.owns");
  const owners = links.sources();
  const above = owners.incomers("edge.owns");  // a Deployment over the pod's ReplicaSet
  return links.union(owners).union(above).union(above.sources());
}

export function wireHover(cy) {
  function focusOn(target) {
    const focus = wiredTo(target).union(target);
    // the boxes of the pods in focus stay undimmed: a pod is read inside its node
    const keep = focus.union(byIds(cy, focus.nodes("node.pod").map((pod) => pod.data("box"))));
    cy.batch(() => {
      cy.elements().not(keep).not(".path-marker, .path-hop").addClass("dim");
      focus.addClass("hover-focus");
      target.addClass("hover-target");
    });
  }

  function unfocus() {
    cy.batch(() => cy.elements(".dim, .hover-focus, .hover-target")
      .removeClass("dim hover-focus hover-target"));
  }

  cy.on("mouseover", "node.service, node.pod", (event) => focusOn(event.target));
  cy.on("mouseout", "node.service, node.pod", unfocus);
}
