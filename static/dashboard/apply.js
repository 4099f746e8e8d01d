// The Upload tab's Apply and Create: the manifest (typed, pasted or read from the picked
// files) goes to the API server, and each document's result comes back as kubectl would
// print it, with its warnings. The preview beside them is upload.js.
//
//   mountApply(config)

import {$, item} from "../lib/dom.js";
import {postToCluster} from "../lib/http.js";

export function mountApply(config) {
  async function send(mode) {
    const list = $("apply-results");
    list.replaceChildren(item("…", "pending"));
    const {ok, payload} = await postToCluster(config, "apply", {text: $("manifest").value, mode});
    list.replaceChildren();
    if (!ok) return list.append(item(payload.error, "error"));
    for (const result of payload.results) {
      list.append(item(result.text, result.ok ? "ok" : "error"));
      for (const warning of result.warnings) list.append(item(warning, "warning"));
    }
  }

  $("apply").addEventListener("click", () => send("apply"));
  $("create").addEventListener("click", () => send("create"));
  $("upload-files").addEventListener("change", (e) => readFiles(e.target.files));
}

// several files become one manifest, a document each
async function readFiles(files) {
  const texts = await Promise.all([...files].map((f) => f.text()));
  $("manifest").value = texts.map((t) => t.trim()).join("\n---\n");
  $("manifest").dispatchEvent(new Event("input")); // the preview follows
}
