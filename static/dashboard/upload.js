// The Upload tab's preview: what Apply (or Create) would do, before it is done.
//
// POST /clusters/<slug>/preview runs the API server's dry run and simcore.wiring: per
// document kubectl's `--dry-run=server` line, and per Service and Ingress what it will
// connect to (pods, ports, DNS names, routes), the problems flagged. Previews run on the
// Preview button and, debounced, as the text changes; an answer that arrives after a newer
// request was sent is dropped. Every string from the server (names, labels, messages) goes
// into the page as text (textContent), never as HTML.

const DEBOUNCE_MS = 700;

export function mountUpload({slug, csrf}) {
  const text = document.getElementById("manifest");
  const auto = document.getElementById("preview-auto");
  const mode = document.getElementById("preview-mode");
  let timer = null;
  let sent = 0;

  async function run() {
    clearTimeout(timer);
    const seq = ++sent;
    const panel = document.getElementById("preview-panel");
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

  document.getElementById("preview").addEventListener("click", run);
  for (const id of ["apply", "create"]) {
    // once applied, a dry run's "created" lines are stale: the Apply results take over
    document.getElementById(id).addEventListener("click", () => {
      clearTimeout(timer);
      sent++;
      document.getElementById("preview-panel").hidden = true;
    });
  }
  mode.addEventListener("change", run);
  text.addEventListener("input", () => {
    clearTimeout(timer);
    if (auto.checked) timer = setTimeout(run, DEBOUNCE_MS);
  });
  return {preview: run};
}

async function post(slug, csrf, body) {
  try {
    const response = await fetch(`/clusters/${slug}/preview`, {
      method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body),
    });
    const payload = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
    return {ok: response.ok, payload};
  } catch (exc) {
    return {ok: false, payload: {error: `the preview failed: ${exc.message}`}};
  }
}

function render(ok, payload) {
  const results = document.getElementById("preview-results");
  const problems = document.getElementById("preview-problems");
  const wiring = document.getElementById("preview-wiring");
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
    box.append(element("p", "Everything in this upload connects.", "all-connected"));
    return;
  }
  box.append(element("h4", problems.length === 1 ? "1 thing does not connect"
    : `${problems.length} things do not connect`));
  const list = element("ul", "", "results problems");
  for (const problem of problems) list.append(item(problem, "problem"));
  box.append(list);
}

function renderSection(section) {
  const box = element("section", "", "wire-section");
  box.dataset.kind = section.kind;
  box.dataset.name = section.name;
  box.append(element("h4", section.title));
  const list = element("ul", "", "wires");
  for (const line of section.lines) list.append(item(line.text, line.problem ? "problem" : "wire"));
  box.append(list);
  return box;
}

function item(text, kind) {
  return element("li", text, kind);
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = text;
  return node;
}
