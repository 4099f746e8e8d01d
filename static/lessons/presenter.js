// The presenter screen: the live graph on the left, the lesson's step on the right, driven
// from the keyboard. Right/Left move between steps (moving forward applies the steps not
// applied yet, on the server), Space runs the step's next request, P pauses or resumes the
// cluster's clock, F toggles full screen, 1-9 pick the outside client, R resets the lesson.

import {mountGraph} from "../graph/graphview.js";
import {fitWidest} from "../lib/fittext.js";
import {$, element, item, pageConfig, span} from "../lib/dom.js";
import {postJSON} from "../lib/http.js";

const config = pageConfig();
const lesson = config.lesson;
const view = {step: config.step, applied: config.applied_through, request: 0,
              client: config.clients[0], speed: config.speed, busy: false};  // busy: a request is running

// A spotlight (presenterclass.js) shows a student's graph in place of this cluster's: read
// only, as every graph is; the lesson's keys still act on this cluster.
const graph = mountGraph($("graph"), {
  slug: config.spotlight || config.slug, static: config.static, fontScale: 1.15, showOwners: false,
  foldJobs: true,  // a Job's finished pods as one box: its failures do not crowd later steps
  onClock: (clock) => { view.speed = clock.speed; drawClock(); },
  onLive: (name, text) => { $("live").dataset.state = name; $("live").textContent = text; },
});
// settled(): once the cluster is at the step shown. The page's place is the server's, so a
// reload (a spotlight, a class, a language picked) waits for it, not to land a step behind.
window.clusterviz = {cy: graph.cy, state: graph.state, view, settled};

function submitWith(form, button) {
  if (button && button.name) {
    const field = Object.assign(element("input"), {type: "hidden", name: button.name,
                                                   value: button.value});
    form.append(field);
  }
  form.submit();  // no submit event again: this listener is done
}

function post(path, body) {
  const url = `/clusters/${config.slug}/lesson/${path}`;
  return postJSON(url, {lesson: lesson.slug, ...body}, config.csrf);
}

function drawStep() {
  const step = lesson.steps[view.step - 1];
  $("step-number").textContent = interpolate(gettext("Step %(number)s of %(count)s"),
                                             {number: step.number, count: lesson.steps.length}, true);
  drawApplied(step);
  $("step-title").textContent = step.title;
  $("step-explain").textContent = step.explain;
  $("step-apply").replaceChildren(...step.apply.map((line) => item(`$ ${line}`)));
  drawRequest(step);
  document.body.dataset.step = String(step.number);
  watchObserve(step);
}

