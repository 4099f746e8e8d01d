// The past (clusterviz/history, the timeline under the graph): while the timeline shows a
// moment of the past, the graph draws that moment and its replayed changes instead of the
// live feed, which keeps its sequence but draws nothing (feed.js). Leaving asks the server
// for a fresh snapshot, drawn as a diff like any resync, so the return to now does not
// redraw what stayed the same. The container is marked `past` for the page's styles.

export function createPast(container, changes, resync) {
  let past = false;

  function showPast(elements) {
    past = true;
    container.classList.add("past");
    changes.applyChange(changes.diffAgainstDrawn(elements), false);
  }

  function pastChange(change) {
    if (past) changes.applyChange(change, true);
  }

  function leavePast() {
    if (!past) return;
    past = false;
    container.classList.remove("past");
    resync();
  }

  return {showPast, pastChange, leavePast, isPast: () => past};
}
