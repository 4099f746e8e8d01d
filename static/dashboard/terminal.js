// The Terminal tab: the bundled kubectl over a websocket (/ws/clusters/<slug>/kubectl),
// its output streamed in as it comes, ↑/↓ through the commands run, Stop or Ctrl-C for
// `get -w` and `logs -f`. `exec -it` is refused here with a link to the pod's shell page.
//
//   const terminal = mountTerminal(config);
//   terminal.refit()   // after the drawer changed width
//
// The socket opens with the first command and is reused; a closed one is reopened.

import {$, element, span} from "../lib/dom.js";
import {fitWidestSoon} from "../lib/fittext.js";
import {socketURL} from "../lib/sockets.js";

// kubectl's and curl's output keep their lines: the font shrinks to fit the widest, down
// to a legible size, then the box scrolls sideways (fittext.js). The Request tab's too.
export const TERMINAL_FONT = {max: 15, min: 11};

export function mountTerminal(config) {
  const out = $("kubectl-output");
  const term = {socket: null, history: [], at: 0, running: false};

  function setRunning(running) {
    term.running = running;
    $("kubectl-stop").disabled = !running;
    $("kubectl-run").disabled = running;
  }

  function socket() {
    if (term.socket && term.socket.readyState <= WebSocket.OPEN) return term.socket;
    term.socket = new WebSocket(socketURL(`/ws/clusters/${config.slug}/kubectl`));
    term.socket.onmessage = (event) => {
      if (show(out, JSON.parse(event.data))) setRunning(false);
    };
    term.socket.onclose = () => setRunning(false);
    return term.socket;
  }

  function run(event) {
    event.preventDefault();
    const command = $("kubectl-command").value.trim();
    if (!command || term.running) return;
    if (term.history[term.history.length - 1] !== command) term.history.push(command);
    term.at = term.history.length;
    out.replaceChildren(span(`$ ${command}\n`, "cmd"));
    const payload = JSON.stringify({type: "run", command, stdin: $("kubectl-stdin").value});
    const open = socket();
    setRunning(true);
    if (open.readyState === WebSocket.OPEN) open.send(payload);
    else open.addEventListener("open", () => open.send(payload), {once: true});
  }

  function stop() {
    if (term.socket && term.socket.readyState === WebSocket.OPEN) term.socket.send(JSON.stringify({type: "stop"}));
  }

  $("kubectl-form").addEventListener("submit", run);
  $("kubectl-stop").addEventListener("click", stop);
  $("kubectl-command").addEventListener("keydown", (event) => keys(event, term, stop));
  return {refit: () => fitWidestSoon(out, TERMINAL_FONT)};
}

// One message from the socket into the output; true when the command is over.
function show(out, message) {
  let over = false;
  if (message.type === "output") out.append(span(message.data, message.stream));
  if (message.type === "refused") { out.append(span(`${message.message}\n`, "refused")); over = true; }
  if (message.type === "shell") {  // exec -it: the shell has a page (and a terminal) of its own
    const link = Object.assign(element("a", message.link, "shell-link"),
                               {href: message.url, target: "_blank", rel: "noopener"});
    out.append(span(`${message.message}\n`, "notice"), link, document.createTextNode("\n"));
    over = true;
  }
  if (message.type === "exit") {
    if (message.code !== null) out.append(span(interpolate(gettext("exit code %(code)s"), {code: message.code}, true), message.code ? "exit bad" : "exit good"));
    over = true;
  }
  out.scrollTop = out.scrollHeight;
  fitWidestSoon(out, TERMINAL_FONT);
  return over;
}

// ↑/↓ walk the commands run, as a shell's history; Ctrl-C stops a running one
function keys(event, term, stop) {
  const input = event.target;
  if (event.key === "ArrowUp" && term.at > 0) {
    term.at -= 1;
    input.value = term.history[term.at];
  } else if (event.key === "ArrowDown" && term.at < term.history.length) {
    term.at += 1;
    input.value = term.history[term.at] || "";
  } else if (event.key === "c" && event.ctrlKey && term.running) {
    stop();
  } else {
    return;
  }
  event.preventDefault();
}
