// The Upload tab's preview: what Apply (or Create) would do, before it is done.
//
// POST /clusters/<slug>/preview runs the API server's dry run and simcore.wiring: per
// document kubectl's `--dry-run=server` line, and per Service and Ingress what it will
// connect to (pods, ports, DNS names, routes), the problems flagged. Previews run on the
// Preview button and, debounced, as the text changes; an answer that arrives after a newer
// request was sent is dropped. Every string from the server (names, labels, messages) goes
// into the page as text (textContent), never as HTML.

import {$, element, item} from "../lib/dom.js";
import {postJSON} from "../lib/http.js";

const DEBOUNCE_MS = 700;

export function mountUpload({slug, csrf}) {
  const text = $("manifest");
  const auto = $("preview-auto");
  const mode = $("preview-mode");
  let timer = null;
  let sent = 0;

  async function run() {
    clearTimeout(timer);
    const seq = ++sent;
    const panel = $("preview-panel");
    if (!text.value.trim()) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    panel.setAttribute("aria-busy", "true");
    const {ok, payload} = await post(slug, csrf, {text: text.value, mode: mode.value});
    if (seq !== sent) return; // a newer preview is on its way
    panel.removeAttribute("aria-busy");
    render(ok, payload);
  }

  $("preview").addEventListener("click", run);
  for (const id of ["apply", "create"]) {
    // once applied, a dry run's "created" lines are stale: the Apply results take over
    $(id).addEventListener("click", () => {
      clearTimeout(timer);
      sent++;
      $("preview-panel").hidden = true;
    });
  }
  mode.addEventListener("change", run);
  text.addEventListener("input", () => {
    clearTimeout(timer);
    if (auto.checked) timer = setTimeout(run, DEBOUNCE_MS);
  });
  return {preview: run};
}

// a preview that cannot reach the server says so in the panel, as any refusal would
async function post(slug, csrf, body) {
  try {
    return await postJSON(`/clusters/${slug}/preview`, body, csrf);
  } catch (exc) {
    return {ok: false, payload: {error: interpolate(gettext("the preview failed: %(error)s"), {error: exc.message}, true)}};
  }
}

function render(ok, payload) {
  const results = $("preview-results");
  const problems = $("preview-problems");
  const wiring = $("preview-wiring");
  results.replaceChildren();
  problems.replaceChildren();
  wiring.replaceChildren();
  if (!ok) return results.append(item(payload.error, "error"));
  for (const result of payload.results) {
    results.append(item(result.text, result.ok ? "ok" : "error"));
    for (const warning of result.warnings) results.append(item(warning, "warning"));
  }
  renderProblems(problems, payload.problems, payload.sections.length);
  for (const section of payload.sections) wiring.append(renderSection(section));
}

function renderProblems(box, problems, sections) {
  if (!sections) return;
  if (!problems.length) {
    box.append(element("p", gettext("Everything in this upload connects."), "all-connected"));
    return;
  }
  box.append(element("h4", interpolate(ngettext("%(count)s thing does not connect",
    "%(count)s things do not connect", problems.length), {count: problems.length}, true)));
  const list = element("ul", null, "results problems");
  for (const problem of problems) list.append(item(problem, "problem"));
  box.append(list);
}

function renderSection(section) {
  const box = element("section", null, "wire-section");
  box.dataset.kind = section.kind;
  box.dataset.name = section.name;
  box.append(element("h4", section.title));
  const list = element("ul", null, "wires");
  for (const line of section.lines) list.append(item(line.text, line.problem ? "problem" : "wire"));
  box.append(list);
  return box;
}
