// The cluster page: the live graph (static/graph) and, around it, a module per panel:
// the top bar (topbar.js, clock.js), the timeline and the failure menu under and over the
// graph, and the drawer's tabs (drawer.js): Upload (apply.js, upload.js), Request
// (request.js, fire.js), Terminal (terminal.js), Inspect (inspect.js), History (history.js).
// The Lesson tab is a script of its own (lessons/lessontab.js).
//
// The feed calls onChange and onClock only from tasks of their own (a message, a timer),
// after this script has run: the panels mounted below the graph are there to hear them.

import {mountApply} from "./apply.js";
import {mountClock} from "./clock.js";
import {mountDrawer} from "./drawer.js";
import {mountFailureMenu} from "./failmenu.js";
import {mountFire} from "./fire.js";
import {mountGraph} from "../graph/graphview.js";
import {mountHistory} from "./history.js";
import {mountInspect} from "./inspect.js";
import {mountRequest} from "./request.js";
import {mountTerminal} from "./terminal.js";
import {mountTimeline} from "./timeline.js";
import {mountTopbar, namespace, ownersShown, showLive, showNotice} from "./topbar.js";
import {mountUpload} from "./upload.js";
import {$, pageConfig} from "../lib/dom.js";

const config = pageConfig();

const graph = mountGraph($("graph"), {
  slug: config.slug, static: config.static, namespace, showOwners: ownersShown,
  onChange: () => request.refreshSources(), onClock: (payload) => clock.set(payload),
  onLive: showLive, feed: config.feed, onNotice: showNotice,
});
const {cy, state} = graph;
const timeline = mountTimeline($("timeline"), graph, {slug: config.slug, csrf: config.csrf, namespace});
const failures = mountFailureMenu($("failure-menu"), graph, {
  slug: config.slug, csrf: config.csrf, isPast: () => timeline.pastAt() !== null,
});
window.clusterviz = {cy, state, graph, timeline, failures};

mountTopbar(graph);
const clock = mountClock(config, state);
const history = mountHistory($("history-list"), {slug: config.slug});
mountApply(config);
mountUpload({slug: config.slug, csrf: config.csrf});
const request = mountRequest(config, graph, {namespace});
window.clusterviz.fire = mountFire(config, {current: request.current}).state;
const terminal = mountTerminal(config);
const drawer = mountDrawer({
  onTab: (name) => history.visible(name === "history"),
  onWiden: () => { terminal.refit(); request.refit(); },
});
window.clusterviz.inspect = mountInspect(config, graph, {pastAt: timeline.pastAt, show: drawer.show});
if (config.following) history.visible(true);
