// The graph feed: the websocket that keeps the graph live.
//
// The server sends a snapshot, then deltas keyed by element id, each with the next
// sequence number (see clusterviz/dashboard/consumers.py). A gap in the sequence asks the
// server for a fresh snapshot (a resync), which is drawn as a diff against what is drawn,
// like any delta. While the past is shown (past.js) the feed keeps counting but draws
// nothing. A closed socket reconnects after a second and starts from a snapshot again.
//
// The cluster page may have opened this very feed before its scripts loaded
// (templates/dashboard/earlyfeed.js): it is adopted, with the messages it has had so far,
// when its URL is the one this would open (both from lib/sockets.js).
//
// state: seq, version, clock (the last message's), messages (counted), resyncs (asked)

import {graphFeedURL} from "../lib/sockets.js";

// opts: the graph's options (slug, feed, onClock, onLive, onNotice) and namespace();
// draw: {changes, folds, camera, isPast()}
export function createFeed(cy, state, opts, draw) {
  let socket = null;
  const setLive = (name, text) => opts.onLive && opts.onLive(name, text);

  function send(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }

  function onMessage(message) {
    if (message.type !== "snapshot" && message.type !== "delta") {
      // beside the feed, without a seq: "viewers" (the teacher follows), "refused"
      if (opts.onNotice) opts.onNotice(message);
      return;
    }
    state.messages += 1;
    if (draw.isPast()) {
      state.seq = message.seq;
      return;
    }
    if (message.seq !== state.seq + 1 && message.type !== "snapshot") {
      state.resyncs += 1;
      send({type: "resync"});
      return;
    }
    state.seq = message.seq;
    state.version = message.version;
    if (message.clock && opts.onClock) opts.onClock(message.clock);
    if (message.type === "snapshot") drawSnapshot(message.elements);
    else drawDelta(message);
  }

  // The first snapshot is drawn at once and framed; a later one (a resync, a reconnection)
  // is a change like any other.
  function drawSnapshot(elements) {
    const first = cy.elements().empty();
    const change = draw.changes.diffAgainstDrawn(elements);
    draw.changes.applyChange(change, !first);
    if (first) draw.folds.compactBoxes();
    if (first) draw.camera.defaultView(false);
    else draw.camera.keepInView(change.add);
  }

  function drawDelta(delta) {
    draw.changes.applyChange(delta, true);
    if (delta.add.length) draw.camera.keepInView(delta.add);
  }

  function connect() {
    const url = graphFeedURL(opts.slug, opts.feed, opts.namespace());
    const early = window.clustervizEarlyFeed;
    window.clustervizEarlyFeed = null;  // adopted once: a reconnect opens its own
    const adopt = early && early.url === url && early.socket.readyState <= WebSocket.OPEN;
    if (early && !adopt) early.socket.close();
    socket = adopt ? early.socket : new WebSocket(url);
    setLive("connecting", gettext("connecting…"));
    socket.onopen = () => setLive("live", gettext("live"));
    const handle = (event) => onMessage(JSON.parse(event.data));
    socket.onmessage = handle;
    if (adopt && socket.readyState === WebSocket.OPEN) setLive("live", gettext("live"));
    if (adopt && early.messages.length) {
      // what it had so far, in a task of its own once the page has finished setting up;
      // what arrives meanwhile waits behind it, in order
      const queue = early.messages;
      socket.onmessage = (event) => queue.push(event);
      setTimeout(() => { queue.forEach(handle); socket.onmessage = handle; });
    }
    socket.onclose = () => {
      setLive("offline", gettext("reconnecting…"));
      state.seq = 0;
      setTimeout(connect, 1000);
    };
  }

  return {connect, send};
}
