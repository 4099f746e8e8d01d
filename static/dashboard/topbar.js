// The top bar's part in the graph: the namespace filter and the owners toggle, the feed's
// state (live, connecting, reconnecting) and the "your teacher is viewing" badge; and F,
// the page full screen for a projector, as on the presenter screen.
//
// The graph is mounted with namespace, ownersShown, showLive and showNotice, before
// mountTopbar(graph) can wire the controls to it: the feed says "connecting" at once.

import {$, isTyping} from "../lib/dom.js";
import {showFollowed} from "./history.js";

export const namespace = () => $("namespace").value;
export const ownersShown = () => $("show-owners").checked;

export function showLive(name, text) {
  const live = $("live");
  live.dataset.state = name;
  live.textContent = text;
}

// what the feed says beside the graph: a teacher follows (the badge)
export function showNotice(message) {
  if (message.type === "viewers") showFollowed($("teacher-badge"), message.followed);
}

export function mountTopbar(graph) {
  $("namespace").addEventListener("change", (e) =>
    graph.send({type: "namespace", namespace: e.target.value}));
  $("show-owners").addEventListener("change", () =>
    graph.cy.elements("node.owner, edge.owns").toggleClass("hidden-owner", !ownersShown()));
  document.addEventListener("keydown", fullScreenKey);
}

function fullScreenKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey || !/^[fF]$/.test(event.key)) return;
  if (isTyping(event.target)) return;
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
  event.preventDefault();
}
