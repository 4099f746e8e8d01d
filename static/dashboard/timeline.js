// The timeline under the graph (clusterviz/history): the cluster's recent past with its
// marks, a handle that shows the graph as it was (read-only, marked "past"), "Replay from
// here" at x1/x5/x20, and "Restore to here".
//
//   const timeline = mountTimeline(document.getElementById("timeline"), graph, {slug,
//                                  namespace: () => "..."});
//   timeline.pastAt()   // the moment shown, or null when the graph is live
//   timeline.settled()  // resolves once every move asked for has been drawn
//
// Words a person reads come from the template's data-word-* attributes (translated there).
// The handle's scale is timeline seconds (`at`, see clusterviz/history/models.py); the span
// is reloaded every few seconds and whenever the handle is grabbed. The handle and the
// buttons that act on its moment stay disabled until the first span has come: before it the
// handle's range is 0..0, and a moment read from it lies before the history.
//
// Answers can come back out of order (a drag asks for several moments; a slow answer for an
// early one can land after the answer for where the handle stopped). Each move takes a
// number, and an answer is drawn only while its number is the latest: the graph always shows
// the last moment asked for, or live if that was asked last.

import {element} from "../lib/dom.js";
import {postJSON, readJSON} from "../lib/http.js";

const REFRESH_MS = 5000;
const DRAG_DEBOUNCE_MS = 120;
const MAX_IDLE_MS = 3000;  // a replay skips quiet stretches longer than this

export function mountTimeline(root, graph, opts) {
  const part = (name) => root.querySelector(`[data-part="${name}"]`);
  const word = (name) => root.dataset[`word${name}`] || name;
  const handle = part("handle"), marks = part("marks"), when = part("when"), badge = part("badge");
  let span = {start: 0, now: 0, marks: []};
  let shown = null;  // the moment drawn, null when live
  let replaying = null;
  let dragTimer = null;
  let asked = 0;  // the number of the latest move (showAt, replay, goLive)
  const inFlight = new Set();

  function track(promise) {
    inFlight.add(promise);
    promise.finally(() => inFlight.delete(promise));
    return promise;
  }

  async function settled() {
    const pause = () => new Promise((resolve) => setTimeout(resolve, DRAG_DEBOUNCE_MS));
    while (inFlight.size || dragTimer !== null) await Promise.allSettled([...inFlight, pause()]);
  }

  async function getJSON(path) {
    const response = await fetch(`/clusters/${opts.slug}/${path}`);
    const payload = await readJSON(response);
    if (!response.ok || payload.error) throw new Error(payload.error || `HTTP ${response.status}`);
    return payload;
  }

  async function refresh() {
    try { span = await getJSON("history"); } catch { return; }
    handle.min = String(span.start);
    handle.max = String(span.now);
    for (const name of ["handle", "replay", "restore"]) part(name).disabled = false;
    // live and not in someone's hand: the handle sits at now
    if (shown === null && document.activeElement !== handle) handle.value = String(span.now);
    drawMarks();
  }

  function drawMarks() {
    const width = Math.max(span.now - span.start, 1e-9);
    // the snapshots: a restore to a moment runs the one before it forward to that moment
    // (or lands on it when a change from outside lies between, see history/replaying.py)
    const points = (span.restore_points || []).map((at) => {
      const point = element("span", null, "point");
      point.style.left = `${((at - span.start) / width) * 100}%`;
      return point;
    });
    marks.replaceChildren(...points, ...span.marks.map((mark) => {
      const tick = element("button", null, `mark mark-${mark.kind}`);
      tick.type = "button";
      tick.style.left = `${((mark.at - span.start) / width) * 100}%`;
      tick.title = mark.label;
      tick.dataset.at = String(mark.at);
      tick.setAttribute("aria-label", mark.label);
      return tick;
    }));
  }

  const namespace = () => encodeURIComponent(opts.namespace());

  async function showAt(at) {
    if (at >= span.now - 0.5) return goLive();
    stopReplay();
    const move = ++asked;
    try {
      const payload = await getJSON(`history/graph?at=${at}&namespace=${namespace()}`);
      if (move !== asked) return;  // the handle has moved on since
      shown = at;
      graph.showPast(payload.elements);
      setPast(payload.clock);
    } catch (error) {
      if (move === asked) when.textContent = error.message;
    }
  }

  function setPast(clock) {
    root.classList.add("is-past");
    badge.hidden = false;
    when.textContent = clock.now.replace("T", " ").replace(/Z$/, " UTC");
  }

  function goLive() {
    asked += 1;  // an answer still on its way for a past moment is not drawn over live
    stopReplay();
    shown = null;
    graph.leavePast();
    root.classList.remove("is-past");
    badge.hidden = true;
    when.textContent = word("Live");
    handle.value = String(span.now);
  }

  function stopReplay() {
    if (replaying) replaying.stopped = true;
    replaying = null;
  }

  async function replay() {
    const at = shown ?? Number(handle.value);
    const speed = Number(part("speed").value) || 1;
    stopReplay();
    const move = ++asked;
    let payload;
    try {
      payload = await getJSON(`history/replay?at=${at}&namespace=${namespace()}`);
    } catch (error) {
      if (move === asked) when.textContent = error.message;
      return;
    }
    if (move !== asked) return;
    const run = replaying = {stopped: false};
    shown = at;
    graph.showPast(payload.elements);
    setPast(payload.clock);
    root.classList.add("is-replaying");
    let last = at;
    for (const frame of payload.frames) {
      const wait = Math.min(((frame.at - last) * 1000) / speed, MAX_IDLE_MS);
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (run.stopped) return;
      graph.pastChange(frame);
      shown = last = frame.at;
      handle.value = String(frame.at);
      setPast(frame.clock);
    }
    root.classList.remove("is-replaying");
    if (!run.stopped) { await refresh(); goLive(); }
  }

  async function restore() {
    const at = shown ?? Number(handle.value);
    if (!window.confirm(word("Confirm"))) return;
    const {ok, payload} = await postJSON(`/clusters/${opts.slug}/history/restore`, {at}, opts.csrf);
    if (!ok) { when.textContent = payload.error; return; }
    await refresh();
    goLive();
  }

  handle.addEventListener("pointerdown", refresh);
  handle.addEventListener("input", () => {
    clearTimeout(dragTimer);
    dragTimer = setTimeout(() => {
      dragTimer = null;
      track(showAt(Number(handle.value)));
    }, DRAG_DEBOUNCE_MS);
  });
  marks.addEventListener("click", (event) => {
    const at = event.target.dataset?.at;
    if (at === undefined) return;
    handle.value = at;
    track(showAt(Number(at)));
  });
  part("live").addEventListener("click", () => track(refresh().then(goLive)));
  part("replay").addEventListener("click", () => track(replay()));
  part("restore").addEventListener("click", () => track(restore()));
  refresh();
  setInterval(() => { if (!replaying) refresh(); }, REFRESH_MS);
  when.textContent = word("Live");
  return {pastAt: () => shown, refresh, showAt, goLive, settled};
}
