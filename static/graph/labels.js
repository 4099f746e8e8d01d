// The words drawn on each element, made from the server's label.
//
// Long generated names are cut in the middle (the random suffix is what tells pods apart);
// the full name is in the Inspect tab. A pod's status line starts with its state's glyph,
// so a state reads without its colour.

const GLYPH = {
  "pending": "◌", "creating": "◔", "running-ready": "✔", "running-not-ready": "!",
  "completed": "■", "error": "✖", "crashloop": "↻", "terminating": "⌛", "unknown": "?",
};

export function shorten(name, limit = 21) {
  return name.length <= limit ? name : `${name.slice(0, limit - 8)}…${name.slice(-7)}`;
}

export function display(d) {
  if (!d.label || d.kind === "Node" || d.kind === "Unscheduled") return d.label || "";
  const lines = d.label.split("\n");
  lines[0] = shorten(lines[0], d.kind === "Pod" ? 19 : 28);
  if (d.kind === "Pod") {  // name, IP, STATUS: the glyph goes with the status
    lines[lines.length - 1] = `${GLYPH[d.state] || ""} ${lines[lines.length - 1]}`;
  }
  return lines.join("\n");
}
