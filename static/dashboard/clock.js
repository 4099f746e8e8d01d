// The top bar's virtual clock: the time, counted on between the server's words at the
// clock's speed; Pause/Resume, +1 s and the speed; and the timers pending in the cluster.
//
//   const clock = mountClock(config, graph.state);
//   clock.set(payload)   // the clock as the graph feed or the server tells it
//
// The clock lives in graph.state (clock, clockAt), where the browser tests read it. The
// graph feed brings the clock only with a change; a quiet cluster's pending timers still
// count down, so the clock is also asked for every few seconds.

import {$, item} from "../lib/dom.js";
import {postToCluster} from "../lib/http.js";

const POLL_MS = 3000;
const TICK_MS = 1000;

export function mountClock(config, state) {
  function set(clock) {
    if (!clock) return;
    state.clock = clock;
    state.clockAt = performance.now();
    $("speed").textContent = clock.speed === 0 ? gettext("paused") : clock.speed === 1 ? "" : `×${clock.speed}`;
    document.querySelector(".clock").classList.toggle("paused", clock.speed === 0);
    $("clock-pause").textContent = clock.speed === 0 ? gettext("Resume") : gettext("Pause");
    const speed = $("clock-speed");
    // a speed being picked is not overwritten under the pointer
    if (clock.speed > 0 && document.activeElement !== speed) speed.value = String(clock.speed);
    if (clock.pending) drawPending(clock.pending);
    draw();
  }

  function draw() {
    if (!state.clock || !state.clock.now) return;
    const passed = (performance.now() - state.clockAt) / 1000 * state.clock.speed;
    const now = new Date(Date.parse(state.clock.now) + passed * 1000);
    $("clock").textContent = now.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  async function act(body) {
    const {ok, payload} = await postToCluster(config, "clock", body);
    if (!ok) return alert(payload.error);
    set(payload);
  }

  async function refresh() {
    const response = await fetch(`/clusters/${config.slug}/clock`).catch(() => null);
    if (response && response.ok) set(await response.json());
  }

  wireControls(state, act);
  refresh();
  setInterval(refresh, POLL_MS);
  setInterval(draw, TICK_MS);
  return {set};
}

function wireControls(state, act) {
  const paused = () => state.clock && state.clock.speed === 0;
  $("clock-pause").addEventListener("click", () => {
    const speed = Number($("clock-speed").value);
    act(paused() ? {action: "resume", speed} : {action: "pause"});
  });
  $("clock-step").addEventListener("click", () => act({action: "step", seconds: 1}));
  $("clock-speed").addEventListener("change", (e) => {
    if (paused()) return;  // paused: Resume uses the choice
    act({action: "speed", speed: Number(e.target.value)});
  });
}

function drawPending(pending) {
  $("pending-summary").textContent =
    pending.length ? interpolate(gettext("%(count)s pending"), {count: pending.length}, true)
      : gettext("nothing pending");
  $("pending-list").replaceChildren(...pending.map((p) =>
    item(interpolate(gettext("in %(seconds)s s: %(what)s"), {seconds: p.in.toFixed(1), what: p.what}, true),
         "pending-item")));
}
