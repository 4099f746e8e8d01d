// The pages' websocket addresses, in one place.
//
// The cluster page opens its graph feed before its scripts load (templates/dashboard/
// earlyfeed.js) and the graph adopts that socket only if it would open the very same URL;
// both build it here, so the two can never drift apart and silently open a second feed.

// ws: or wss: as the page itself, on the page's own host (connect-src 'self', csp.py)
export function socketURL(path) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${path}`;
}

// A cluster's graph feed (clusterviz/dashboard/consumers.py), filtered to a namespace
// ("" is everything but kube-system). `feed`: "graph", or "follow" (a teacher following a
// student's cluster, read only), which speaks the same messages.
export function graphFeedURL(slug, feed, namespace) {
  return socketURL(`/ws/clusters/${slug}/${feed || "graph"}?namespace=${encodeURIComponent(namespace)}`);
}
