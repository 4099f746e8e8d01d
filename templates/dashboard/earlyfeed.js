{% load static %}// Inlined at the top of the cluster page (templates/dashboard/cluster.html), as an async
// module before its stylesheet, which would hold a script back: opens the graph feed while
// the browser is still fetching and parsing the page's scripts, so the server builds the
// first snapshot (about a megabyte of JSON on 2,000 pods) meanwhile. The graph
// (static/graph/feed.js) adopts this socket and the messages it has had so far if it would
// open the same URL (the namespace select's default, everything but kube-system); else it
// closes it and opens its own. Both build the URL with lib/sockets.js, so they agree.
import {graphFeedURL} from "{% static 'lib/sockets.js' %}";

// undefined: the graph has not connected yet (it leaves null behind, adopted or not); this
// module waits for sockets.js, so on a slow fetch the graph may have been first
if (window.clustervizEarlyFeed === undefined) {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const url = graphFeedURL(config.slug, config.feed, "");
  const early = {url, socket: new WebSocket(url), messages: []};
  early.socket.onmessage = (event) => early.messages.push(event);
  window.clustervizEarlyFeed = early;
}
