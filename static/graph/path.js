// A request's path, played on the graph.
//
// `path` comes from the run endpoint (see clusterviz/operations/path.py): its source, its
// steps (each with what it touched, `ids`, and where the request is, `at`) and its end.
// It is played step by step: the trace line and the elements it touches light up
// together, a dot travels to where the request is, numbered hops are drawn between places,
// and the end (the pod that answered, or where it was refused, dropped or timed out) keeps
// a badge in words. It stays until the next request or a click on the background.
// Hovering a trace line shows its part of the graph again.
//
// state.path: {run (counts the paths shown: a newer one stops an older one's play), done,
//              outcome, end}

import {byIds, isBoxElement} from "./select.js";
import {FAIL_KINDS} from "./style.js";

const STEP_MS = 360;   // one hop of the dot
const QUIET_MS = 140;  // a step that touches nothing drawn
const FAIL_LABEL = {reject: gettext("✖ refused"), drop: gettext("⊘ dropped"),
                    timeout: gettext("⌛ timed out"), unresolved: gettext("✖ no such host")};
const ANSWERED = gettext("✔ answered");
const CLASSES = ["path", "path-now", "path-decide", "path-end", "path-source", "path-fail",
                 "path-hover", ...FAIL_KINDS.map((kind) => `path-${kind}`)].join(" ");
const MARKER = "path:marker";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createPath(cy, state) {
  const playing = {list: null, unwire: []};  // the trace's <ol>, and how to unhook its lines

  function clearPath() {
    state.path = {run: state.path.run + 1, done: true, outcome: null, end: null};
    cy.batch(() => {
      cy.elements().removeClass(CLASSES);
      cy.elements(".path-hop, .path-marker").remove();
    });
    for (const undo of playing.unwire) undo();
    playing.unwire = [];
    for (const li of playing.list ? playing.list.children : []) {
      li.classList.remove("path-now", "path-done", "path-fail");
    }
    playing.list = null;
  }

  // Where the dot stops on an element: a node box at its name (its rules decide), else the middle.
  function anchor(element) {
    if (!isBoxElement(element)) return {...element.position()};
    const box = element.boundingBox({includeLabels: false});
    return {x: (box.x1 + box.x2) / 2, y: box.y1 + 16};
  }

  // the badge sits on the top right corner of a pod or a box, its words to the right
  function badgeSpot(element) {
    if (isBoxElement(element)) return anchor(element);
    const box = element.boundingBox({includeLabels: false});
    return {x: box.x2 - 8, y: box.y1 + 8};
  }

  function marker() {
    const found = cy.getElementById(MARKER);
    if (found.nonempty()) return found;
    return cy.add({group: "nodes", data: {id: MARKER, label: ""}, classes: "path-marker",
                   position: {x: 0, y: 0}});
  }

  function moveMarker(target) {
    const moved = marker().animation({position: anchor(target), duration: STEP_MS,
                                      easing: "ease-in-out-sine"}).play().promise();
    return Promise.race([moved, sleep(STEP_MS + 150)]);  // a hidden tab runs no frames
  }

  // The numbered hops drawn between places. A node the request only passes on the way into
  // one of its own pods (or out of one) is not a place of its own: the hop goes pod to pod,
  // across the node boxes. Going back to a place already visited (the DNS answer, the
  // response) draws nothing.
  function planHops(path) {
    const contains = (outer, inner) => cy.getElementById(inner).data("box") === outer;
    const points = placesOf(path);
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

  // where the request went, in order, each place once in a row: {id, step} (-1: the source)
  function placesOf(path) {
    const drawn = (id) => cy.getElementById(id).nonempty();
    const points = [];
    let last = null;
    if (path.source && drawn(path.source)) points.push({id: last = path.source, step: -1});
    path.steps.forEach((step, i) => {
      if (step.at && step.at !== last && drawn(step.at)) points.push({id: last = step.at, step: i});
    });
    return points;
  }

  function addHop(hop, number) {
    const id = `path:hop:${number}`;
    if (cy.getElementById(id).nonempty()) return;
    if (cy.getElementById(hop.from).empty() || cy.getElementById(hop.to).empty()) return;
    cy.add({group: "edges", classes: "path-hop",
            data: {id, source: hop.from, target: hop.to, label: String(number)}});
  }

  function wireTraceHover(items, steps) {
    items.forEach((li, i) => {
      const step = steps[i];
      if (!step) return;
      const enter = () => byIds(cy, step.ids).addClass("path-hover");
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
    const touched = byIds(cy, step.ids);
    touched.addClass("path path-now");
    if (step.step === "proxy") touched.filter("node.k8s-node").addClass("path-decide");
    if (step.fail) touched.addClass(`path-fail path-${step.fail}`);
    return touched;
  }

  // options.list: the trace's <ol>, one line per step, lit up in step with the graph
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
      if (run !== state.path.run) return;  // a newer path (or a clear) took over
      const step = path.steps[i];
      const touched = markStep(items, i, step);
      if (hops.has(i)) addHop(hops.get(i), i + 1);
      const target = step.at ? cy.getElementById(step.at) : cy.collection();
      if (target.nonempty() && step.at !== at) {
        at = step.at;
        await moveMarker(target);
      } else {
        await sleep(touched.nonempty() ? STEP_MS : QUIET_MS);
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
      cy.getElementById(MARKER).remove();
    } else {
      end.addClass(failed ? `path path-end path-fail path-${path.outcome}` : "path path-end");
      const dot = marker();
      dot.data("label", failed || ANSWERED);
      if (failed) dot.addClass(`fail-${path.outcome}`);
      dot.position(badgeSpot(end));
    }
    state.path = {...state.path, done: true};
  }

  cy.on("tap", (event) => { if (event.target === cy) clearPath(); });

  return {showPath, clearPath};
}
