// The presenter screen: the live graph on the left, the lesson's step on the right, driven
// from the keyboard. Right/Left move between steps (moving forward applies the steps not
// applied yet, on the server), Space runs the step's next request, P pauses or resumes the
// cluster's clock, F toggles full screen, 1-9 pick the outside client, R resets the lesson.

import {mountGraph} from "../dashboard/graphview.js";

const config = JSON.parse(document.getElementById("page-config").textContent);
const lesson = config.lesson;
const view = {step: config.step, applied: config.applied_through, request: 0,
              client: config.clients[0], speed: config.speed, busy: false};  // busy: a request is running
const $ = (id) => document.getElementById(id);

const graph = mountGraph($("graph"), {
  slug: config.slug, static: config.static, fontScale: 1.15, showOwners: false, fitOnResize: true,
  onClock: (clock) => { view.speed = clock.speed; drawClock(); },
  onLive: (name, text) => { $("live").dataset.state = name; $("live").textContent = text; },
});
window.clusterviz = {cy: graph.cy, state: graph.state, view};

async function post(path, body) {
  const response = await fetch(`/clusters/${config.slug}/lesson/${path}`, {
    method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": config.csrf},
    body: JSON.stringify({lesson: lesson.slug, ...body})});
  const payload = await response.json();
  return {ok: response.ok, payload};
}

function drawStep() {
  const step = lesson.steps[view.step - 1];
  $("step-number").textContent = `Step ${step.number} of ${lesson.steps.length}`;
  $("applied").textContent = view.applied < step.number ? "· applying…" : "";
  $("step-title").textContent = step.title;
  $("step-explain").textContent = step.explain;
  $("step-apply").replaceChildren(...step.apply.map((line) => item("li", `$ ${line}`)));
  $("step-observe").textContent = step.observe ? `Observe: ${step.observe}` : "";
  drawRequest(step);
  document.body.dataset.step = String(step.number);
}

function drawRequest(step) {
  const request = step.requests[view.request % Math.max(step.requests.length, 1)];
  $("request-from").textContent = request
    ? (request.source === "client" ? `outside client ${view.client}` : request.from) : "—";
  $("request-count").textContent = step.requests.length > 1
    ? `(${view.request % step.requests.length + 1} of ${step.requests.length})` : "";
  $("request-command").textContent = request ? `$ ${request.run}` : "(nothing to run in this step)";
}

function item(tag, text, cls) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function clearOutput() {
  $("request-output").replaceChildren();
  $("request-output").classList.remove("failed");
  $("trace").replaceChildren();
  graph.clearPath();
}

// Moving never waits for the server: the text changes at once, and one request at a time
// brings the cluster up to the furthest step shown (`applying` chains them in order).
let applying = Promise.resolve();

function goTo(number) {
  if (number < 1 || number > lesson.steps.length) return;
  view.step = number;
  view.request = 0;
  clearOutput();
  drawStep();
  if (number > view.applied) applying = applying.then(() => applyUpTo(number));
}

async function applyUpTo(number) {
  if (number <= view.applied) return;
  const {ok, payload} = await post("goto", {step: number});
  if (!ok) return showError(payload.error);
  view.applied = payload.applied_through;
  const failed = payload.applied.flatMap((a) => a.results).filter((r) => !r.ok);
  drawStep();
  if (failed.length) showError(failed.map((r) => r.text).join("\n"));
}

function showError(text) {
  $("request-output").replaceChildren(item("span", text, "stderr"));
  $("request-output").classList.add("failed");
}

async function runRequest() {
  const step = lesson.steps[view.step - 1];
  if (!step.requests.length || view.busy) return;
  drawRequest(step);
  view.busy = true;
  $("request-output").replaceChildren(item("span", "running…", "waiting"));
  await applying;
  const {ok, payload} = await post("run", {step: step.number, index: view.request,
                                           client: view.client});
  view.busy = false;
  if (!ok) return showError(payload.error);
  $("request-command").textContent = `$ ${payload.command}`;
  const out = $("request-output");
  out.classList.toggle("failed", payload.exit_code !== 0);
  out.replaceChildren(item("span", payload.stdout, "stdout"), item("span", payload.stderr, "stderr"),
                      item("span", `exit code ${payload.exit_code}`, "exit"));
  $("trace").replaceChildren(...payload.trace.map((line) => item("li", line)));
  graph.showPath(payload.path, {list: $("trace")});
  view.request = (view.request + 1) % step.requests.length;
  $("request-count").textContent = step.requests.length > 1
    ? `(next: ${view.request + 1} of ${step.requests.length})` : "";
}

async function toggleClock() {
  const paused = view.speed === 0;
  const {ok, payload} = await post("clock", paused ? {action: "resume", speed: 1} : {action: "pause"});
  if (ok && payload.speed !== undefined) view.speed = payload.speed;
  else if (ok) view.speed = paused ? 1 : 0;
  drawClock();
}

function drawClock() {
  $("clock-state").textContent = view.speed === 0 ? "clock PAUSED" : "clock running";
  $("clock-state").dataset.paused = String(view.speed === 0);
}

function pickClient(n) {
  if (n < 1 || n > config.clients.length) return;
  view.client = config.clients[n - 1];
  $("client").textContent = `outside client ${n}: ${view.client}`;
  const request = lesson.steps[view.step - 1].requests[view.request];
  if (request && request.source === "client") $("request-from").textContent = `outside client ${view.client}`;
}

async function reset() {
  if (!confirm("Reset the cluster to its preset and start the lesson again?")) return;
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
drawClock();
pickClient(1);
drawStep();
if (view.applied < view.step) goTo(view.step);
