// The History tab: the cluster's recent commands (kubectl through the API, the Terminal,
// the Request tab), newest first, refreshed while the tab is open; a request's line opens
// its trace. Also the "your teacher is viewing" badge, from the graph feed's notices.

import {element, item} from "../lib/dom.js";

const REFRESH_MS = 2000;

export function mountHistory(list, opts) {
  let timer = null;
  let shown = "";

  async function refresh() {
    const response = await fetch(`/clusters/${opts.slug}/commands`).catch(() => null);
    if (!response || !response.ok) return;
    const {commands} = await response.json();
    const key = JSON.stringify(commands.map((c) => c.id));
    if (key === shown) return;  // nothing new: keep what is open
    shown = key;
    list.replaceChildren(...commands.map(entry));
    if (!commands.length) list.append(item(list.dataset.wordEmpty, "muted"));
  }

  function entry(command) {
    const li = item("", command.ok ? "ok" : "failed");
    li.dataset.id = command.id;
    li.dataset.source = command.source;
    const when = element("time", new Date(command.at).toLocaleTimeString());
    const code = element("span", command.code === null ? "—" : String(command.code), "status-code");
    li.append(when, " ", element("code", command.text), " ", code);
    if (command.trace) {
      const link = element("a", list.dataset.wordTrace);
      link.href = `/clusters/${opts.slug}/commands/${command.id}`;
      link.addEventListener("click", (event) => { event.preventDefault(); openTrace(li, link.href); });
      li.append(" ", link);
    }
    return li;
  }

  async function openTrace(li, url) {
    const open = li.querySelector("ol.trace");
    if (open) return open.remove();
    const response = await fetch(url).catch(() => null);
    if (!response || !response.ok) return;
    const {trace} = await response.json();
    const ol = element("ol", null, "trace");
    for (const line of trace) ol.append(item(line));
    li.append(ol);
  }

  function visible(yes) {
    clearInterval(timer);
    timer = null;
    if (!yes) return;
    refresh();
    timer = setInterval(refresh, REFRESH_MS);
  }

  return {refresh, visible};
}

export function showFollowed(badge, followed) {
  badge.hidden = !followed;
}
