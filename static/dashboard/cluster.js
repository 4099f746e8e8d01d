// The cluster page: the live graph (Cytoscape), the Upload, Request (with Fire N),
// Terminal and Inspect panels, and the clock controls in the top bar.
//
// The server sends a snapshot, then deltas keyed by element id (see
// clusterviz/dashboard/consumers.py). Positions are decided here, once per
// element, and never recomputed: a pod keeps its slot in its node until it is
// gone, so nothing on the screen jumps when others come and go. A gap in the
// sequence numbers asks the server for a fresh snapshot, which is applied as
// a diff against what is drawn, like any delta.

const config = JSON.parse(document.getElementById("page-config").textContent);
const ICONS = `${config.static}icons/`;

const LAYOUT = {
  podW: 210, podH: 96, nodeGap: 100, nodeTop: 0,
  ownerY: -170, serviceY: -360, ingressY: -540, outsideX: -170, outsideGap: 100, rowGap: 310,
};
const GLYPH = {
  "pending": "◌", "creating": "◔", "running-ready": "✔", "running-not-ready": "!",
  "completed": "■", "error": "✖", "crashloop": "↻", "terminating": "⌛", "unknown": "?",
};
// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies,
// and every state also differs by its glyph and border.
const STATE_STYLE = {
  "pending": {bg: "#eeeeee", fg: "#222", border: "#777777", style: "dashed"},
  "creating": {bg: "#cfe8f8", fg: "#0b2a3f", border: "#56B4E9", style: "dashed"},
  "running-ready": {bg: "#009E73", fg: "#ffffff", border: "#00664a", style: "solid"},
  "running-not-ready": {bg: "#F0E442", fg: "#222", border: "#E69F00", style: "dashed"},
  "completed": {bg: "#0072B2", fg: "#ffffff", border: "#004c78", style: "solid"},
  "error": {bg: "#D55E00", fg: "#ffffff", border: "#7a3600", style: "double"},
  "crashloop": {bg: "#CC79A7", fg: "#1b0010", border: "#7d3a60", style: "double"},
  "terminating": {bg: "#bbbbbb", fg: "#222", border: "#555555", style: "dotted"},
  "unknown": {bg: "#ffffff", fg: "#222", border: "#000000", style: "dotted"},
};

const state = {seq: 0, version: null, clock: null, clockAt: 0, messages: 0, resyncs: 0};
const slots = {nodes: new Map(), pods: new Map(), rows: new Map(), nextNodeX: 0};
const leaving = new Set();

const cy = cytoscape({
  container: document.getElementById("graph"),
  style: graphStyle(),
  layout: {name: "preset"},
  minZoom: 0.15,
  maxZoom: 2.5,
});
window.clusterviz = {cy, state};

