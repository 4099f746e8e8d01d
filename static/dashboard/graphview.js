// The live cluster graph: Cytoscape plus the graph websocket, for the cluster page and the
// presenter screen.
//
// The server sends a snapshot, then deltas keyed by element id (see
// clusterviz/dashboard/consumers.py). Positions are decided here, once per
// element, and never recomputed: a pod keeps its slot in its node until it is
// gone, so nothing on the screen jumps when others come and go. A gap in the
// sequence numbers asks the server for a fresh snapshot, which is applied as
// a diff against what is drawn, like any delta.
//
//   const graph = mountGraph(element, {slug, static: "/static/", fontScale: 1.4,
//                                      namespace: "" or () => "...", showOwners: bool or fn,
//                                      fitOnResize: bool, onChange() {},
//                                      onClock(clock) {}, onLive(state, text) {}});
//   graph.cy, graph.state, graph.send(payload), graph.fit()

export function mountGraph(container, opts) {
const ICONS = `${opts.static}icons/`;
const SCALE = opts.fontScale || 1;
// namespace and showOwners may be functions, read each time (the cluster page's controls)
const option = (value, fallback) => (typeof value === "function" ? value() : value ?? fallback);
const namespace = () => option(opts.namespace, "");
const showOwners = () => option(opts.showOwners, true) !== false;
const refreshSources = () => opts.onChange && opts.onChange();
const setClock = (clock) => { if (clock && opts.onClock) opts.onClock(clock); };
const setLive = (name, text) => opts.onLive && opts.onLive(name, text);
function applyOwnerToggle(collection) {
  collection.filter("node.owner, edge.owns").toggleClass("hidden-owner", !showOwners());
}
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
  container,
  style: graphStyle(),
  layout: {name: "preset"},
  minZoom: 0.15,
  maxZoom: 2.5,
});

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
  // A projector needs bigger type than a laptop: scale every font size, nothing else.
  for (const rule of styles) {
    if (rule.style["font-size"]) rule.style["font-size"] = Math.round(rule.style["font-size"] * SCALE);
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

let socket = null;

function send(payload) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ns = encodeURIComponent(namespace());
  socket = new WebSocket(`${scheme}://${location.host}/ws/clusters/${opts.slug}/graph?namespace=${ns}`);
  setLive("connecting", "connecting…");
  socket.onopen = () => setLive("live", "live");
  socket.onmessage = (event) => onMessage(JSON.parse(event.data));
  socket.onclose = () => {
    setLive("offline", "reconnecting…");
    state.seq = 0;
    setTimeout(connect, 1000);
  };
}

connect();
if (opts.fitOnResize) window.addEventListener("resize", () => { cy.resize(); cy.fit(undefined, 24); });
return {cy, state, send, fit: () => cy.animate({fit: {eles: cy.elements(), padding: 24}}, {duration: 300})};
}
