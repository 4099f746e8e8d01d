// The cluster page: the live graph (Cytoscape), the Upload, Request (with Fire N),
// Terminal and Inspect panels, and the clock controls in the top bar.

import {mountApply} from "./apply.js";
import {mountClock} from "./clock.js";
import {mountFailureMenu} from "./failmenu.js";
import {mountFire} from "./fire.js";
import {mountGraph} from "../graph/graphview.js";
import {mountHistory, showFollowed} from "./history.js";
import {mountInspect} from "./inspect.js";
import {mountRequest} from "./request.js";
import {mountTimeline} from "./timeline.js";
import {TERMINAL_FONT, mountTerminal} from "./terminal.js";
import {mountUpload} from "./upload.js";
import {fitWidestSoon} from "../lib/fittext.js";
import {$, pageConfig} from "../lib/dom.js";

const config = pageConfig();

const graph = mountGraph($("graph"), {
  slug: config.slug, static: config.static,
  namespace: () => $("namespace").value,
  showOwners: () => $("show-owners").checked,
  onChange: () => request.refreshSources(), onClock: (payload) => clock.set(payload), onLive: setLive,
  feed: config.feed, onNotice,
});
const {cy, state, send} = graph;
const timeline = mountTimeline($("timeline"), graph, {
  slug: config.slug, csrf: config.csrf,
  namespace: () => $("namespace").value,
});
const failures = mountFailureMenu($("failure-menu"), graph, {
  slug: config.slug, csrf: config.csrf, isPast: () => timeline.pastAt() !== null,
});
window.clusterviz = {cy, state, graph, timeline, failures};

const clock = mountClock(config, state);
mountTerminal(config);
const request = mountRequest(config, graph, {namespace: () => $("namespace").value});
window.clusterviz.fire = mountFire(config, {current: request.current}).state;

const history = mountHistory($("history-list"), {slug: config.slug});

// what the feed says beside the graph: a teacher follows (the badge), a refusal (follow)
function onNotice(message) {
  if (message.type === "viewers") showFollowed($("teacher-badge"), message.followed);
}

function setLive(name, text) {
  const live = $("live");
  live.dataset.state = name;
  live.textContent = text;
}

// ---- the drawer ------------------------------------------------------------------------

function showTab(name) {
  for (const button of document.querySelectorAll(".tabs button[role=tab]")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.dataset.tab !== name;
  history.visible(name === "history");
}

function applyOwnerToggle(collection) {
  const show = $("show-owners").checked;
  collection.filter("node.owner, edge.owns").toggleClass("hidden-owner", !show);
}

// F: the page full screen (a projector), as the presenter's F; not while typing
function fullScreenKey(event) {
  const target = event.target;
  if (event.altKey || event.ctrlKey || event.metaKey || !/^[fF]$/.test(event.key)) return;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
  event.preventDefault();
}

function wire() {
  for (const button of document.querySelectorAll(".tabs button[role=tab]")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  mountApply(config);
  mountUpload({slug: config.slug, csrf: config.csrf});
  $("namespace").addEventListener("change", (e) =>
    send({type: "namespace", namespace: e.target.value}));
  $("show-owners").addEventListener("change", () =>
    applyOwnerToggle(cy.elements()));
  $("drawer-toggle").addEventListener("click", (e) => {
    const closed = document.body.classList.toggle("drawer-closed");
    e.target.textContent = closed ? gettext("Show panel") : gettext("Hide panel");
    e.target.setAttribute("aria-expanded", String(!closed));  // the graph follows (graph/camera.js)
  });
  $("drawer-wide").addEventListener("click", (e) => {
    const wide = document.body.classList.toggle("drawer-wide");
    e.target.setAttribute("aria-pressed", String(wide));
    for (const id of ["kubectl-output", "terminal"]) fitWidestSoon($(id), TERMINAL_FONT);
  });
  document.addEventListener("keydown", fullScreenKey);
  mountInspect(config, graph, {pastAt: timeline.pastAt, show: showTab});
}

wire();
if (config.following) history.visible(true);
