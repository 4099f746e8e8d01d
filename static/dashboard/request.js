// The Request tab: a source (a running pod, a node, an outside client), a command, Run.
// The answer reads like a terminal (stdout, stderr, exit code); under it the trace, one
// numbered line per step, while the same path plays on the graph (graph/path.js).
//
//   const request = mountRequest(config, graph, {namespace: () => "..."});
//   request.current()        // {source, command}: what Fire N sends too
//   request.refreshSources() // the graph changed: its pods and nodes are sources
//   request.refit()          // after the drawer changed width

import {$, element, item, span} from "../lib/dom.js";
import {fitWidest, fitWidestSoon} from "../lib/fittext.js";
import {postToCluster} from "../lib/http.js";
import {TERMINAL_FONT} from "./terminal.js";

export function mountRequest(config, graph, opts) {
  const terminal = $("terminal");

  // the select's value is "kind|namespace|name" (sourceGroups)
  function current() {
    const [kind, namespace, name] = $("source").value.split("|");
    return {source: {kind, namespace: namespace || "default", name}, command: $("command").value};
  }

  async function run(event) {
    event.preventDefault();
    const {source, command} = current();
    const trace = $("trace");
    terminal.replaceChildren(span(`$ ${command}\n`, "cmd"));
    trace.replaceChildren();
    graph.clearPath();
    const {ok, payload} = await postToCluster(config, "run", {source, command,
                                                              graph_namespace: opts.namespace()});
    if (!ok) return terminal.append(span(`${payload.error}\n`, "stderr"));
    showAnswer(terminal, payload);
    for (const step of payload.trace) trace.append(item(step, "step"));
    graph.showPath(payload.path, {list: trace});  // the path plays on the graph, the lines in step
  }

  const refreshSources = () => fillSources($("source"), sourceGroups(graph.cy, config.clients));
  $("request-form").addEventListener("submit", run);
  refreshSources();
  return {current, refreshSources, refit: () => fitWidestSoon(terminal, TERMINAL_FONT)};
}

function showAnswer(terminal, payload) {
  terminal.append(span(payload.stdout, "stdout"), span(payload.stderr, "stderr"));
  if (payload.hangs) terminal.append(span(gettext("(no answer: the command hangs until interrupted)") + "\n", "stderr"));
  terminal.append(span(interpolate(gettext("exit code %(code)s"), {code: payload.exit_code}, true), payload.exit_code ? "exit bad" : "exit good"));
  fitWidest(terminal, TERMINAL_FONT);
}

// what can send a request: pods that run, nodes, and the outside clients of the page's config
function sourceGroups(cy, clients) {
  return [
    [gettext("Pods"), cy.nodes("node.pod.running-ready, node.pod.running-not-ready").map((n) =>
      [`pod|${n.data("namespace")}|${n.data("name")}`, `${n.data("name")} (${n.data("ip")})`])],
    [gettext("Nodes"), cy.nodes("node.k8s-node[kind = 'Node']").map((n) =>
      [`node||${n.data("name")}`, `${n.data("name")} (${n.data("ip")})`])],
    [gettext("Outside clients"), clients.map((ip) =>
      [`client||${ip}`, interpolate(gettext("client %(ip)s"), {ip}, true)])],
  ];
}

// Rebuilt only when the choices changed (the graph changes far more often than its sources),
// and the one chosen stays chosen.
function fillSources(select, groups) {
  const chosen = select.value;
  const key = JSON.stringify(groups);
  if (select.dataset.key === key) return;
  select.dataset.key = key;
  select.replaceChildren(...groups.map(([label, options]) => {
    const group = element("optgroup");
    group.label = label;
    for (const [value, text] of options.sort((a, b) => a[1].localeCompare(b[1]))) {
      group.append(new Option(text, value, false, value === chosen));
    }
    return group;
  }));
}
