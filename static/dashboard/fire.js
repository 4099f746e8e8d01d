// Fire N (the Request tab): the request run N times, in chunks of 50 so the bars fill
// live; a bar per pod that answered, with the share the rules predict drawn as a mark
// (uniform over the ready endpoints, or all to one pod under sessionAffinity: ClientIP).
//
//   const fire = mountFire(config, {current: request.current});
//   fire.state   // {running, total, done, hits, prediction, exits, error}: the browser tests read it

import {$, element, span} from "../lib/dom.js";
import {postToCluster} from "../lib/http.js";

const FIRE_CHUNK = 50;

export function mountFire(config, opts) {
  const state = {running: false, total: 0, done: 0, hits: new Map(), prediction: null,
                 exits: new Map()};

  async function fire(event) {
    event.preventDefault();
    if (state.running) return;
    const {source, command} = opts.current();
    const total = Math.max(1, Math.min(1000, Number($("fire-count").value) || 1));
    Object.assign(state, {running: true, total, done: 0, hits: new Map(), prediction: null,
                          exits: new Map(), error: null});
    $("fire-progress").hidden = false;
    draw(state);
    while (state.done < total) {
      const count = Math.min(FIRE_CHUNK, total - state.done);
      const {ok, payload} = await postToCluster(config, "fire", {source, command, count});
      if (!ok) { state.error = payload.error; break; }
      addChunk(state, payload);
      draw(state);
    }
    state.running = false;
    draw(state);
  }

  $("fire-form").addEventListener("submit", fire);
  return {state};
}

function addChunk(state, payload) {
  state.done += payload.ran;
  state.prediction = state.prediction || (payload.prediction.how !== "none" ? payload.prediction : null);
  for (const [pod, n] of Object.entries(payload.hits)) state.hits.set(pod, (state.hits.get(pod) || 0) + n);
  for (const [code, n] of Object.entries(payload.exit_codes)) state.exits.set(code, (state.exits.get(code) || 0) + n);
}

function draw(state) {
  const {total, done, hits, prediction} = state;
  $("fire-bar").value = total ? done / total : 0;
  $("fire-status").textContent = statusText(state);
  $("fire-prediction").textContent = prediction ? predictionText(prediction) : "";
  const pods = new Set([...(prediction ? prediction.pods : []), ...hits.keys()]);
  const rows = [...pods].sort().map((pod) =>
    histogramRow(pod, hits.get(pod) || 0, total, expectedShare(prediction, pod)));
  if (prediction) {
    rows.push(element("div", gettext("predicted share"), "legend-line"));
  }
  $("fire-chart").replaceChildren(...rows);
}

function statusText({running, total, done, exits, error}) {
  if (error) return interpolate(gettext("stopped: %(error)s"), {error}, true);
  const codes = [...exits].map(([c, n]) =>
    interpolate(gettext("exit %(code)s: %(count)s"), {code: c, count: n}, true)).join(", ");
  const progress = interpolate(running ? gettext("%(done)s of %(total)s…")
    : gettext("%(done)s of %(total)s done"), {done, total}, true);
  return `${progress}${codes ? ` (${codes})` : ""}`;
}

function predictionText(prediction) {
  return prediction.how === "affinity"
    ? interpolate(gettext("%(service)s has sessionAffinity: ClientIP, so this client sticks to %(pod)s: the rules predict every answer from it."),
                  {service: prediction.service, pod: prediction.chosen}, true)
    : interpolate(ngettext("%(service)s has %(count)s ready endpoint; kube-proxy picks one uniformly at random: %(share)s % each.",
                           "%(service)s has %(count)s ready endpoints; kube-proxy picks one uniformly at random: %(share)s % each.",
                           prediction.pods.length),
                  {service: prediction.service, count: prediction.pods.length,
                   share: (100 / prediction.pods.length).toFixed(1)}, true);
}

function expectedShare(prediction, pod) {
  if (!prediction) return null;
  if (prediction.how === "affinity") return pod === prediction.chosen ? 1 : 0;
  return prediction.pods.includes(pod) ? 1 / prediction.pods.length : 0;
}

function histogramRow(pod, count, total, share) {
  const row = element("div", null, "bar");
  row.dataset.pod = pod;
  row.dataset.count = String(count);
  const name = span(pod || gettext("(no pod answered)"), "name");
  name.title = pod;
  const track = span("", "track");
  const fill = span("", "fill");
  fill.style.width = `${total ? (100 * count) / total : 0}%`;
  track.append(fill);
  if (share !== null) {
    const mark = span("", "expected");
    mark.style.left = `calc(${100 * share}% - 1.5px)`;
    mark.title = interpolate(gettext("predicted %(share)s %"), {share: (100 * share).toFixed(1)}, true);
    track.append(mark);
  }
  row.append(name, track, span(String(count), "count"));
  return row;
}
