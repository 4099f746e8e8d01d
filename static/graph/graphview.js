// The live cluster graph: Cytoscape plus the graph websocket, for the cluster page and the
// presenter screen. This module only wires the parts together; each has a module of its
// own: style.js (the stylesheet), layout.js (a slot per element, chosen once), labels.js,
// changes.js (drawing a snapshot or delta), feed.js (the websocket), camera.js (legible by
// default), controls.js (zoom, Fit, fold), folds.js (finished Jobs), path.js (a request's
// path), hover.js and past.js (the timeline's moments).
//
//   const graph = mountGraph(element, {slug, static: "/static/", fontScale: 1.4,
//                                      namespace: "" or () => "...", showOwners: bool or fn,
//                                      foldJobs: bool, feed: "graph" or "follow",
//                                      onChange() {}, onClock(clock) {}, onLive(state, text) {},
//                                      onNotice(message) {}});
//   graph.cy, graph.state, graph.send(payload), graph.fit(), graph.zoomBy(factor)
//   graph.showPath(path, {list: <ol of the trace>}), graph.clearPath()
//   graph.showPast(elements), graph.pastChange(delta), graph.leavePast(), graph.isPast()
//   graph.setFold(on)
//
// graph.state is read by the pages and the browser tests: seq, version, clock, clockAt,
// messages, resyncs (feed.js), path (path.js), view (camera.js).

import {createCamera} from "./camera.js";
import {createChanges} from "./changes.js";
import {mountControls} from "./controls.js";
import {createFeed} from "./feed.js";
import {createFolds} from "./folds.js";
import {wireHover} from "./hover.js";
import {createLayout} from "./layout.js";
import {createPast} from "./past.js";
import {createPath} from "./path.js";
import {graphStyle} from "./style.js";

export function mountGraph(container, opts) {
  // namespace and showOwners may be functions, read each time (the cluster page's controls)
  const option = (value, fallback) => (typeof value === "function" ? value() : value ?? fallback);
  const scale = opts.fontScale || 1;
  const state = {seq: 0, version: null, clock: null, clockAt: 0, messages: 0, resyncs: 0,
                 path: {run: 0, done: true, outcome: null, end: null},
                 view: {clamped: false, manual: false, legibleZoom: 1}};
  const cy = cytoscape({
    container,
    style: graphStyle(`${opts.static}icons/`, scale),
    layout: {name: "preset"},
    minZoom: 0.15,
    maxZoom: 2.5,
    // every element has its place (layout.js); a dragged box would leave its pods behind
    autoungrabify: true,
  });
  const layout = createLayout(cy);
  const folds = createFolds(cy, layout, option(opts.foldJobs, false) === true);
  const changes = createChanges(cy, layout, {
    refold: folds.refold, changed: soon(opts.onChange),
    ownersShown: () => option(opts.showOwners, true) !== false,
  });
  const camera = createCamera(cy, state, scale);
  const path = createPath(cy, state);
  wireHover(cy);
  const past = createPast(container, changes, () => feed.send({type: "resync"}));
  const feed = createFeed(cy, state, {
    slug: opts.slug, feed: opts.feed, namespace: () => option(opts.namespace, ""),
    onClock: opts.onClock, onLive: opts.onLive, onNotice: opts.onNotice,
  }, {changes, folds, camera, isPast: past.isPast});
  feed.connect();
  camera.followContainerSize(container);
  mountControls(container, camera, folds);
  return {cy, state, send: feed.send, showPath: path.showPath, clearPath: path.clearPath,
          showPast: past.showPast, pastChange: past.pastChange, leavePast: past.leavePast,
          isPast: past.isPast, fit: () => camera.defaultView(true), zoomBy: camera.zoomBy,
          setFold: folds.set};
}

// The page's lists of pods and nodes follow the graph a little behind it, at most every
// 150 ms: rebuilding them is no part of drawing a change, and on 2,000 pods it costs a frame.
function soon(onChange) {
  let due = null;
  return () => {
    if (!onChange || due !== null) return;
    due = setTimeout(() => { due = null; onChange(); }, 150);
  };
}