function graphStyle() {
  const styles = [
    {selector: "node", style: {
      "label": "data(display)", "text-wrap": "wrap", "font-family": "DejaVu Sans, sans-serif",
      "font-size": 17, "text-valign": "center", "text-halign": "center", "color": "#111",
    }},
    {selector: "node.k8s-node", style: {
      "shape": "round-rectangle", "background-color": "#f4f6fa", "border-width": 3,
      "border-color": "#326ce5", "padding": 26, "text-valign": "top", "text-halign": "center",
      "font-size": 22, "font-weight": "bold", "text-margin-y": -8, "color": "#17306b",
      "width": 200, "height": 90, "min-height": 90,
    }},
    {selector: "node.k8s-node.control-plane", style: {"background-color": "#eef0f7",
                                                      "border-style": "double", "border-width": 6}},
    {selector: "node.k8s-node.not-ready", style: {"border-color": "#D55E00", "border-style": "dashed"}},
    {selector: "node.unscheduled", style: {"border-color": "#777", "border-style": "dashed"}},
    {selector: "node.pod", style: {
      "shape": "round-rectangle", "width": LAYOUT.podW - 18, "height": LAYOUT.podH - 16,
      "border-width": 3, "font-size": 16, "text-max-width": LAYOUT.podW - 24,
      "background-image": `${ICONS}pod.svg`, "background-width": 18, "background-height": 18,
      "background-position-x": 4, "background-position-y": 4, "background-clip": "none",
      "text-margin-x": 8,
      "transition-property": "background-color, border-color",
      "transition-duration": 300,
    }},
    {selector: "node.service", style: {
      "shape": "round-rectangle", "width": 290, "height": 104, "background-color": "#ffffff",
      "border-width": 3, "border-color": "#0072B2", "font-size": 17, "text-margin-x": 14,
      "background-image": `${ICONS}svc.svg`, "background-width": 32, "background-height": 32,
      "background-position-x": 8, "background-position-y": 8, "background-clip": "none",
    }},
    {selector: "node.ingress", style: {
      "shape": "round-rectangle", "width": 240, "height": 72, "background-color": "#fbeef5",
      "border-width": 3, "border-color": "#CC79A7", "text-margin-x": 12,
      "background-image": `${ICONS}ing.svg`, "background-width": 30, "background-height": 30,
      "background-position-x": 8, "background-position-y": 8, "background-clip": "none",
    }},
    {selector: "node.owner", style: {
      "shape": "round-rectangle", "width": 290, "height": 64, "background-color": "#f7f7f7",
      "border-width": 2, "border-color": "#999", "color": "#333", "font-size": 15,
      "text-margin-x": 12, "background-width": 26, "background-height": 26,
      "background-position-x": 8, "background-position-y": 8, "background-clip": "none",
    }},
    {selector: "node.outside", style: {
      "shape": "round-rectangle", "width": 170, "height": 70, "background-color": "#fff8e6",
      "border-width": 2, "border-color": "#E69F00", "font-size": 17,
    }},
    {selector: "node.outside.dns", style: {"shape": "hexagon", "background-color": "#eef7ff",
                                           "border-color": "#56B4E9"}},
    {selector: "edge", style: {"curve-style": "bezier", "width": 2, "line-color": "#999",
                               "target-arrow-shape": "triangle", "target-arrow-color": "#999",
                               "arrow-scale": 1.2}},
    {selector: "edge.endpoint.ready", style: {"width": 3.5, "line-color": "#0072B2",
                                              "target-arrow-color": "#0072B2"}},
    {selector: "edge.endpoint.not-ready", style: {"width": 3, "line-style": "dashed",
                                                  "line-color": "#E69F00",
                                                  "target-arrow-color": "#E69F00"}},
    {selector: "edge.owns", style: {"width": 1.2, "line-color": "#bbb", "line-style": "dotted",
                                    "target-arrow-color": "#bbb", "arrow-scale": 0.8}},
    {selector: "edge.route", style: {"width": 3, "line-color": "#CC79A7",
                                     "target-arrow-color": "#CC79A7", "label": "data(label)",
                                     "font-size": 14, "text-background-color": "#fff",
                                     "text-background-opacity": 1, "text-background-padding": 3}},
    {selector: ".hidden-owner", style: {"display": "none"}},
    {selector: ":selected", style: {"overlay-color": "#326ce5", "overlay-opacity": 0.18}},
  ];
  for (const [name, s] of Object.entries(STATE_STYLE)) {
    styles.push({selector: `node.pod.${name}`, style: {
      "background-color": s.bg, "color": s.fg, "border-color": s.border, "border-style": s.style,
    }});
  }
  for (const [kind, icon] of [["rs", "rs"], ["deploy", "deploy"], ["job", "job"], ["ds", "ds"],
                              ["sts", "sts"]]) {
    styles.push({selector: `node.owner.${kind}`, style: {"background-image": `${ICONS}${icon}.svg`}});
  }
  return styles;
}

// ---- layout: a slot per element, chosen once ------------------------------------------

function takeSlot(map, key, id) {
  let used = map.get(key);
  if (!used) map.set(key, used = new Map());
  if (used.has(id)) return used.get(id);
  const taken = new Set(used.values());
  let slot = 0;
  while (taken.has(slot)) slot += 1;
  used.set(id, slot);
  return slot;
}

function freeSlot(map, id) {
  for (const used of map.values()) used.delete(id);
}

