// The presenter for a class (on the page only for a teacher with classes): pick the class,
// send the step shown to every student's Lesson tab (S, or the button; the checkbox also
// brings their clusters to the step's start), and spotlight one student's graph. The class
// and the spotlight are in the page's address (?class=, &spotlight=), so picking one reloads
// the page; the presenter's place is kept on the server (the reload waits for it).

import {$, isTyping, pageConfig} from "../lib/dom.js";
import {postJSON} from "../lib/http.js";

const config = pageConfig();

async function navigate(changes) {
  await window.clusterviz.settled();  // the presenter's place is the server's: let it arrive
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value) url.searchParams.set(key, value);
    else url.searchParams.delete(key);
  }
  location.assign(url.toString());
}

async function pushStep() {
  const view = window.clusterviz.view;
  const bring = $("push-bring").checked;
  const state = $("push-state");
  state.textContent = bring ? gettext("bringing the class's clusters…") : gettext("sending…");
  const {payload} = await postJSON(`/classes/${config.classroom.pk}/lesson/push`,
                                   {lesson: config.lesson.slug, step: view.step, bring}, config.csrf);
  state.textContent = payload.error ? payload.error : interpolate(ngettext(
    "step %(number)s sent to %(count)s student", "step %(number)s sent to %(count)s students",
    payload.students), {number: payload.step, count: payload.students}, true);
  state.dataset.step = payload.error ? "" : String(payload.step);
}

$("class-pick").addEventListener("change", (e) => navigate({class: e.target.value, spotlight: ""}));
if (config.classroom) {
  $("push-step").addEventListener("click", pushStep);
  $("spotlight-pick").addEventListener("change", (e) => navigate({spotlight: e.target.value}));
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || !/^[sS]$/.test(event.key)) return;
    if (isTyping(event.target)) return;
    event.preventDefault();
    pushStep();
  });
}
