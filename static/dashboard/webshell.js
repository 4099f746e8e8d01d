// A pod's shell in xterm.js: keystrokes go to the web shell socket (k8sapi/webshell.py),
// its output comes back as terminal text (CR LF, echo and prompts made by the server),
// and the session's end prints what kubectl would (`command terminated with exit code N`).
// xterm.js and its fit addon are classic scripts loaded before this module (window.Terminal).

import {$, pageConfig} from "../lib/dom.js";
import {socketURL} from "../lib/sockets.js";

const config = pageConfig();
const status = $("status");
const term = new window.Terminal({ cursorBlink: true, convertEol: false, fontSize: 14 });
const fit = new window.FitAddon.FitAddon();
term.loadAddon(fit);
term.open($("terminal"));
fit.fit();
window.clustervizTerminal = term; // for the browser tests: the screen's text

const socket = new WebSocket(socketURL(config.socket));
let ended = false;

function send(message) {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}
socket.addEventListener("open", () => {
  status.textContent = "";
  send({ type: "resize", cols: term.cols, rows: term.rows });
  term.focus();
});
socket.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  if (message.type === "output") {
    term.write(message.data);
  } else if (message.type === "error") {
    term.write(message.message + "\r\n");
    ended = true;
  } else if (message.type === "exit") {
    if (message.message) term.write(message.message + "\r\n");
    ended = true;
  }
});
socket.addEventListener("close", () => {
  status.textContent = ended ? status.dataset.ended : status.dataset.lost;
  document.body.dataset.ended = "true";
});
term.onData((data) => send({ type: "input", data }));
window.addEventListener("resize", () => {
  fit.fit();
  send({ type: "resize", cols: term.cols, rows: term.rows });
});
