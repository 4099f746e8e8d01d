// kubectl's tables are read by their columns: a wrapped row loses them, a cut one hides
// them. fitWidest() gives a box of monospace text (white-space: pre) the largest font size,
// between `min` and `max`, at which its widest line fits; below `min` the text would stop
// being legible, so there it stays and the box scrolls sideways (overflow-x: auto in CSS).
//
// The trade-off: one measure per call (scrollWidth at the largest size, which costs a
// layout), so it is called when the text changes, at most once a frame for a stream.

export function fitWidest(box, {max, min}) {
  box.style.fontSize = `${max}px`;
  if (box.scrollWidth <= box.clientWidth) return max;
  const style = getComputedStyle(box);
  const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  // a monospace line's width is proportional to the font size; floor to stay inside
  const ratio = (box.clientWidth - pad) / Math.max(box.scrollWidth - pad, 1);
  const size = Math.max(min, Math.floor(max * ratio * 10) / 10);
  box.style.fontSize = `${size}px`;
  return size;
}

// For a box that grows while a command streams: refit once per frame, not per chunk.
export function fitWidestSoon(box, limits) {
  if (box.dataset.fitDue) return;
  box.dataset.fitDue = "1";
  requestAnimationFrame(() => { delete box.dataset.fitDue; fitWidest(box, limits); });
}