// A control plane's box holds one column of pods, a worker's two: fixed per node, so a
// node's place is decided once, when it first appears.
function columnsOf(data) {
  return data.kind === "Node" && !data.roles.includes("control-plane") ? 2 : 1;
}

function nodeX(data) {
  if (!slots.nodes.has(data.id)) {
    const width = columnsOf(data) * LAYOUT.podW;
    slots.nodes.set(data.id, slots.nextNodeX + width / 2);
    slots.nextNodeX += width + LAYOUT.nodeGap;
  }
  return slots.nodes.get(data.id);
}

function positionFor(el) {
  const d = el.data;
  if (el.group === "edges") return undefined;
  if (d.kind === "Pod") {
    const parent = cy.getElementById(d.parent);
    const cols = parent.nonempty() ? columnsOf(parent.data()) : 1;
    const x = parent.nonempty() ? nodeX(parent.data()) : 0;
    const slot = takeSlot(slots.pods, d.parent, d.id);
    return {x: x + (slot % cols - (cols - 1) / 2) * LAYOUT.podW,
            y: LAYOUT.nodeTop + 20 + Math.floor(slot / cols) * LAYOUT.podH};
  }
  if (d.kind === "Node" || d.kind === "Unscheduled") return {x: nodeX(d), y: LAYOUT.nodeTop};
  const row = rowOf(d.kind);
  const slot = takeSlot(slots.rows, row.name, d.id);
  if (row.name === "outside") return {x: LAYOUT.outsideX, y: -200 + slot * LAYOUT.outsideGap};
  return {x: slot * LAYOUT.rowGap + LAYOUT.podW / 2, y: row.y};
}

function rowOf(kind) {
  if (kind === "Service") return {name: "services", y: LAYOUT.serviceY};
  if (kind === "Ingress") return {name: "ingresses", y: LAYOUT.ingressY};
  if (kind === "Client" || kind === "UpstreamDNS") return {name: "outside", y: 0};
  return {name: "owners", y: LAYOUT.ownerY};
}

// ---- applying what the server sends ------------------------------------------------

// Long generated names are cut in the middle (the random suffix is what tells pods apart);
// the full name is in the Inspect tab.
function shorten(name, limit = 21) {
  return name.length <= limit ? name : `${name.slice(0, limit - 8)}…${name.slice(-7)}`;
}

function display(d) {
  if (!d.label || d.kind === "Node" || d.kind === "Unscheduled") return d.label || "";
  const lines = d.label.split("\n");
  lines[0] = shorten(lines[0], d.kind === "Pod" ? 19 : 28);
  if (d.kind === "Pod") {  // name, IP, STATUS: the glyph goes with the status
    lines[lines.length - 1] = `${GLYPH[d.state] || ""} ${lines[lines.length - 1]}`;
  }
  return lines.join("\n");
}

function addElement(el, animate) {
  const id = el.data.id;
  if (leaving.has(id)) {  // it came back while fading out: drop the old one now
    leaving.delete(id);
    cy.getElementById(id).stop(true).remove();
  }
  const spec = {group: el.group, data: {...el.data, display: display(el.data)},
                classes: el.classes, position: positionFor(el)};
  const added = cy.add(spec);
  applyOwnerToggle(added);
  if (animate && el.group === "nodes" && !el.data.kind?.startsWith("Node")) {
    added.style("opacity", 0);
    added.animate({style: {opacity: 1}}, {duration: 450});
  }
}

function updateElement(el) {
  const current = cy.getElementById(el.data.id);
  if (current.empty()) return addElement(el, true);
  current.data({...el.data, display: display(el.data)});
  current.classes(el.classes);
  applyOwnerToggle(current);
}

function removeElement(id, animate) {
  const current = cy.getElementById(id);
  if (current.empty()) return;
  freeSlot(slots.pods, id);
  freeSlot(slots.rows, id);
  if (!animate || current.isEdge()) {
    current.remove();
    return;
  }
  leaving.add(id);
  current.connectedEdges().remove();
  current.animate({style: {opacity: 0}}, {duration: 450, complete: () => {
    if (leaving.delete(id)) current.remove();
  }});
}

