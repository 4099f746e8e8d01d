// The cluster page: the live graph (Cytoscape), the Upload, Request (with Fire N),
// Terminal and Inspect panels, and the clock controls in the top bar.

import {mountClock} from "./clock.js";
import {mountFailureMenu} from "./failmenu.js";
import {mountGraph} from "../graph/graphview.js";
import {mountHistory, showFollowed} from "./history.js";
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
  onChange: () => refreshSources(), onClock: (payload) => clock.set(payload), onLive: setLive,
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

function refreshSources() {
  const select = $("source");
  const chosen = select.value;
  const groups = [
    [gettext("Pods"), cy.nodes("node.pod.running-ready, node.pod.running-not-ready").map((n) =>
      [`pod|${n.data("namespace")}|${n.data("name")}`, `${n.data("name")} (${n.data("ip")})`])],
    [gettext("Nodes"), cy.nodes("node.k8s-node[kind = 'Node']").map((n) =>
      [`node||${n.data("name")}`, `${n.data("name")} (${n.data("ip")})`])],
    [gettext("Outside clients"), config.clients.map((ip) =>
      [`client||${ip}`, interpolate(gettext("client %(ip)s"), {ip}, true)])],
  ];
  const key = JSON.stringify(groups);
  if (select.dataset.key === key) return;
  select.dataset.key = key;
  select.replaceChildren(...groups.map(([label, options]) => {
    const group = element("optgroup");
    group.label = label;
    for (const [value, text] of options.sort((a, b) => a[1].localeCompare(b[1]))) {
      group.append(new Option(text, value, false, value === chosen));
    }
    return group;
  }));
}

async function runCommand(event) {
  event.preventDefault();
  const [kind, namespace, name] = $("source").value.split("|");
  const command = $("command").value;
  const terminal = $("terminal");
  const trace = $("trace");
  terminal.replaceChildren(span(`$ ${command}\n`, "cmd"));
  trace.replaceChildren();
  clearPath();
  const {ok, payload} = await post("run", {source: {kind, namespace: namespace || "default", name}, command,
                                               graph_namespace: $("namespace").value});
  if (!ok) return terminal.append(span(`${payload.error}\n`, "stderr"));
  terminal.append(span(payload.stdout, "stdout"), span(payload.stderr, "stderr"));
  if (payload.hangs) terminal.append(span(gettext("(no answer: the command hangs until interrupted)") + "\n", "stderr"));
  terminal.append(span(interpolate(gettext("exit code %(code)s"), {code: payload.exit_code}, true), payload.exit_code ? "exit bad" : "exit good"));
  fitWidest(terminal, TERMINAL_FONT);
  for (const step of payload.trace) trace.append(item(step, "step"));
  showPath(payload.path, {list: trace});  // the path plays on the graph, the lines in step
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

// ---- Fire N: a bar per pod, filling as the chunks come back ------------------------------

const FIRE_CHUNK = 50;
const fireState = {running: false, total: 0, done: 0, hits: new Map(), prediction: null,
                   exits: new Map()};
window.clusterviz.fire = fireState;

async function fireN(event) {
  event.preventDefault();
  if (fireState.running) return;
  const [kind, namespace, name] = $("source").value.split("|");
  const command = $("command").value;
  const total = Math.max(1, Math.min(1000, Number($("fire-count").value) || 1));
  Object.assign(fireState, {running: true, total, done: 0, hits: new Map(), prediction: null,
                            exits: new Map(), error: null});
  $("fire-progress").hidden = false;
  drawHistogram();
  while (fireState.done < total) {
    const count = Math.min(FIRE_CHUNK, total - fireState.done);
    const {ok, payload} = await post("fire", {source: {kind, namespace: namespace || "default", name},
                                                  command, count});
    if (!ok) { fireState.error = payload.error; break; }
    fireState.done += payload.ran;
    fireState.prediction = fireState.prediction || (payload.prediction.how !== "none" ? payload.prediction : null);
    for (const [pod, n] of Object.entries(payload.hits)) fireState.hits.set(pod, (fireState.hits.get(pod) || 0) + n);
    for (const [code, n] of Object.entries(payload.exit_codes)) fireState.exits.set(code, (fireState.exits.get(code) || 0) + n);
    drawHistogram();
  }
  fireState.running = false;
  drawHistogram();
}

function expectedShare(pod) {
  const p = fireState.prediction;
  if (!p) return null;
  if (p.how === "affinity") return pod === p.chosen ? 1 : 0;
  return p.pods.includes(pod) ? 1 / p.pods.length : 0;
}

function drawHistogram() {
  const {total, done, hits, prediction} = fireState;
  $("fire-bar").value = total ? done / total : 0;
  const codes = [...fireState.exits].map(([c, n]) =>
    interpolate(gettext("exit %(code)s: %(count)s"), {code: c, count: n}, true)).join(", ");
  const progress = interpolate(fireState.running ? gettext("%(done)s of %(total)s…")
    : gettext("%(done)s of %(total)s done"), {done, total}, true);
  $("fire-status").textContent = fireState.error
    ? interpolate(gettext("stopped: %(error)s"), {error: fireState.error}, true)
    : `${progress}${codes ? ` (${codes})` : ""}`;
  $("fire-prediction").textContent = !prediction ? "" :
    prediction.how === "affinity"
      ? interpolate(gettext("%(service)s has sessionAffinity: ClientIP, so this client sticks to %(pod)s: the rules predict every answer from it."),
                    {service: prediction.service, pod: prediction.chosen}, true)
      : interpolate(ngettext("%(service)s has %(count)s ready endpoint; kube-proxy picks one uniformly at random: %(share)s % each.",
                             "%(service)s has %(count)s ready endpoints; kube-proxy picks one uniformly at random: %(share)s % each.",
                             prediction.pods.length),
                    {service: prediction.service, count: prediction.pods.length,
                     share: (100 / prediction.pods.length).toFixed(1)}, true);
  const pods = new Set([...(prediction ? prediction.pods : []), ...hits.keys()]);
  const rows = [...pods].sort().map((pod) => histogramRow(pod, hits.get(pod) || 0, total));
  if (prediction) {
    rows.push(element("div", gettext("predicted share"), "legend-line"));
  }
  $("fire-chart").replaceChildren(...rows);
}

function histogramRow(pod, count, total) {
  const row = element("div", null, "bar");
  row.dataset.pod = pod;
  row.dataset.count = String(count);
  const name = span(pod || gettext("(no pod answered)"), "name");
  name.title = pod;
  const track = span("", "track");
  const fill = span("", "fill");
  fill.style.width = `${total ? (100 * count) / total : 0}%`;
  track.append(fill);
  const share = expectedShare(pod);
  if (share !== null) {
    const mark = span("", "expected");
    mark.style.left = `calc(${100 * share}% - 1.5px)`;
    mark.title = interpolate(gettext("predicted %(share)s %"), {share: (100 * share).toFixed(1)}, true);
    track.append(mark);
  }
  row.append(name, track, span(String(count), "count"));
  return row;
}

function wireTools() {
  $("fire-form").addEventListener("submit", fireN);
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
  $("request-form").addEventListener("submit", runCommand);
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
wireTools();
refreshSources();
if (config.following) history.visible(true);
