// The Inspect tab: a click on anything in the graph shows what the graph knows of it, then
// the object as the API server stores it (YAML) and its recent events. On the timeline's
// past, the object as it was then (history/inspect).
//
//   const inspecting = mountInspect(config, graph, {pastAt: timeline.pastAt, show: drawer.show});
//   await inspecting.settled()   // the last click's object is shown
//
// Two quick clicks ask twice, and the first answer can come back last: only the answer for
// the latest click is shown.

import {$, element, item} from "../lib/dom.js";
import {readJSON} from "../lib/http.js";

// what the graph keeps for drawing, not for reading
const NOT_SHOWN = ["display", "label", "id"];

export function mountInspect(config, graph, opts) {
  let clicks = 0;
  const loading = new Set();  // every answer still on its way, the superseded ones too

  function inspect(target) {
    const list = $("inspect");
    list.replaceChildren();
    for (const [key, value] of Object.entries(target.data())) {
      if (NOT_SHOWN.includes(key)) continue;
      list.append(element("dt", key),
                  element("dd", typeof value === "object" ? JSON.stringify(value) : String(value)));
    }
    opts.show("inspect");
    const click = ++clicks;
    const answer = load(config.slug, target.id(), opts.pastAt(), () => click === clicks);
    loading.add(answer);
    answer.catch(() => {}).finally(() => loading.delete(answer));
  }

  // a Job's folded pods open on a click (graph/folds.js); the box itself is nothing to inspect
  graph.cy.on("tap", "node, edge", (event) => {
    if (!event.target.hasClass("pod-fold")) inspect(event.target);
  });

  async function settled() {
    while (loading.size) await Promise.allSettled([...loading]);
  }

  return {settled};
}

async function load(slug, id, at, latest) {
  const yamlBox = $("inspect-yaml");
  const events = $("inspect-events");
  yamlBox.textContent = "…";
  events.replaceChildren();
  const where = at === null ? "inspect?" : `history/inspect?at=${at}&`;
  const response = await fetch(`/clusters/${slug}/${where}id=${encodeURIComponent(id)}`);
  const payload = await readJSON(response);
  if (!latest()) return;
  if (payload.error) return (yamlBox.textContent = payload.error);
  yamlBox.textContent = payload.yaml || payload.note || "";
  if (!payload.events.length) events.append(item(gettext("no recent events"), "none"));
  for (const e of payload.events) {
    const count = e.count > 1 ? ` (x${e.count})` : "";
    events.append(item(`${e.last}  ${e.type}  ${e.reason}${count}: ${e.message}`, `event ${e.type}`));
  }
}