function applyChange(change, animate) {
  cy.batch(() => {
    for (const id of change.remove) removeElement(id, animate);
    for (const el of change.add) addElement(el, animate);
    for (const el of change.update) updateElement(el);
  });
  refreshSources();
}

function diffAgainstDrawn(elements) {
  const incoming = new Map(elements.map((el) => [el.data.id, el]));
  const remove = cy.elements().filter((e) => !incoming.has(e.id()) && !leaving.has(e.id()))
    .map((e) => e.id());
  const add = [], update = [];
  for (const el of elements) {
    (cy.getElementById(el.data.id).nonempty() && !leaving.has(el.data.id) ? update : add).push(el);
  }
  return {add, update, remove};
}

function onMessage(message) {
  state.messages += 1;
  if (message.seq !== state.seq + 1 && message.type !== "snapshot") {
    state.resyncs += 1;
    send({type: "resync"});
    return;
  }
  state.seq = message.seq;
  state.version = message.version;
  setClock(message.clock);
  if (message.type === "snapshot") {
    const first = cy.elements().empty();
    applyChange(diffAgainstDrawn(message.elements), !first);
    if (first) cy.fit(undefined, 24);
  } else {
    applyChange(message, true);
  }
  if (message.type === "snapshot" || message.add.length) keepInView();
}

// Move the camera (never the elements) when something new fell outside the view.
function keepInView() {
  const box = cy.elements().boundingBox();
  const view = cy.extent();
  if (box.x1 < view.x1 || box.x2 > view.x2 || box.y1 < view.y1 || box.y2 > view.y2) {
    cy.animate({fit: {eles: cy.elements(), padding: 24}}, {duration: 300});
  }
}

// ---- the socket --------------------------------------------------------------------

let socket = null;

function send(payload) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ns = encodeURIComponent(document.getElementById("namespace").value);
  socket = new WebSocket(`${scheme}://${location.host}/ws/clusters/${config.slug}/graph?namespace=${ns}`);
  setLive("connecting", "connecting…");
  socket.onopen = () => setLive("live", "live");
  socket.onmessage = (event) => onMessage(JSON.parse(event.data));
  socket.onclose = () => {
    setLive("offline", "reconnecting…");
    state.seq = 0;
    setTimeout(connect, 1000);
  };
}

function setLive(name, text) {
  const live = document.getElementById("live");
  live.dataset.state = name;
  live.textContent = text;
}

// ---- the clock -----------------------------------------------------------------------

function setClock(clock) {
  if (!clock) return;
  state.clock = clock;
  state.clockAt = performance.now();
  document.getElementById("speed").textContent =
    clock.speed === 0 ? "paused" : clock.speed === 1 ? "" : `×${clock.speed}`;
  document.querySelector(".clock").classList.toggle("paused", clock.speed === 0);
  const pause = document.getElementById("clock-pause");
  if (pause) pause.textContent = clock.speed === 0 ? "Resume" : "Pause";
  const speed = document.getElementById("clock-speed");
  if (speed && clock.speed > 0 && document.activeElement !== speed) speed.value = String(clock.speed);
  if (clock.pending) drawPending(clock.pending);
  drawClock();
}

