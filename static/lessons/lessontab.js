// The dashboard's Lesson tab: the lesson's steps in order, as the presenter shows them, for
// a student working on their own cluster. Each step: its text, its commands (Copy puts one
// on the clipboard; Run types it into the Terminal tab and runs it there, a manifest as
// `-f -` with the file on stdin), its Observe and "Check my cluster" (the step's own check,
// on this cluster, by the presenter's lesson/check endpoint). Moving to a step records it on
// the server (lesson/at), where the teacher's roster reads it. A teacher's push arrives on
// the lesson socket (/ws/clusters/<slug>/lesson) and moves the tab to that step.
//
// It leaves cluster.js alone: the Terminal tab is driven through its own form.

import {$, element, item, pageConfig} from "../lib/dom.js";
import {postJSON, readJSON} from "../lib/http.js";
import {socketURL} from "../lib/sockets.js";

const config = pageConfig();
const tab = {lesson: null, step: 0, socket: null};
window.clusterviz = window.clusterviz || {};
window.clusterviz.lessonTab = tab;

async function load() {
  const response = await fetch(`/clusters/${config.slug}/lesson/data`);
  if (!response.ok) return;
  const payload = await response.json();
  tab.lesson = payload.lesson;
  tab.step = payload.step || 0;
  draw();
  connect();
}

function draw() {
  const lesson = tab.lesson;
  $("lesson-title").textContent = lesson.title;
  $("lesson-steps").replaceChildren(...lesson.steps.map(drawStep));
  mark();
}

function drawStep(step) {
  const li = element("li", null, "lesson-step");
  li.dataset.step = String(step.number);
  const title = interpolate(gettext("%(number)s. %(title)s"), {number: step.number, title: step.title}, true);
  const head = element("button", title, "step-head");
  head.type = "button";
  head.addEventListener("click", () => goTo(step.number));
  const body = element("div", null, "step-body");
  body.append(element("p", step.explain, "explain"));
  if (step.commands.length) body.append(commandList(step));
  if (step.observe) {
    body.append(element("p", interpolate(gettext("Observe: %(text)s"), {text: step.observe}, true), "observe"));
  }
  const check = element("button", gettext("Check my cluster"), "check");
  check.type = "button";
  const result = element("ul", null, "results check-result");
  result.setAttribute("aria-live", "polite");
  check.addEventListener("click", () => checkStep(step, result));
  body.append(check, result);
  li.append(head, body);
  return li;
}

function commandList(step) {
  const list = element("ul", null, "commands");
  for (const command of step.commands) {
    const li = element("li", null, "command");
    li.append(element("code", command.text));
    const copy = element("button", gettext("Copy"), "copy");
    copy.type = "button";
    copy.addEventListener("click", () => copyText(command.text, copy));
    li.append(copy);
    if (command.run) {
      const run = element("button", gettext("Run"), "run");
      run.type = "button";
      run.title = gettext("Run it in the Terminal tab");
      run.addEventListener("click", () => runInTerminal(command));
      li.append(run);
    }
    list.append(li);
  }
  return list;
}

// The clipboard API needs a secure context (https or localhost); a class on the room's
// network is plain http, where the old selection copy still works.
async function copyText(text, button) {
  let done = false;
  if (navigator.clipboard && window.isSecureContext) {
    done = await navigator.clipboard.writeText(text).then(() => true, () => false);
  }
  if (!done) {
    const area = element("textarea");
    area.value = text;
    area.className = "copy-buffer";
    document.body.append(area);
    area.select();
    done = document.execCommand("copy");
    area.remove();
  }
  button.textContent = done ? gettext("Copied") : gettext("Select and copy it");
  setTimeout(() => { button.textContent = gettext("Copy"); }, 1500);
}

function runInTerminal(command) {
  document.querySelector(".tabs button[data-tab=terminal]").click();
  $("kubectl-command").value = command.run;
  $("kubectl-stdin").value = command.stdin || "";
  $("kubectl-form").requestSubmit();
}

async function checkStep(step, result) {
  result.replaceChildren(item(gettext("checking…"), "pending"));
  const query = new URLSearchParams({lesson: tab.lesson.slug, step: String(step.number)});
  const response = await fetch(`/clusters/${config.slug}/lesson/check?${query}`);
  const payload = await readJSON(response);
  if (payload.error) return result.replaceChildren(item(payload.error, "error"));
  const verdict = payload.holds ? gettext("Your cluster shows it.")
    : gettext("Not yet: your cluster does not show it.");
  result.dataset.holds = String(payload.holds);
  result.replaceChildren(item(verdict, payload.holds ? "ok" : "error"),
                         ...payload.conditions.map((c) => item(c.text, c.holds ? "ok" : "error")));
}

function mark() {
  for (const li of $("lesson-steps").children) {
    const current = Number(li.dataset.step) === tab.step;
    li.classList.toggle("current", current);
    if (current) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  }
  $("lesson-where").textContent = tab.step
    ? interpolate(gettext("Step %(number)s of %(count)s"), {number: tab.step, count: tab.lesson.steps.length}, true)
    : gettext("Pick a step to begin.");
  $("lesson-prev").disabled = tab.step <= 1;
  $("lesson-next").disabled = tab.step >= tab.lesson.steps.length;
  const current = $("lesson-steps").querySelector("li.current");
  if (current && !$("tab-lesson").hidden) current.scrollIntoView({block: "nearest"});
}

async function goTo(number, record = true) {
  if (!tab.lesson || number < 1 || number > tab.lesson.steps.length) return;
  tab.step = number;
  mark();
  if (!record) return;
  await postJSON(`/clusters/${config.slug}/lesson/at`, {lesson: tab.lesson.slug, step: number},
                 config.csrf);
}

// The teacher's push: {"type": "step", "lesson", "step", "reset"}; the server has already
// recorded the step (and brought the cluster there when `reset`).
function connect() {
  const socket = new WebSocket(socketURL(`/ws/clusters/${config.slug}/lesson`));
  tab.socket = socket;
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== "step" || !tab.lesson || message.lesson !== tab.lesson.slug) return;
    goTo(message.step, false);
    const notice = $("lesson-pushed");
    notice.hidden = false;
    notice.textContent = interpolate(message.reset
      ? gettext("Your teacher moved the class to step %(number)s and brought your cluster to its start.")
      : gettext("Your teacher moved the class to step %(number)s."), {number: message.step}, true);
    tab.pushed = message;
  };
  socket.onclose = (event) => {
    if (event.code === 4401 || event.code === 4404) return;  // refused: retrying changes nothing
    setTimeout(connect, 2000);
  };
}

$("lesson-prev").addEventListener("click", () => goTo(tab.step - 1));
$("lesson-next").addEventListener("click", () => goTo(tab.step + 1));
load();
