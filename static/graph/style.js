// The graph's Cytoscape stylesheet and its colours.
//
// Pod states use the Okabe-Ito colours, distinguishable with the common colour-vision
// deficiencies, and every state also differs by its glyph (labels.js) and its border, so a
// washed-out projector and colour-blind eyes both read it. Highlights (a request's path, a
// hover) are drawn over the state colours, never instead of them. A projector needs bigger
// type than a laptop: `scale` multiplies every font size and nothing else.

import {LAYOUT} from "./layout.js";

// The smallest label a room must read (node.pod's font size): the camera never zooms out
// further than keeps it legible (camera.js).
const SMALLEST_LABEL = 16;

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
export const FAIL_KINDS = FAIL_STYLE.map(([kind]) => kind);

export function graphStyle(icons, scale) {
  const styles = [...nodeStyles(icons), ...edgeStyles(), ...stateStyles(icons),
                  ...hoverStyles(), ...pathStyles()];
  for (const rule of styles) {
    if (rule.style["font-size"]) rule.style["font-size"] = Math.round(rule.style["font-size"] * scale);
  }
  return styles;
}

// The smallest label's size on the graph, rounded as graphStyle rounds it.
export const smallestLabel = (scale) => Math.round(SMALLEST_LABEL * scale);

// An icon in a box's top left corner.
const icon = (url, size, at) => ({
  "background-image": url, "background-width": size, "background-height": size,
  "background-position-x": at, "background-position-y": at, "background-clip": "none",
});

// Node boxes are plain nodes drawn round their pods' places, not compound parents:
// Cytoscape restyles a compound node's whole family on every property it applies, which on
// 2,000 pods cost most of the first draw. So the order is explicit: boxes at the bottom,
// edges over them, everything else on top.
function nodeStyles(icons) {
  return [
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
      "border-width": 3, "font-size": SMALLEST_LABEL, "text-max-width": LAYOUT.podW - 24,
      ...icon(`${icons}pod.svg`, 18, 4), "text-margin-x": 8,
      "transition-property": "background-color, border-color",
      "transition-duration": 300,
    }},
    {selector: "node.service", style: {
      "shape": "round-rectangle", "width": 290, "height": 104, "background-color": "#ffffff",
      "border-width": 3, "border-color": "#0072B2", "font-size": 17, "text-margin-x": 14,
      ...icon(`${icons}svc.svg`, 32, 8),
    }},
    {selector: "node.ingress", style: {
      "shape": "round-rectangle", "width": 240, "height": 72, "background-color": "#fbeef5",
      "border-width": 3, "border-color": "#CC79A7", "text-margin-x": 12,
      ...icon(`${icons}ing.svg`, 30, 8),
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
    {selector: "node.pod-fold", style: {
      "shape": "round-rectangle", "width": LAYOUT.podW - 18, "height": LAYOUT.podH - 16,
      "background-color": "#e8eef7", "border-width": 4, "border-style": "double",
      "border-color": "#0072B2", "font-size": 16, "text-max-width": LAYOUT.podW - 24,
      ...icon(`${icons}job.svg`, 18, 4),
    }},
    {selector: ".hidden-owner, .folded", style: {"display": "none"}},
    {selector: ":selected", style: {"overlay-color": "#326ce5", "overlay-opacity": 0.18}},
  ];
}

function edgeStyles() {
  return [
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
  ];
}

// A pod's state by its class; an owner's kind by its icon.
function stateStyles(icons) {
  const styles = Object.entries(STATE_STYLE).map(([name, s]) => ({
    selector: `node.pod.${name}`, style: {"background-color": s.bg, "color": s.fg,
                                          "border-color": s.border, "border-style": s.style}}));
  for (const kind of ["rs", "deploy", "job", "ds", "sts"]) {
    styles.push({selector: `node.owner.${kind}`, style: {"background-image": `${icons}${kind}.svg`}});
  }
  return styles;
}

// A halo (underlay) round what is highlighted: it leaves the state colours as they are.
const halo = (color, padding, opacity) => ({"underlay-color": color, "underlay-padding": padding,
                                            "underlay-opacity": opacity,
                                            "underlay-shape": "round-rectangle"});

function hoverStyles() {
  return [
    {selector: ".dim", style: {"opacity": 0.16}},
    {selector: "node.k8s-node.dim", style: {"opacity": 1, "background-opacity": 0.35,
                                            "border-opacity": 0.35, "text-opacity": 0.4}},
    {selector: "node.hover-focus", style: halo(HOVER, 8, 0.5)},
    {selector: "node.hover-target", style: halo(HOVER, 14, 0.7)},
    {selector: "edge.hover-focus", style: {"width": 7, "z-index": 30}},
  ];
}

// What a request touched: a halo, thick lines for its edges, the numbered hops, the dot,
// and the outcome in words on a badge (path.js).
function pathStyles() {
  return [
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
    ...FAIL_STYLE.flatMap(failStyles),
  ];
}

function failStyles([kind, color, shape]) {
  return [
    {selector: `node.path-${kind}`, style: halo(color, 18, 0.85)},
    {selector: `node.k8s-node.path-${kind}`, style: {"border-color": color, "border-width": 8}},
    {selector: `edge.path-${kind}`, style: {"line-color": color, "target-arrow-color": color}},
    {selector: `node.path-marker.fail-${kind}`, style: {
      "shape": shape, "width": 38, "height": 38, "background-color": color, "color": color,
      "text-border-color": color}},
  ];
}