function drawClock() {
  if (!state.clock || !state.clock.now) return;
  const passed = (performance.now() - state.clockAt) / 1000 * state.clock.speed;
  const now = new Date(Date.parse(state.clock.now) + passed * 1000);
  document.getElementById("clock").textContent =
    now.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

// ---- the drawer ------------------------------------------------------------------------

function showTab(name) {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.dataset.tab !== name;
}

async function postJSON(path, body) {
  const response = await fetch(`/clusters/${config.slug}/${path}`, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
  return {ok: response.ok, payload};
}

async function upload(mode) {
  const list = document.getElementById("apply-results");
  list.replaceChildren(line("…", "pending"));
  const {ok, payload} = await postJSON("apply", {text: document.getElementById("manifest").value, mode});
  list.replaceChildren();
  if (!ok) return list.append(line(payload.error, "error"));
  for (const result of payload.results) {
    list.append(line(result.text, result.ok ? "ok" : "error"));
    for (const warning of result.warnings) list.append(line(warning, "warning"));
  }
}

function line(text, kind) {
  const li = document.createElement("li");
  li.className = kind;
  li.textContent = text;
  return li;
}

async function readFiles(files) {
  const texts = await Promise.all([...files].map((f) => f.text()));
  document.getElementById("manifest").value = texts.map((t) => t.trim()).join("\n---\n");
}

function refreshSources() {
  const select = document.getElementById("source");
  const chosen = select.value;
  const groups = [
    ["Pods", cy.nodes("node.pod.running-ready, node.pod.running-not-ready").map((n) =>
      [`pod|${n.data("namespace")}|${n.data("name")}`, `${n.data("name")} (${n.data("ip")})`])],
    ["Nodes", cy.nodes("node.k8s-node[kind = 'Node']").map((n) =>
      [`node||${n.data("name")}`, `${n.data("name")} (${n.data("ip")})`])],
    ["Outside clients", config.clients.map((ip) => [`client||${ip}`, `client ${ip}`])],
  ];
  const key = JSON.stringify(groups);
  if (select.dataset.key === key) return;
  select.dataset.key = key;
  select.replaceChildren(...groups.map(([label, options]) => {
    const group = document.createElement("optgroup");
    group.label = label;
    for (const [value, text] of options.sort((a, b) => a[1].localeCompare(b[1]))) {
      group.append(new Option(text, value, false, value === chosen));
    }
    return group;
  }));
}

async function runCommand(event) {
  event.preventDefault();
  const [kind, namespace, name] = document.getElementById("source").value.split("|");
  const command = document.getElementById("command").value;
  const terminal = document.getElementById("terminal");
  const trace = document.getElementById("trace");
  terminal.replaceChildren(span(`$ ${command}\n`, "cmd"));
  trace.replaceChildren();
  const {ok, payload} = await postJSON("run", {source: {kind, namespace: namespace || "default", name}, command});
  if (!ok) return terminal.append(span(`${payload.error}\n`, "stderr"));
  terminal.append(span(payload.stdout, "stdout"), span(payload.stderr, "stderr"));
  if (payload.hangs) terminal.append(span("(no answer: the command hangs until interrupted)\n", "stderr"));
  terminal.append(span(`exit code ${payload.exit_code}`, payload.exit_code ? "exit bad" : "exit good"));
  for (const step of payload.trace) trace.append(line(step, "step"));
}

function span(text, kind) {
  const s = document.createElement("span");
  s.className = kind;
  s.textContent = text;
  return s;
}

function inspect(element) {
  const list = document.getElementById("inspect");
  list.replaceChildren();
  for (const [key, value] of Object.entries(element.data())) {
    if (["display", "label", "id"].includes(key)) continue;
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = key;
    dd.textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
    list.append(dt, dd);
  }
  showTab("inspect");
  loadInspect(element.id());
}

// The object behind the element, as the API server stores it, and its recent events.
async function loadInspect(id) {
  const yamlBox = document.getElementById("inspect-yaml");
  const events = document.getElementById("inspect-events");
  yamlBox.textContent = "…";
  events.replaceChildren();
  const response = await fetch(`/clusters/${config.slug}/inspect?id=${encodeURIComponent(id)}`);
  const payload = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
  if (payload.error) return (yamlBox.textContent = payload.error);
  yamlBox.textContent = payload.yaml || payload.note || "";
  if (!payload.events.length) events.append(line("no recent events", "none"));
  for (const e of payload.events) {
    const count = e.count > 1 ? ` (x${e.count})` : "";
    events.append(line(`${e.last}  ${e.type}  ${e.reason}${count}: ${e.message}`, `event ${e.type}`));
  }
}

// ---- the clock controls ------------------------------------------------------------------

async function clockAction(body) {
  const {ok, payload} = await postJSON("clock", body);
  if (!ok) return alert(payload.error);
  setClock(payload);
}

async function refreshClock() {
  const response = await fetch(`/clusters/${config.slug}/clock`).catch(() => null);
  if (response && response.ok) setClock(await response.json());
}

function drawPending(pending) {
  document.getElementById("pending-summary").textContent =
    pending.length ? `${pending.length} pending` : "nothing pending";
  document.getElementById("pending-list").replaceChildren(...pending.map((p) =>
    line(`in ${p.in.toFixed(1)} s: ${p.what}`, "pending-item")));
}

function wireClock() {
  document.getElementById("clock-pause").addEventListener("click", () => {
    const paused = state.clock && state.clock.speed === 0;
    const speed = Number(document.getElementById("clock-speed").value);
    clockAction(paused ? {action: "resume", speed} : {action: "pause"});
  });
  document.getElementById("clock-step").addEventListener("click", () =>
    clockAction({action: "step", seconds: 1}));
  document.getElementById("clock-speed").addEventListener("change", (e) => {
    if (state.clock && state.clock.speed === 0) return;  // paused: Resume uses the choice
    clockAction({action: "speed", speed: Number(e.target.value)});
  });
  refreshClock();
  setInterval(refreshClock, 3000);
}

// ---- Fire N: a bar per pod, filling as the chunks come back ------------------------------

const FIRE_CHUNK = 50;
const fireState = {running: false, total: 0, done: 0, hits: new Map(), prediction: null,
                   exits: new Map()};
window.clusterviz.fire = fireState;

async function fireN(event) {
  event.preventDefault();
  if (fireState.running) return;
  const [kind, namespace, name] = document.getElementById("source").value.split("|");
  const command = document.getElementById("command").value;
  const total = Math.max(1, Math.min(1000, Number(document.getElementById("fire-count").value) || 1));
  Object.assign(fireState, {running: true, total, done: 0, hits: new Map(), prediction: null,
                            exits: new Map(), error: null});
  document.getElementById("fire-progress").hidden = false;
  drawHistogram();
  while (fireState.done < total) {
    const count = Math.min(FIRE_CHUNK, total - fireState.done);
    const {ok, payload} = await postJSON("fire", {source: {kind, namespace: namespace || "default", name},
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
  document.getElementById("fire-bar").value = total ? done / total : 0;
  const codes = [...fireState.exits].map(([c, n]) => `exit ${c}: ${n}`).join(", ");
  document.getElementById("fire-status").textContent = fireState.error
    ? `stopped: ${fireState.error}` : `${done} of ${total}${fireState.running ? "…" : " done"}${codes ? ` (${codes})` : ""}`;
  document.getElementById("fire-prediction").textContent = !prediction ? "" :
    prediction.how === "affinity"
      ? `${prediction.service} has sessionAffinity: ClientIP, so this client sticks to ${prediction.chosen}: the rules predict every answer from it.`
      : `${prediction.service} has ${prediction.pods.length} ready endpoint(s); kube-proxy picks one uniformly at random: ${(100 / prediction.pods.length).toFixed(1)} % each.`;
  const pods = new Set([...(prediction ? prediction.pods : []), ...hits.keys()]);
  const rows = [...pods].sort().map((pod) => histogramRow(pod, hits.get(pod) || 0, total));
  if (prediction) {
    const legend = document.createElement("div");
    legend.className = "legend-line";
    legend.textContent = "predicted share";
    rows.push(legend);
  }
  document.getElementById("fire-chart").replaceChildren(...rows);
}

function histogramRow(pod, count, total) {
  const row = document.createElement("div");
  row.className = "bar";
  row.dataset.pod = pod;
  row.dataset.count = String(count);
  const name = span(pod || "(no pod answered)", "name");
  name.title = pod;
  const track = span("", "track");
  const fill = span("", "fill");
  fill.style.width = `${total ? (100 * count) / total : 0}%`;
  track.append(fill);
  const share = expectedShare(pod);
  if (share !== null) {
    const mark = span("", "expected");
    mark.style.left = `calc(${100 * share}% - 1.5px)`;
    mark.title = `predicted ${(100 * share).toFixed(1)} %`;
    track.append(mark);
  }
  row.append(name, track, span(String(count), "count"));
  return row;
}

// ---- the Terminal tab: kubectl over a websocket -------------------------------------------

const term = {socket: null, history: [], at: 0, running: false};

function terminalSocket() {
  if (term.socket && term.socket.readyState <= WebSocket.OPEN) return term.socket;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  term.socket = new WebSocket(`${scheme}://${location.host}/ws/clusters/${config.slug}/kubectl`);
  term.socket.onmessage = (event) => onTerminalMessage(JSON.parse(event.data));
  term.socket.onclose = () => setTerminalRunning(false);
  return term.socket;
}

function onTerminalMessage(message) {
  const out = document.getElementById("kubectl-output");
  if (message.type === "output") out.append(span(message.data, message.stream));
  if (message.type === "refused") { out.append(span(`${message.message}\n`, "refused")); setTerminalRunning(false); }
  if (message.type === "exit") {
    if (message.code !== null) out.append(span(`exit code ${message.code}`, message.code ? "exit bad" : "exit good"));
    setTerminalRunning(false);
  }
  out.scrollTop = out.scrollHeight;
}

function setTerminalRunning(running) {
  term.running = running;
  document.getElementById("kubectl-stop").disabled = !running;
  document.getElementById("kubectl-run").disabled = running;
}

function runKubectl(event) {
  event.preventDefault();
  const input = document.getElementById("kubectl-command");
  const command = input.value.trim();
  if (!command || term.running) return;
  if (term.history[term.history.length - 1] !== command) term.history.push(command);
  term.at = term.history.length;
  document.getElementById("kubectl-output").replaceChildren(span(`$ ${command}\n`, "cmd"));
  const payload = JSON.stringify({type: "run", command, stdin: document.getElementById("kubectl-stdin").value});
  const socket = terminalSocket();
  setTerminalRunning(true);
  if (socket.readyState === WebSocket.OPEN) socket.send(payload);
  else socket.addEventListener("open", () => socket.send(payload), {once: true});
}

function stopKubectl() {
  if (term.socket && term.socket.readyState === WebSocket.OPEN) term.socket.send(JSON.stringify({type: "stop"}));
}

function kubectlKeys(event) {
  const input = event.target;
  if (event.key === "ArrowUp" && term.at > 0) {
    term.at -= 1;
    input.value = term.history[term.at];
    event.preventDefault();
  } else if (event.key === "ArrowDown" && term.at < term.history.length) {
    term.at += 1;
    input.value = term.history[term.at] || "";
    event.preventDefault();
  } else if (event.key === "c" && event.ctrlKey && term.running) {
    stopKubectl();
    event.preventDefault();
  }
}

function wireTools() {
  wireClock();
  document.getElementById("fire-form").addEventListener("submit", fireN);
  document.getElementById("kubectl-form").addEventListener("submit", runKubectl);
  document.getElementById("kubectl-stop").addEventListener("click", stopKubectl);
  document.getElementById("kubectl-command").addEventListener("keydown", kubectlKeys);
}

function applyOwnerToggle(collection) {
  const show = document.getElementById("show-owners").checked;
  collection.filter("node.owner, edge.owns").toggleClass("hidden-owner", !show);
}

function wire() {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  document.getElementById("apply").addEventListener("click", () => upload("apply"));
  document.getElementById("create").addEventListener("click", () => upload("create"));
  document.getElementById("upload-files").addEventListener("change", (e) => readFiles(e.target.files));
  document.getElementById("request-form").addEventListener("submit", runCommand);
  document.getElementById("namespace").addEventListener("change", (e) =>
    send({type: "namespace", namespace: e.target.value}));
  document.getElementById("show-owners").addEventListener("change", () =>
    applyOwnerToggle(cy.elements()));
  document.getElementById("drawer-toggle").addEventListener("click", (e) => {
    const closed = document.body.classList.toggle("drawer-closed");
    e.target.textContent = closed ? "Show panel" : "Hide panel";
    e.target.setAttribute("aria-expanded", String(!closed));
    setTimeout(() => cy.resize(), 50);
  });
  cy.on("tap", "node, edge", (event) => inspect(event.target));
  setInterval(drawClock, 1000);
}

wire();
wireTools();
refreshSources();
connect();
