// The cluster page: the live graph (Cytoscape), the Upload, Request (with Fire N),
// Terminal and Inspect panels, and the clock controls in the top bar.

import {mountClock} from "./clock.js";
import {mountFailureMenu} from "./failmenu.js";
import {mountFire} from "./fire.js";
import {mountGraph} from "../graph/graphview.js";
import {mountHistory, showFollowed} from "./history.js";
import {mountRequest} from "./request.js";
import {mountTimeline} from "./timeline.js";
import {TERMINAL_FONT, mountTerminal} from "./terminal.js";
import {mountUpload} from "./upload.js";
import {fitWidest, fitWidestSoon} from "../lib/fittext.js";
import {$, element, item, pageConfig, span} from "../lib/dom.js";
import {postJSON, readJSON} from "../lib/http.js";

const config = pageConfig();

const graph = mountGraph($("graph"), {
  slug: config.slug, static: config.static,
  namespace: () => $("namespace").value,
  showOwners: () => $("show-owners").checked,
  onChange: () => request.refreshSources(), onClock: (payload) => clock.set(payload), onLive: setLive,
  feed: config.feed, onNotice,
});
const {cy, state, send, showPath, clearPath} = graph;
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

// the cluster's own endpoints: /clusters/<slug>/<path>
const post = (path, body) => postJSON(`/clusters/${config.slug}/${path}`, body, config.csrf);

async function upload(mode) {
  const list = $("apply-results");
  list.replaceChildren(item("…", "pending"));
  const {ok, payload} = await post("apply", {text: $("manifest").value, mode});
  list.replaceChildren();
  if (!ok) return list.append(item(payload.error, "error"));
  for (const result of payload.results) {
    list.append(item(result.text, result.ok ? "ok" : "error"));
    for (const warning of result.warnings) list.append(item(warning, "warning"));
  }
}

async function readFiles(files) {
  const texts = await Promise.all([...files].map((f) => f.text()));
  $("manifest").value = texts.map((t) => t.trim()).join("\n---\n");
  $("manifest").dispatchEvent(new Event("input")); // the preview follows
}

function inspect(target) {
  const list = $("inspect");
  list.replaceChildren();
  for (const [key, value] of Object.entries(target.data())) {
    if (["display", "label", "id"].includes(key)) continue;
    list.append(element("dt", key),
                element("dd", typeof value === "object" ? JSON.stringify(value) : String(value)));
  }
  showTab("inspect");
  loadInspect(target.id());
}

// The object behind the element, as the API server stores it, and its recent events.
async function loadInspect(id) {
  const yamlBox = $("inspect-yaml");
  const events = $("inspect-events");
  yamlBox.textContent = "…";
  events.replaceChildren();
  const at = timeline.pastAt();  // in the past: the object as it was then
  const where = at === null ? "inspect?" : `history/inspect?at=${at}&`;
  const response = await fetch(`/clusters/${config.slug}/${where}id=${encodeURIComponent(id)}`);
  const payload = await readJSON(response);
  if (payload.error) return (yamlBox.textContent = payload.error);
  yamlBox.textContent = payload.yaml || payload.note || "";
  if (!payload.events.length) events.append(item(gettext("no recent events"), "none"));
  for (const e of payload.events) {
    const count = e.count > 1 ? ` (x${e.count})` : "";
    events.append(item(`${e.last}  ${e.type}  ${e.reason}${count}: ${e.message}`, `event ${e.type}`));
  }
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
  $("apply").addEventListener("click", () => upload("apply"));
  $("create").addEventListener("click", () => upload("create"));
  $("upload-files").addEventListener("change", (e) => readFiles(e.target.files));
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
  // a Job's folded pods open on a click (graph/folds.js); the box itself is nothing to inspect
  cy.on("tap", "node, edge", (event) => { if (!event.target.hasClass("pod-fold")) inspect(event.target); });
}

wire();
if (config.following) history.visible(true);
