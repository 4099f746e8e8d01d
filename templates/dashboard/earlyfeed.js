// Inlined at the top of the cluster page (templates/dashboard/cluster.html), before its
// stylesheet, which would hold a script back: opens the graph feed while the browser is
// still fetching and parsing the page's scripts, so the server builds the first snapshot
// (about a megabyte of JSON on 2,000 pods) meanwhile. graphview.js adopts this socket and
// the messages it has had so far if it would open the same URL (the namespace select's
// default, everything but kube-system); else it closes it and opens its own.
(() => {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/ws/clusters/${config.slug}/${config.feed || "graph"}?namespace=`;
  const early = {url, socket: new WebSocket(url), messages: []};
  early.socket.onmessage = (event) => early.messages.push(event);
  window.clustervizEarlyFeed = early;
})();
