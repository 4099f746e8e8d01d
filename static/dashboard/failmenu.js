// Failure demos from the graph (clusterviz/operations/failures.py): a right-click (or a
// long press) on a node box opens its menu (stop/start its kubelet, cordon, uncordon,
// drain), on a pod its menu (delete, kill its container, readiness fail/succeed, open a
// shell in it: its shell page in a new tab). A
// countdown on each node shows what the node lifecycle controller does next and when
// ("NotReady in 23 s", "pods evicted in 4 min 12 s"), counted down at the clock's speed.
//
//   mountFailureMenu(document.getElementById("failure-menu"), graph, {slug, isPast})
//
// The menu's buttons and the countdown's words are in the template (translated there):
// data-word-not-ready / data-word-evicted with {in} where the time goes; the durations
// ("4 min 12 s") through the scripts' catalog (gettext, interpolate: /i18n/js/<language>).

import {element} from "../lib/dom.js";
import {postJSON} from "../lib/http.js";

const FAST_POLL_MS = 2000;   // while a countdown runs
const SLOW_POLL_MS = 15000;  // otherwise: something else (kubectl) may stop a kubelet

export function mountFailureMenu(menu, graph, opts) {
  const {cy} = graph;
  const wrap = menu.parentElement;
  const word = (name) => menu.dataset[name] || name;
  const overlays = new Map();  // node name -> its countdown label
  let target = null;
  let countdown = {clock: null, nodes: {}, at: 0};

  function open(picked, position) {
    const kind = picked.data("kind");
    if (opts.isPast() || (kind !== "Node" && kind !== "Pod")) return;
    target = picked;
    menu.querySelector("[data-part=title]").textContent =
      `${kind === "Node" ? "node" : "pod"}/${picked.data("name")}`;
    for (const list of menu.querySelectorAll("[data-for]")) list.hidden = list.dataset.for !== kind;
    menu.querySelector("[data-part=result]").textContent = "";
    if (kind === "Pod") {
      const pod = `${encodeURIComponent(picked.data("namespace"))}/${encodeURIComponent(picked.data("name"))}`;
      menu.querySelector("[data-part=shell]").href = `/clusters/${opts.slug}/pods/${pod}/shell`;
    }
    const graphBox = cy.container().getBoundingClientRect(), wrapBox = wrap.getBoundingClientRect();
    menu.style.left = `${position.x + graphBox.left - wrapBox.left}px`;
    menu.style.top = `${position.y + graphBox.top - wrapBox.top}px`;
    menu.hidden = false;
  }

  async function act(action) {
    if (!target) return;
    const body = target.data("kind") === "Node" ? {action, node: target.data("name")}
      : {action, pod: target.data("name"), namespace: target.data("namespace")};
    const result = menu.querySelector("[data-part=result]");
    result.textContent = "…";
    const {ok, payload} = await postJSON(`/clusters/${opts.slug}/failures`, body, opts.csrf);
    result.textContent = ok ? payload.lines.join("\n") : payload.error;
    result.dataset.state = ok ? "ok" : "error";
    if (ok) poll();
  }

  async function poll() {
    const response = await fetch(`/clusters/${opts.slug}/failures`).catch(() => null);
    if (!response || !response.ok) return;
    const payload = await response.json();
    countdown = {...payload, at: performance.now()};
    draw();
  }

  function virtualNow() {
    const {clock, at} = countdown;
    return clock.elapsed + ((performance.now() - at) / 1000) * clock.speed;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.ceil(seconds));
    return s >= 60
      ? interpolate(gettext("%(minutes)s min %(seconds)s s"), {minutes: Math.floor(s / 60), seconds: s % 60}, true)
      : interpolate(gettext("%(seconds)s s"), {seconds: s}, true);
  }

  function linesFor(info, now) {
    const lines = [];
    if (info.not_ready_at !== null) {
      lines.push(word("wordNotReady").replace("{in}", duration(info.not_ready_at - now)));
    }
    if (info.evictions.length) {
      const first = Math.min(...info.evictions.map((e) => e.at));
      lines.push(word("wordEvicted").replace("{in}", duration(first - now)));
    }
    return lines;
  }

  function draw() {
    if (!countdown.clock) return;
    const now = virtualNow();
    const seen = new Set();
    for (const [name, info] of Object.entries(countdown.nodes)) {
      const lines = opts.isPast() ? [] : linesFor(info, now);
      const box = cy.getElementById(`node/${name}`);
      if (!lines.length || box.empty()) continue;
      seen.add(name);
      let label = overlays.get(name);
      if (!label) {
        label = element("div", null, "countdown");
        label.dataset.node = name;
        wrap.append(label);
        overlays.set(name, label);
      }
      label.textContent = lines.join("\n");
      const graphBox = cy.container().getBoundingClientRect(), wrapBox = wrap.getBoundingClientRect();
      const bb = box.renderedBoundingBox();
      label.style.left = `${bb.x1 + graphBox.left - wrapBox.left + 8}px`;
      label.style.top = `${bb.y1 + graphBox.top - wrapBox.top - 44}px`;
    }
    for (const [name, label] of overlays) {
      if (!seen.has(name)) { label.remove(); overlays.delete(name); }
    }
  }

  function busy() {
    return Object.values(countdown.nodes).some((n) => n.not_ready_at !== null || n.evictions.length);
  }

  // Owner and endpoint edges cross the boxes: whatever was hit, the menu is that of the pod,
  // else the node box, under the pointer.
  function under(position) {
    const inside = (el) => {
      const bb = el.boundingBox({includeLabels: false});
      return position.x >= bb.x1 && position.x <= bb.x2 && position.y >= bb.y1 && position.y <= bb.y2;
    };
    return cy.nodes("node.pod").filter(inside)[0] ||
      cy.nodes("node.k8s-node[kind = 'Node']").filter(inside)[0] || null;
  }
  cy.on("cxttap taphold", (event) => {
    const picked = under(event.position);
    if (picked) open(picked, event.renderedPosition);
  });
  cy.on("tap", () => { menu.hidden = true; });
  menu.addEventListener("click", (event) => {
    const action = event.target.dataset?.action;
    if (action) act(action);
    if (event.target.dataset?.part === "close") menu.hidden = true;
  });
  setInterval(draw, 250);
  (function loop() {
    poll().finally(() => setTimeout(loop, busy() ? FAST_POLL_MS : SLOW_POLL_MS));
  })();
  return {poll, open};
}
