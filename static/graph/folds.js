// Finished Jobs' pods, folded into one box.
//
// A Job's finished pods (Succeeded: `completed`, Failed: `error`) are hidden and one box
// per Job says "N completed / M failed"; a click opens it. A hidden pod gives up its slot
// in its node's box (the box shrinks, a later pod may take it: that is the point, the
// failures of step 1 stop pushing step 3's pods down); opened, it takes a free slot again,
// unseen while it was hidden, so nothing on the screen jumps. The fold boxes are drawn
// here, never sent by the server (changes.js leaves them out of its diff).

import {shorten} from "./labels.js";

const FINISHED = "node.pod.completed, node.pod.error";

export function createFolds(cy, layout, on) {
  const folds = {on, open: new Set(), hidden: new Set()};
  const words = {completed: gettext("completed"), failed: gettext("failed")};

  function refold() {
    const wanted = new Map();
    if (folds.on) {
      for (const job of cy.nodes("node.owner.job")) {
        if (folds.open.has(job.id())) continue;
        const pods = job.outgoers("edge.owns").targets(FINISHED);
        if (pods.length >= 2) wanted.set(`fold/${job.id()}`, {job, pods});
      }
    }
    const keep = new Set([...wanted.values()].flatMap(({pods}) => pods.map((pod) => pod.id())));
    for (const id of folds.hidden) if (!keep.has(id)) unhide(id);
    cy.nodes("node.pod-fold").filter((f) => !wanted.has(f.id())).forEach((f) => {
      layout.freePod(f.id());
      f.remove();
    });
    for (const [id, {job, pods}] of wanted) drawFold(id, job, pods);
  }

  // On the first draw, folded pods took slots before they were folded: give the boxes'
  // slots out again to what is shown (a fold box first), before anything was seen in place.
  function compactBoxes() {
    if (!folds.hidden.size) return;
    layout.clearPodSlots();
    const shown = cy.nodes("node.pod-fold").union(cy.nodes("node.pod").not(".folded"));
    cy.batch(() => {
      for (const node of shown) {
        node.position(layout.positionFor({group: "nodes", data: {...node.data(), kind: "Pod"}}));
      }
      layout.resizeBoxes();
    });
  }

  function unhide(id) {
    folds.hidden.delete(id);
    const pod = cy.getElementById(id);
    if (pod.empty()) return;
    pod.position(layout.positionFor({group: "nodes", data: pod.data()}));
    pod.removeClass("folded");
  }

  function drawFold(id, job, pods) {
    for (const pod of pods) {
      if (!folds.hidden.has(pod.id())) {
        folds.hidden.add(pod.id());
        layout.freePod(pod.id());
      }
    }
    pods.addClass("folded");  // again after an update, which resets a pod's classes
    const done = pods.filter(".completed").length;
    const display = `${shorten(job.data("name") || "", 19)}\n${done} ${words.completed}\n` +
                    `${pods.length - done} ${words.failed}`;
    let fold = cy.getElementById(id);
    if (fold.empty()) {
      const data = {id, kind: "Fold", job: job.id(), box: pods[0].data("box"), display};
      fold = cy.add({group: "nodes", classes: "pod-fold", data,
                     position: layout.positionFor({group: "nodes", data: {...data, kind: "Pod"}})});
    }
    if (fold.data("display") !== display) fold.data("display", display);
  }

  const redraw = () => cy.batch(() => { refold(); layout.resizeBoxes(); });

  // Folding on or off opens every Job again.
  function set(value) {
    folds.on = value;
    folds.open.clear();
    redraw();
  }

  cy.on("tap", "node.pod-fold", (event) => {
    folds.open.add(event.target.data("job"));
    redraw();
  });

  return {refold, compactBoxes, set, isOn: () => folds.on};
}