// A step's Observe is shown once the cluster shows it (the step's check, asked of the
// server about once a second while the step is on screen), so the room never reads a
// sentence the graph contradicts; until then the line says what the cluster still lacks.
async function watchObserve(step) {
  const observe = $("step-observe");
  observe.dataset.holds = String(!step.checked);
  observe.textContent = step.observe ? observeLine(step) : "";
  if (!step.checked || !step.observe) return;
  const shown = () => view.step === step.number;
  while (shown()) {
    const check = await checkStep(step.number);
    if (!shown()) return;
    if (check && check.holds) {
      observe.textContent = observeLine(step);
      observe.dataset.holds = "true";
      return;
    }
    observe.dataset.holds = "false";
    observe.textContent = check ? interpolate(gettext("Waiting for the cluster: %(missing)s"),
                                              {missing: missing(check)}, true) : "";
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function observeLine(step) {
  return interpolate(gettext("Observe: %(text)s"), {text: step.observe}, true);
}

async function checkStep(number) {
  const query = new URLSearchParams({lesson: lesson.slug, step: String(number)});
  const response = await fetch(`/clusters/${config.slug}/lesson/check?${query}`);
  return response.ok ? response.json() : null;
}

function missing(check) {
  return check.conditions.filter((c) => !c.holds).map((c) => c.text).join("; ");
}

// A request marked `wait` shows what needs time (an endpoint after a probe passes): it
// runs once the step's check holds, or after WAIT_VIRTUAL_SECONDS of the cluster's clock.
const WAIT_VIRTUAL_SECONDS = 60;

async function waitForCheck(step) {
  if (view.speed <= 0) return;  // a paused clock changes nothing: run at once
  const until = performance.now() + WAIT_VIRTUAL_SECONDS / view.speed * 1000;
  while (performance.now() < until) {
    const check = await checkStep(step.number);
    if (!check || check.holds) return;
    $("request-output").replaceChildren(
      span(interpolate(gettext("waiting for the cluster: %(missing)s"), {missing: missing(check)}, true),
           "waiting"));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function drawRequest(step) {
  const request = step.requests[view.request % Math.max(step.requests.length, 1)];
  $("request-from").textContent = request
    ? (request.source === "client" ? outsideClient(view.client) : request.from) : "—";
  $("request-count").textContent = step.requests.length > 1
    ? interpolate(gettext("(%(number)s of %(count)s)"),
                  {number: view.request % step.requests.length + 1, count: step.requests.length}, true)
    : "";
  $("request-command").textContent = request ? `$ ${request.run}` : gettext("(nothing to run in this step)");
  fitCommandBox();
}

function outsideClient(ip) {
  return interpolate(gettext("outside client %(ip)s"), {ip}, true);
}

// The command and kubectl's output keep their lines (a table read by its columns): the
// type shrinks with the screen's height like the rest (presenter.css), then to fit the
// widest line, down to MIN_MONO_PX, then the box scrolls sideways.
const MIN_MONO_PX = 13;

function fitCommandBox() {
  const max = Math.min(22, Math.max(15, window.innerHeight * 0.0205));
  for (const id of ["request-command", "request-output"]) fitWidest($(id), {max, min: MIN_MONO_PX});
}

function clearOutput() {
  $("request-output").replaceChildren();
  $("request-output").classList.remove("failed");
  $("trace").replaceChildren();
  graph.clearPath();
}

// Moving never waits for the server: the text changes at once, and one request at a time
// brings the cluster to the step shown (`applying` chains them in order; each reads the
// step shown when its turn comes, so a run of key presses costs one request). Forward
// applies the steps not applied yet; back restores the cluster to the moment just after
// the step shown was applied (the time machine's restore, on the server).
// `view.queued` counts the turns queued or under way: while one is, `view.applied` is
// what the server said before it, so a key press back to that step must still take a
// turn (the one under way may be leaving it).
let applying = Promise.resolve();
view.queued = 0;

function goTo(number) {
  if (number < 1 || number > lesson.steps.length) return;
  view.step = number;
  view.request = 0;
  clearOutput();
  drawStep();
  if (number === view.applied && view.queued === 0) return;
  view.moving = true;
  drawApplied(lesson.steps[number - 1]);
  view.queued += 1;
  applying = applying.then(syncCluster)
    .catch((error) => showError(String(error)))  // the next turn still runs
    .finally(() => { view.queued -= 1; });
}

async function settled() {
  for (let turn = applying; ; turn = applying) {
    await turn;
    if (turn === applying) return;  // no key press queued another turn meanwhile
  }
}

function drawApplied(step) {
  $("applied").textContent = view.applied < step.number ? gettext("· applying…")
    : view.applied > step.number && view.moving ? gettext("· restoring…") : "";
}

async function syncCluster() {
  const number = view.step;
  if (number === view.applied) return (view.moving = false);
  const {ok, payload} = await post("goto", {step: number});
  if (!ok) return showError(payload.error);
  view.applied = payload.applied_through;
  view.restored = payload.restored ? payload.restored.at : null;
  view.moving = view.step !== number;  // another key press has its own turn queued
  drawApplied(lesson.steps[view.step - 1]);
  showApplyErrors(payload.applied);
}

// A manifest the API server refused is reported under the step's own commands, where it
// came from, not under the step's request (which has not run).
function showApplyErrors(applied) {
  const lines = applied.flatMap((a) => a.results.filter((r) => !r.ok).map((r) =>
    item(a.step === view.step ? r.text
      : interpolate(gettext("step %(number)s: %(text)s"), {number: a.step, text: r.text}, true), "error")));
  $("step-apply").append(...lines);
}

function showError(text) {
  $("request-output").replaceChildren(span(text, "stderr"));
  $("request-output").classList.add("failed");
}

async function runRequest() {
  const step = lesson.steps[view.step - 1];
  if (!step.requests.length || view.busy) return;
  drawRequest(step);
  view.busy = true;
  $("request-output").replaceChildren(span(gettext("running…"), "waiting"));
  await applying;
  const request = step.requests[view.request % step.requests.length];
  if (request.wait) await waitForCheck(step);
  const {ok, payload} = await post("run", {step: step.number, index: view.request,
                                           client: view.client});
  view.busy = false;
  if (!ok) return showError(payload.error);
  $("request-command").textContent = `$ ${payload.command}`;
  const out = $("request-output");
  out.classList.toggle("failed", payload.exit_code !== 0);
  out.replaceChildren(span(payload.stdout, "stdout"), span(payload.stderr, "stderr"),
                      span(interpolate(gettext("exit code %(code)s"), {code: payload.exit_code}, true), "exit"));
  fitCommandBox();
  $("trace").replaceChildren(...payload.trace.map((line) => item(line)));
  if (!config.spotlight) graph.showPath(payload.path, {list: $("trace")});
  view.request = (view.request + 1) % step.requests.length;
  $("request-count").textContent = step.requests.length > 1
    ? interpolate(gettext("(next: %(number)s of %(count)s)"),
                  {number: view.request + 1, count: step.requests.length}, true) : "";
}

async function toggleClock() {
  const paused = view.speed === 0;
  const {ok, payload} = await postJSON(`/clusters/${config.slug}/clock`,
                                       paused ? {action: "resume", speed: 1} : {action: "pause"},
                                       config.csrf);
  if (ok && payload.speed !== undefined) view.speed = payload.speed;
  else if (ok) view.speed = paused ? 1 : 0;
  drawClock();
}

function drawClock() {
  $("clock-state").textContent = view.speed === 0 ? gettext("clock PAUSED") : gettext("clock running");
  $("clock-state").dataset.paused = String(view.speed === 0);
}

function pickClient(n) {
  if (n < 1 || n > config.clients.length) return;
  view.client = config.clients[n - 1];
  $("client").textContent = interpolate(gettext("outside client %(number)s: %(ip)s"),
                                        {number: n, ip: view.client}, true);
  const request = lesson.steps[view.step - 1].requests[view.request];
  if (request && request.source === "client") $("request-from").textContent = outsideClient(view.client);
}

async function reset() {
  if (!confirm(gettext("Reset the cluster to its preset and start the lesson again?"))) return;
  const {ok, payload} = await post("reset", {});
  if (!ok) return showError(payload.error);
  view.applied = 0;
  goTo(1);
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const key = event.key;
  if (key === "ArrowRight" || key === "PageDown") goTo(view.step + 1);
  else if (key === "ArrowLeft" || key === "PageUp") goTo(view.step - 1);
  else if (key === " ") runRequest();
  else if (key === "p" || key === "P") toggleClock();
  else if (key === "f" || key === "F") {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen().catch(() => {});
  } else if (key === "r" || key === "R") reset();
  else if (/^[1-9]$/.test(key)) pickClient(Number(key));
  else return;
  event.preventDefault();
}

document.addEventListener("keydown", onKey);
window.addEventListener("resize", fitCommandBox);
for (const form of document.querySelectorAll("form.language-switch")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const choice = event.submitter;  // the language's button: its name and value go too
    applying.then(() => submitWith(form, choice));
  }, {once: true});
}
drawClock();
pickClient(1);
if (view.applied < view.step) goTo(view.step);
else drawStep();  // a cluster ahead of the step shown stays as it is until a key is pressed
