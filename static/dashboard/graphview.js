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
//                                      foldJobs: bool, onChange() {},
//                                      onClock(clock) {}, onLive(state, text) {}});
//   graph.cy, graph.state, graph.send(payload), graph.fit(), graph.zoomBy(factor)
//
// The camera follows the canvas's size; its default view keeps labels legible (see
// defaultView) and zoom/fit controls are put over the graph's corner (mountControls).
//   graph.showPath(path, {list: <ol of the trace>}), graph.clearPath()
//   graph.showPast(elements), graph.pastChange(delta), graph.leavePast(), graph.isPast()
//
// A request's path (`path` from the run endpoint, see clusterviz/operations/path.py) is
// played step by step: the trace line and the elements it touches light up together, a
// dot travels to where the request is, numbered hops are drawn between places, and the
// end (the pod that answered, or where it was refused, dropped or timed out) keeps a
// badge. It stays until the next request or a click on the background. Hovering a Service
// or a pod lights up what it is wired to and dims the rest.

export function mountGraph(container, opts) {
const ICONS = `${opts.static}icons/`;
const SCALE = opts.fontScale || 1;
// namespace and showOwners may be functions, read each time (the cluster page's controls)
const option = (value, fallback) => (typeof value === "function" ? value() : value ?? fallback);
const namespace = () => option(opts.namespace, "");
const showOwners = () => option(opts.showOwners, true) !== false;
// The page's lists of pods and nodes follow the graph a little behind it, at most every
// 150 ms: rebuilding them is no part of drawing a change, and on 2,000 pods it costs a frame.
let sourcesDue = null;
const refreshSources = () => {
  if (!opts.onChange || sourcesDue !== null) return;
  sourcesDue = setTimeout(() => { sourcesDue = null; opts.onChange(); }, 150);
};
const setClock = (clock) => { if (clock && opts.onClock) opts.onClock(clock); };
const setLive = (name, text) => opts.onLive && opts.onLive(name, text);
function applyOwnerToggle(collection) {
  collection.filter("node.owner, edge.owns").toggleClass("hidden-owner", !showOwners());
}
const LAYOUT = {
  podW: 210, podH: 96, nodeGap: 100, nodeTop: 0, boxPad: 26, boxMinH: 90,
  ownerY: -170, serviceY: -360, ingressY: -700, outsideX: -170, outsideGap: 100, rowGap: 310,
  serviceRowGap: 150,
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

const PATH = "#5b1a9e";   // a request's path: deep violet, apart from every pod-state colour
const HOVER = "#0072B2";  // hover: the Service blue
// failures: vermillion refused, dark brown dropped, black timed out; each with its own badge
const FAIL_STYLE = [["reject", "#D55E00", "octagon"], ["drop", "#6b2f00", "diamond"],
                    ["timeout", "#222222", "round-triangle"], ["unresolved", "#D55E00", "octagon"]];
const FAIL_LABEL = {reject: "✖ refused", drop: "⊘ dropped", timeout: "⌛ timed out",
                    unresolved: "✖ no such host"};
const PATH_STEP_MS = 360;   // one hop of the dot
const PATH_QUIET_MS = 140;  // a step that touches nothing drawn
const state = {seq: 0, version: null, clock: null, clockAt: 0, messages: 0, resyncs: 0,
               path: {run: 0, done: true, outcome: null, end: null},
               // clamped: the default view stopped at the legible zoom (part is off-screen);
               // manual: the user zoomed, so a resize or a new element leaves the camera alone
               view: {clamped: false, manual: false, legibleZoom: 1}};
// resized: the boxes whose pods' places changed since they were last sized
const slots = {nodes: new Map(), pods: new Map(), rows: new Map(), nextNodeX: 0, resized: new Set()};
const leaving = new Set();

// Words a person reads on the graph's own controls, in one place, in the page's language
// (the catalog script /i18n/js/<language> loads before the modules).
const TEXT = {
  zoomIn: gettext("Zoom in (+)"), zoomOut: gettext("Zoom out (−)"), fit: gettext("Fit"),
  fitTitle: gettext("Show the whole graph (0)"),
  tooBig: gettext("Too big to fit at a readable size: drag to pan, − to see it all"),
  fold: gettext("Fold finished Jobs"),
  foldTitle: gettext("Show a finished Job's pods as one box (click it to open)"),
  completed: gettext("completed"), failed: gettext("failed"),
};
// The smallest label a room must read (node.pod's font-size) and how high it must be on
// the screen: the default view never zooms out further than that.
const SMALLEST_LABEL = 16;
const LEGIBLE_PX = 12;

const cy = cytoscape({
  container,
  style: graphStyle(),
  layout: {name: "preset"},
  minZoom: 0.15,
  maxZoom: 2.5,
  // every element has its place (below); a dragged box would leave its pods behind
  autoungrabify: true,
});

function graphStyle() {
  const styles = [
    // Node boxes are plain nodes drawn round their pods' places, not compound parents:
    // Cytoscape restyles a compound node's whole family on every property it applies,
    // which on 2,000 pods cost most of the first draw. So the order is explicit: boxes at
    // the bottom, edges over them, everything else on top.
    {selector: "node", style: {
      "label": "data(display)", "text-wrap": "wrap", "font-family": "DejaVu Sans, sans-serif",
      "font-size": 17, "text-valign": "center", "text-halign": "center", "color": "#111",
      "z-index-compare": "manual", "z-index": 20,
    }},
    {selector: "node.k8s-node", style: {
      "shape": "round-rectangle", "background-color": "#f4f6fa", "border-width": 3,
      "border-color": "#326ce5", "text-valign": "top", "text-halign": "center",
      "font-size": 22, "font-weight": "bold", "text-margin-y": -8, "color": "#17306b",
      "width": "data(w)", "height": "data(h)", "z-index": 0,
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
    // straight, not bezier: a bezier edge looks for its parallel edges among every edge of
    // its Service or owner each time a style changes, which is quadratic in a 2,000-pod
    // ReplicaSet; only Ingress routes can run in parallel (two paths to one Service)
    {selector: "edge", style: {"curve-style": "straight", "z-index-compare": "manual",
                               "z-index": 10, "width": 2, "line-color": "#999",
                               "target-arrow-shape": "triangle", "target-arrow-color": "#999",
                               "arrow-scale": 1.2}},
    {selector: "edge.endpoint.ready", style: {"width": 3.5, "line-color": "#0072B2",
                                              "target-arrow-color": "#0072B2"}},
    {selector: "edge.endpoint.not-ready", style: {"width": 3, "line-style": "dashed",
                                                  "line-color": "#E69F00",
                                                  "target-arrow-color": "#E69F00"}},
    // solid, thin and pale: a dotted line costs Cytoscape a dash pattern per edge per frame,
    // which on 2,000 pods made every frame take seconds; and haystack, Cytoscape's cheapest
    // edge (no arrow, no endpoint clipping: it runs under the nodes), which drew a 2,000-pod
    // graph's first frame ~0.2 s sooner than straight edges did
    {selector: "edge.owns", style: {"curve-style": "haystack", "haystack-radius": 0,
                                    "width": 1, "line-color": "#c8c8c8", "line-style": "solid"}},
    {selector: "edge.route", style: {"curve-style": "bezier", "width": 3, "line-color": "#CC79A7",
                                     "target-arrow-color": "#CC79A7", "label": "data(label)",
                                     "font-size": 14, "text-background-color": "#fff",
                                     "text-background-opacity": 1, "text-background-padding": 3}},
    {selector: "node.pod-fold", style: {
      "shape": "round-rectangle", "width": LAYOUT.podW - 18, "height": LAYOUT.podH - 16,
      "background-color": "#e8eef7", "border-width": 4, "border-style": "double",
      "border-color": "#0072B2", "font-size": 16, "text-max-width": LAYOUT.podW - 24,
      "background-image": `${ICONS}job.svg`, "background-width": 18, "background-height": 18,
      "background-position-x": 4, "background-position-y": 4, "background-clip": "none",
    }},
    {selector: ".hidden-owner, .folded", style: {"display": "none"}},
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
  styles.push(...highlightStyle());
  // A projector needs bigger type than a laptop: scale every font size, nothing else.
  for (const rule of styles) {
    if (rule.style["font-size"]) rule.style["font-size"] = Math.round(rule.style["font-size"] * SCALE);
  }
  return styles;
}

// Highlights drawn over the state colours, never instead of them: a halo (underlay) round
// what the request touched, thick lines for its edges, and the outcome in words on a badge,
// so a washed-out projector and colour-blind eyes both read it.
function highlightStyle() {
  const halo = (color, padding, opacity) => ({"underlay-color": color, "underlay-padding": padding,
                                              "underlay-opacity": opacity,
                                              "underlay-shape": "round-rectangle"});
  const styles = [
    {selector: ".dim", style: {"opacity": 0.16}},
    {selector: "node.k8s-node.dim", style: {"opacity": 1, "background-opacity": 0.35,
                                            "border-opacity": 0.35, "text-opacity": 0.4}},
    {selector: "node.hover-focus", style: halo(HOVER, 8, 0.5)},
    {selector: "node.hover-target", style: halo(HOVER, 14, 0.7)},
    {selector: "edge.hover-focus", style: {"width": 7, "z-index": 30}},
    {selector: "node.path", style: halo(PATH, 10, 0.55)},
    {selector: "node.pod.path", style: {"border-width": 6}},
    {selector: "node.k8s-node.path", style: halo(PATH, 6, 0.3)},
    {selector: "node.k8s-node.path-decide", style: {"border-color": PATH, "border-width": 8}},
    {selector: "node.path-now", style: halo(PATH, 20, 0.85)},
    {selector: "node.path-end", style: halo(PATH, 16, 0.8)},
    {selector: "edge.path", style: {"width": 9, "line-color": PATH, "target-arrow-color": PATH,
                                    "line-style": "solid", "z-index": 40}},
    {selector: "node.path-hover", style: halo(HOVER, 22, 0.8)},
    {selector: "edge.path-hover", style: {"width": 12, "line-color": HOVER, "target-arrow-color": HOVER}},
    {selector: "edge.path-hop", style: {
      "curve-style": "bezier", "width": 6, "line-color": PATH, "line-style": "dashed",
      "line-dash-pattern": [16, 8], "target-arrow-shape": "triangle", "target-arrow-color": PATH,
      "arrow-scale": 1.7, "label": "data(label)", "font-size": 20, "font-weight": "bold",
      "color": "#ffffff", "text-background-color": PATH, "text-background-opacity": 1,
      "text-background-shape": "round-rectangle", "text-background-padding": 5,
      "z-compound-depth": "top", "z-index": 60, "events": "no",
    }},
    {selector: "node.path-marker", style: {
      "shape": "ellipse", "width": 30, "height": 30, "background-color": PATH,
      "border-width": 4, "border-color": "#ffffff", "label": "data(label)", "font-size": 20,
      "font-weight": "bold", "color": PATH, "text-halign": "right", "text-valign": "center",
      "text-margin-x": 8, "text-background-color": "#ffffff", "text-background-opacity": 1,
      "text-background-padding": 4, "text-background-shape": "round-rectangle",
      "text-border-width": 3, "text-border-color": PATH, "text-border-opacity": 1,
      "z-compound-depth": "top", "z-index": 100, "events": "no",
    }},
  ];
  for (const [kind, color, shape] of FAIL_STYLE) {
    styles.push({selector: `node.path-${kind}`, style: halo(color, 18, 0.85)});
    styles.push({selector: `node.k8s-node.path-${kind}`, style: {"border-color": color, "border-width": 8}});
    styles.push({selector: `edge.path-${kind}`, style: {"line-color": color, "target-arrow-color": color}});
    styles.push({selector: `node.path-marker.fail-${kind}`, style: {
      "shape": shape, "width": 38, "height": 38, "background-color": color, "color": color,
      "text-border-color": color}});
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
  if (map === slots.pods) slots.resized.add(key);
  return slot;
}

function freeSlot(map, id) {
  for (const [key, used] of map) {
    if (used.delete(id) && map === slots.pods) slots.resized.add(key);
  }
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

// A box spans its pods' rows (at least one box's height) and grows downwards.
function boxShape(id, data) {
  const cols = columnsOf(data);
  const used = slots.pods.get(id);
  const rows = used && used.size ? Math.floor(Math.max(...used.values()) / cols) + 1 : 0;
  const w = cols * LAYOUT.podW - 18 + 2 * LAYOUT.boxPad;
  const h = Math.max(rows * LAYOUT.podH - 16 + 2 * LAYOUT.boxPad, LAYOUT.boxMinH);
  const top = LAYOUT.nodeTop + 20 - (LAYOUT.podH - 16) / 2 - LAYOUT.boxPad;
  return {w, h, position: {x: nodeX(data), y: top + h / 2}};
}

function resizeBoxes() {
  for (const id of slots.resized) {
    const box = cy.getElementById(id);
    if (box.empty()) continue;
    const {w, h, position} = boxShape(id, box.data());
    if (box.data("w") !== w || box.data("h") !== h) box.data({w, h});
    box.position(position);
  }
  slots.resized.clear();
}

function positionFor(el) {
  const d = el.data;
  if (el.group === "edges") return undefined;
  if (d.kind === "Pod") {
    const box = cy.getElementById(d.box);
    const cols = box.nonempty() ? columnsOf(box.data()) : 1;
    const x = box.nonempty() ? nodeX(box.data()) : 0;
    const slot = takeSlot(slots.pods, d.box, d.id);
    return {x: x + (slot % cols - (cols - 1) / 2) * LAYOUT.podW,
            y: LAYOUT.nodeTop + 20 + Math.floor(slot / cols) * LAYOUT.podH};
  }
  if (isBox(el)) return boxShape(d.id, d).position;
  const row = rowOf(d.kind);
  const slot = takeSlot(slots.rows, row.name, d.id);
  if (row.name === "outside") return {x: LAYOUT.outsideX, y: -200 + slot * LAYOUT.outsideGap};
  if (row.name === "services") return servicePlace(slot);
  return {x: slot * LAYOUT.rowGap + LAYOUT.podW / 2, y: row.y};
}

// Services wrap at the nodes' width (at least four a row), the next row above: the
// lecture's eight Services in one row made the graph twice as wide as its nodes, which on
// a projector meant labels too small to read. The Ingress row sits above two such rows.
function servicePlace(slot) {
  const span = slots.nextNodeX - LAYOUT.nodeGap;
  const perRow = Math.max(4, Math.floor((span - 250) / LAYOUT.rowGap) + 1);
  return {x: (slot % perRow) * LAYOUT.rowGap + LAYOUT.podW / 2,
          y: LAYOUT.serviceY - Math.floor(slot / perRow) * LAYOUT.serviceRowGap};
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

const isBox = (el) => el.data.kind === "Node" || el.data.kind === "Unscheduled";

// The server's `parent` (the node a pod runs on) is kept as `box`: see the styles.
function dataOf(el) {
  const {parent, ...data} = el.data;
  data.display = display(data);
  if (parent) data.box = parent;
  if (isBox(el)) {
    const {w, h} = boxShape(data.id, data);
    Object.assign(data, {w, h});
  }
  return data;
}

// One cy.add per call, not per element: Cytoscape's per-add bookkeeping over 2,000 pods
// cost more than the pods. Node boxes go first: a pod's place is taken from its box.
function addElements(els, animate) {
  for (const group of [els.filter(isBox), els.filter((el) => !isBox(el))]) {
    if (!group.length) continue;
    const specs = group.map((el) => {
      const id = el.data.id;
      if (leaving.has(id)) {  // it came back while fading out: drop the old one now
        leaving.delete(id);
        cy.getElementById(id).stop(true).remove();
      }
      const data = dataOf(el);
      return {group: el.group, data, classes: el.classes, position: positionFor({...el, data})};
    });
    const added = cy.add(specs);
    applyOwnerToggle(added);
    if (animate) {
      const fading = added.filter((e) => e.isNode() && !e.data("kind")?.startsWith("Node"));
      fading.style("opacity", 0);
      fading.animate({style: {opacity: 1}}, {duration: 450});
    }
  }
}

function updateElement(el) {
  const current = cy.getElementById(el.data.id);
  if (current.empty()) return addElements([el], true);
  const data = dataOf(el);
  if (data.box !== current.data("box")) {  // scheduled: from the Unscheduled box to its node
    freeSlot(slots.pods, data.id);
    current.position(positionFor({...el, data}));
  }
  current.data(data);
  // the server's classes replace the old ones; a highlight on it stays
  const kept = current.classes().filter((c) => /^(path|hover-|dim$)/.test(c));
  current.classes(el.classes);
  current.addClass(kept.join(" "));
  applyOwnerToggle(current);
}

// A node fading out keeps its place (and its box its size) until it is gone; one that
// comes back meanwhile takes the same place.
function removeElement(id, animate) {
  const current = cy.getElementById(id);
  if (current.empty()) return;
  const free = () => { freeSlot(slots.pods, id); freeSlot(slots.rows, id); };
  if (!animate || current.isEdge()) {
    free();
    current.remove();
    return;
  }
  leaving.add(id);
  current.connectedEdges().remove();
  current.animate({style: {opacity: 0}}, {duration: 450, complete: () => {
    if (!leaving.delete(id)) return;
    free();
    current.remove();
    cy.batch(resizeBoxes);
  }});
}

function applyChange(change, animate) {
  cy.batch(() => {
    for (const id of change.remove) removeElement(id, animate);
    addElements(change.add, animate);
    for (const el of change.update) updateElement(el);
    refold();
    resizeBoxes();
  });
  refreshSources();
}

function diffAgainstDrawn(elements) {
  const incoming = new Map(elements.map((el) => [el.data.id, el]));
  const remove = cy.elements().not(".pod-fold")  // drawn here, not sent: see refold
    .filter((e) => !incoming.has(e.id()) && !leaving.has(e.id()))
    .map((e) => e.id());
  const add = [], update = [];
  for (const el of elements) {
    (cy.getElementById(el.data.id).nonempty() && !leaving.has(el.data.id) ? update : add).push(el);
  }
  return {add, update, remove};
}

// The past (clusterviz/history): while the timeline shows a moment of the past, the live
// feed keeps its sequence but draws nothing; leaving asks for a fresh snapshot, drawn as a
// diff like any resync.
let past = false;

function showPast(elements) {
  past = true;
  container.classList.add("past");
  applyChange(diffAgainstDrawn(elements), false);
}

function pastChange(change) {
  if (past) applyChange(change, true);
}

function leavePast() {
  if (!past) return;
  past = false;
  container.classList.remove("past");
  send({type: "resync"});
}

function onMessage(message) {
  if (message.type !== "snapshot" && message.type !== "delta") {
    // beside the feed, without a seq: "viewers" (the teacher follows), "refused"
    if (opts.onNotice) opts.onNotice(message);
    return;
  }
  state.messages += 1;
  if (past) {
    state.seq = message.seq;
    return;
  }
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
    const change = diffAgainstDrawn(message.elements);
    applyChange(change, !first);
    if (first && folds.hidden.size) compactBoxes();
    if (first) defaultView(false);
    else keepInView(change.add);
  } else {
    applyChange(message, true);
    if (message.add.length) keepInView(message.add);
  }
}

// Move the camera (never the elements) when something new fell outside the view. Judged
// from each new node's centre and a pod's size: a bounding box would compute the styles
// and measure the labels of everything new, which costs more than drawing the delta.
function keepInView(added) {
  const view = cy.extent();
  const [w, h] = [LAYOUT.podW / 2, LAYOUT.podH / 2];
  const outside = added.some((el) => {
    if (el.group !== "nodes") return false;
    const node = cy.getElementById(el.data.id);
    if (node.empty() || isBoxElement(node)) return false;  // a box is where its pods are
    const {x, y} = node.position();
    return x - w < view.x1 || x + w > view.x2 || y - h < view.y1 || y + h > view.y2;
  });
  if (outside && !state.view.manual) defaultView(true);
}

let socket = null;

function send(payload) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ns = encodeURIComponent(namespace());
  const url = `${scheme}://${location.host}/ws/clusters/${opts.slug}/${opts.feed || "graph"}?namespace=${ns}`;
  // the page may have opened this very feed before its scripts loaded (earlyfeed.js)
  const early = window.clustervizEarlyFeed;
  window.clustervizEarlyFeed = null;  // adopted once: a reconnect opens its own
  const adopt = early && early.url === url && early.socket.readyState <= WebSocket.OPEN;
  if (early && !adopt) early.socket.close();
  socket = adopt ? early.socket : new WebSocket(url);
  setLive("connecting", gettext("connecting…"));
  socket.onopen = () => setLive("live", gettext("live"));
  const handle = (event) => onMessage(JSON.parse(event.data));
  socket.onmessage = handle;
  if (adopt && socket.readyState === WebSocket.OPEN) setLive("live", gettext("live"));
  if (adopt && early.messages.length) {
    // what it had so far, in a task of its own once the page has finished setting up;
    // what arrives meanwhile waits behind it, in order
    const queue = early.messages;
    socket.onmessage = (event) => queue.push(event);
    setTimeout(() => { queue.forEach(handle); socket.onmessage = handle; });
  }
  socket.onclose = () => {
    setLive("offline", gettext("reconnecting…"));
    state.seq = 0;
    setTimeout(connect, 1000);
  };
}

// ---- a request's path ---------------------------------------------------------------

const PATH_CLASSES = ["path", "path-now", "path-decide", "path-end", "path-source", "path-fail",
                      "path-hover", ...FAIL_STYLE.map(([kind]) => `path-${kind}`)].join(" ");
const playing = {list: null, unwire: []};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function byIds(ids) {
  let found = cy.collection();
  for (const id of ids || []) found = found.union(cy.getElementById(id));
  return found;
}

function clearPath() {
  state.path = {run: state.path.run + 1, done: true, outcome: null, end: null};
  cy.batch(() => {
    cy.elements().removeClass(PATH_CLASSES);
    cy.elements(".path-hop, .path-marker").remove();
  });
  for (const undo of playing.unwire) undo();
  playing.unwire = [];
  for (const li of playing.list ? playing.list.children : []) {
    li.classList.remove("path-now", "path-done", "path-fail");
  }
  playing.list = null;
}

const isBoxElement = (element) => element.hasClass("k8s-node");

// Where the dot stops on an element: a node box at its name (its rules decide), else the middle.
function anchor(element) {
  if (!isBoxElement(element)) return {...element.position()};
  const box = element.boundingBox({includeLabels: false});
  return {x: (box.x1 + box.x2) / 2, y: box.y1 + 16};
}

function marker() {
  const found = cy.getElementById("path:marker");
  if (found.nonempty()) return found;
  return cy.add({group: "nodes", data: {id: "path:marker", label: ""}, classes: "path-marker",
                 position: {x: 0, y: 0}});
}

function moveMarker(target) {
  const dot = marker();
  const moved = dot.animation({position: anchor(target), duration: PATH_STEP_MS,
                               easing: "ease-in-out-sine"}).play().promise();
  return Promise.race([moved, sleep(PATH_STEP_MS + 150)]);  // a hidden tab runs no frames
}

// The numbered hops drawn between places. A node the request only passes on the way into
// one of its own pods (or out of one) is not a place of its own: the hop goes pod to pod,
// across the node boxes. Going back to a place already visited (the DNS answer, the
// response) draws nothing.
function planHops(path) {
  const el = (id) => cy.getElementById(id);
  const contains = (outer, inner) => el(inner).data("box") === outer;
  const points = [];
  let last = null;
  if (path.source && el(path.source).nonempty()) points.push({id: last = path.source, step: -1});
  path.steps.forEach((step, i) => {
    if (step.at && step.at !== last && el(step.at).nonempty()) points.push({id: last = step.at, step: i});
  });
  const kept = points.filter((p, k) => !(k > 0 && contains(p.id, points[k - 1].id)) &&
                                       !(k + 1 < points.length && contains(p.id, points[k + 1].id)));
  const hops = new Map();
  const visited = new Set();
  for (let k = 1; k < kept.length; k++) {
    const from = kept[k - 1].id, to = kept[k].id;
    visited.add(from);
    if (visited.has(to) || contains(from, to) || contains(to, from)) continue;
    hops.set(kept[k].step, {from, to});
  }
  return hops;
}

function addHop(hop, number) {
  const id = `path:hop:${number}`;
  if (cy.getElementById(id).nonempty()) return;
  if (cy.getElementById(hop.from).empty() || cy.getElementById(hop.to).empty()) return;
  cy.add({group: "edges", classes: "path-hop",
          data: {id, source: hop.from, target: hop.to, label: String(number)}});
}

// Hovering a trace line shows its part of the graph again.
function wireTraceHover(items, steps) {
  items.forEach((li, i) => {
    const step = steps[i];
    if (!step) return;
    const enter = () => byIds(step.ids).addClass("path-hover");
    const leave = () => cy.elements(".path-hover").removeClass("path-hover");
    li.addEventListener("mouseenter", enter);
    li.addEventListener("mouseleave", leave);
    playing.unwire.push(() => { li.removeEventListener("mouseenter", enter);
                                li.removeEventListener("mouseleave", leave); });
  });
}

function markStep(items, i, step) {
  items.forEach((li, j) => li.classList.toggle("path-now", j === i));
  if (items[i]) items[i].classList.add("path-done");
  if (items[i] && step.fail) items[i].classList.add("path-fail");
  cy.elements(".path-now").removeClass("path-now");
  const touched = byIds(step.ids);
  touched.addClass("path path-now");
  if (step.step === "proxy") touched.filter("node.k8s-node").addClass("path-decide");
  if (step.fail) touched.addClass(`path-fail path-${step.fail}`);
  return touched;
}

async function showPath(path, options = {}) {
  clearPath();
  if (!path || !Array.isArray(path.steps)) return;
  const run = state.path.run;
  state.path = {run, done: false, outcome: path.outcome, end: path.end};
  playing.list = options.list || null;
  const items = playing.list ? [...playing.list.children] : [];
  wireTraceHover(items, path.steps);
  const hops = planHops(path);
  const source = cy.getElementById(path.source || "");
  if (source.nonempty()) {
    source.addClass("path path-source");
    marker().position(anchor(source));
  }
  let at = path.source;
  for (let i = 0; i < path.steps.length; i++) {
    if (run !== state.path.run) return;
    const step = path.steps[i];
    const touched = markStep(items, i, step);
    if (hops.has(i)) addHop(hops.get(i), i + 1);
    const target = step.at ? cy.getElementById(step.at) : cy.collection();
    if (target.nonempty() && step.at !== at) {
      at = step.at;
      await moveMarker(target);
    } else {
      await sleep(touched.nonempty() ? PATH_STEP_MS : PATH_QUIET_MS);
    }
  }
  if (run !== state.path.run) return;
  finishPath(path, items);
}

// The last word stays on the graph: a badge where the request ended, in words.
function finishPath(path, items) {
  cy.elements(".path-now").removeClass("path-now");
  items.forEach((li) => li.classList.remove("path-now"));
  const end = cy.getElementById(path.end || "");
  const failed = FAIL_LABEL[path.outcome];
  if (end.empty()) {
    cy.getElementById("path:marker").remove();
  } else {
    end.addClass(failed ? `path path-end path-fail path-${path.outcome}` : "path path-end");
    const dot = marker();
    dot.data("label", failed || "✔ answered");
    if (failed) dot.addClass(`fail-${path.outcome}`);
    dot.position(badgeSpot(end));
  }
  state.path = {...state.path, done: true};
}

// the badge sits on the top right corner of a pod or a box, its words to the right
function badgeSpot(element) {
  if (isBoxElement(element)) return anchor(element);
  const box = element.boundingBox({includeLabels: false});
  return {x: box.x2 - 8, y: box.y1 + 8};
}

cy.on("tap", (event) => { if (event.target === cy) clearPath(); });

// ---- hover: what a Service or a pod is wired to ------------------------------------

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

function focusOn(target) {
  const focus = wiredTo(target).union(target);
  const keep = focus.union(byIds(focus.nodes("node.pod").map((pod) => pod.data("box"))));
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

// ---- the camera: legible by default --------------------------------------------------
// The default view fits the graph, but never below the zoom at which the smallest label is
// LEGIBLE_PX high on the screen: a projected graph whose text cannot be read is no use, so
// when it cannot fit at that size it is shown from its top left (or centred, along an axis
// where it fits), the rest a drag away, and the Fit control says so.

const shown = () => cy.elements().not(".hidden-owner, .folded, .path-marker, .path-hop");

function defaultView(animate) {
  const eles = shown();
  if (eles.empty() || !cy.width() || !cy.height()) return;
  const pad = 24;
  const box = eles.boundingBox();
  const fits = Math.min((cy.width() - 2 * pad) / Math.max(box.w, 1),
                        (cy.height() - 2 * pad) / Math.max(box.h, 1));
  const legible = LEGIBLE_PX / Math.round(SMALLEST_LABEL * SCALE);  // as graphStyle rounds it
  const zoom = Math.min(Math.max(fits, legible), cy.maxZoom());
  const place = (size, lo, span) => (span * zoom <= size - 2 * pad
    ? (size - span * zoom) / 2 - lo * zoom : pad - lo * zoom);
  const pan = {x: place(cy.width(), box.x1, box.w), y: place(cy.height(), box.y1, box.h)};
  state.view = {clamped: fits < legible, manual: false, legibleZoom: legible};
  cy.stop(true);
  if (animate) cy.animate({zoom, pan}, {duration: 300});
  else cy.viewport({zoom, pan});
  showViewState();
}

function zoomBy(factor) {
  state.view.manual = true;
  const zoom = Math.min(Math.max(cy.zoom() * factor, cy.minZoom()), cy.maxZoom());
  cy.zoom({level: zoom, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}});
}

// Hide panel, full screen and the window all change the canvas: follow it, and keep the
// default view unless the user chose a camera of their own.
function followContainerSize() {
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

let controls = null;

function showViewState() {
  if (!controls) return;
  controls.note.hidden = !state.view.clamped;
  controls.fit.classList.toggle("clamped", state.view.clamped);
  controls.fit.title = state.view.clamped ? TEXT.tooBig : TEXT.fitTitle;
}

function button(text, title, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  b.setAttribute("aria-label", title);
  b.addEventListener("click", onClick);
  return b;
}

// Zoom in/out, Fit and the Job fold, over the graph's corner; keys +, - and 0 anywhere
// but in a text field.
function mountControls() {
  const host = container.parentElement;
  if (!host) return;
  const box = document.createElement("div");
  box.className = "graph-controls";
  box.setAttribute("role", "group");
  const fit = button(TEXT.fit, TEXT.fitTitle, () => defaultView(true));
  const fold = button(TEXT.fold, TEXT.foldTitle, () => {
    folds.on = !folds.on;
    folds.open.clear();
    cy.batch(() => { refold(); resizeBoxes(); });
    fold.setAttribute("aria-pressed", String(folds.on));
  });
  fold.setAttribute("aria-pressed", String(folds.on));
  fold.className = "fold";
  const note = document.createElement("span");
  note.className = "graph-note";
  note.textContent = TEXT.tooBig;
  note.hidden = true;
  box.append(button("+", TEXT.zoomIn, () => zoomBy(1.25)),
             button("−", TEXT.zoomOut, () => zoomBy(0.8)), fit, fold, note);
  host.append(box);
  controls = {box, fit, note, fold};
  showViewState();
  document.addEventListener("keydown", zoomKeys);
}

function zoomKeys(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  if (event.key === "+" || event.key === "=") zoomBy(1.25);
  else if (event.key === "-" || event.key === "_") zoomBy(0.8);
  else if (event.key === "0") defaultView(true);
  else return;
  event.preventDefault();
}

cy.on("scrollzoom", () => { state.view.manual = true; });

// ---- finished Jobs' pods, folded into one box --------------------------------------
// A Job's finished pods (Succeeded: `completed`, Failed: `error`) are hidden and one box
// per Job says "N completed / M failed"; a click opens it. A hidden pod gives up its slot
// in its node's box (the box shrinks, a later pod may take it: that is the point, the
// failures of step 1 stop pushing step 3's pods down); opened, it takes a free slot again,
// unseen while it was hidden, so nothing on the screen jumps.

const folds = {on: option(opts.foldJobs, false) === true, open: new Set(), hidden: new Set()};
const FINISHED = "node.pod.completed, node.pod.error";

function refold() {
  const wanted = new Map();
  if (folds.on) {
    for (const job of cy.nodes("node.owner.job")) {
      if (folds.open.has(job.id())) continue;
      const pods = job.outgoers("edge.owns").targets(FINISHED);
      if (pods.length >= 2) wanted.set(`fold/${job.id()}`, {job, pods});
    }
  }
  const keep = new Set([...wanted.values()].flatMap(({pods}) => pods.map((pod) => pod.id())));
  for (const id of folds.hidden) if (!keep.has(id)) unhide(id);
  cy.nodes("node.pod-fold").filter((f) => !wanted.has(f.id())).forEach((f) => {
    freeSlot(slots.pods, f.id());
    f.remove();
  });
  for (const [id, {job, pods}] of wanted) drawFold(id, job, pods);
}

// On the first draw, folded pods took slots before they were folded: give the boxes'
// slots out again to what is shown (a fold box first), before anything was seen in place.
function compactBoxes() {
  for (const used of slots.pods.values()) used.clear();
  for (const box of slots.pods.keys()) slots.resized.add(box);
  const shown = cy.nodes("node.pod-fold").union(cy.nodes("node.pod").not(".folded"));
  cy.batch(() => {
    for (const node of shown) {
      node.position(positionFor({group: "nodes", data: {...node.data(), kind: "Pod"}}));
    }
    resizeBoxes();
  });
}

function unhide(id) {
  folds.hidden.delete(id);
  const pod = cy.getElementById(id);
  if (pod.empty()) return;
  pod.position(positionFor({group: "nodes", data: pod.data()}));
  pod.removeClass("folded");
}

function drawFold(id, job, pods) {
  for (const pod of pods) {
    if (!folds.hidden.has(pod.id())) {
      folds.hidden.add(pod.id());
      freeSlot(slots.pods, pod.id());
    }
  }
  pods.addClass("folded");  // again after an update, which resets a pod's classes
  const done = pods.filter(".completed").length;
  const display = `${shorten(job.data("name") || "", 19)}\n${done} ${TEXT.completed}\n` +
                  `${pods.length - done} ${TEXT.failed}`;
  let fold = cy.getElementById(id);
  if (fold.empty()) {
    const data = {id, kind: "Fold", job: job.id(), box: pods[0].data("box"), display};
    fold = cy.add({group: "nodes", classes: "pod-fold", data,
                   position: positionFor({group: "nodes", data: {...data, kind: "Pod"}})});
  }
  if (fold.data("display") !== display) fold.data("display", display);
}

cy.on("tap", "node.pod-fold", (event) => {
  folds.open.add(event.target.data("job"));
  cy.batch(() => { refold(); resizeBoxes(); });
});

connect();
followContainerSize();
mountControls();
return {cy, state, send, showPath, clearPath, showPast, pastChange, leavePast,
        isPast: () => past, fit: () => defaultView(true), zoomBy,
        setFold: (on) => { folds.on = on; folds.open.clear(); cy.batch(() => { refold(); resizeBoxes(); }); }};
}
