// A pod's shell in xterm.js: keystrokes go to the web shell socket (k8sapi/webshell.py),
// its output comes back as terminal text (CR LF, echo and prompts made by the server),
// and the session's end prints what kubectl would (`command terminated with exit code N`).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const status = document.getElementById("status");
  const term = new window.Terminal({ cursorBlink: true, convertEol: false, fontSize: 14 });
  const fit = new window.FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(document.getElementById("terminal"));
  fit.fit();
  window.clustervizTerminal = term; // for the browser tests: the screen's text

  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(scheme + "//" + location.host + config.socket);
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
})();
