// Where each element goes: a slot per element, chosen once.
//
// Positions are decided when an element first appears and never recomputed: a pod keeps
// its slot in its node's box until it is gone, so nothing on the screen jumps when others
// come and go. Node boxes stand in a row, the control plane first (it appears first);
// pods fill their box's columns top down; Services, Ingresses and owners have rows above
// the boxes, the outside world a column on their left.

export const LAYOUT = {
  podW: 210, podH: 96, nodeGap: 100, nodeTop: 0, boxPad: 26, boxMinH: 90,
  ownerY: -170, serviceY: -360, ingressY: -700, outsideX: -170, outsideGap: 100, rowGap: 310,
  serviceRowGap: 150,
};

// a server element (`{group, data}`) that is a node's box: its pods are placed inside it
export const isBox = (el) => el.data.kind === "Node" || el.data.kind === "Unscheduled";

// A control plane's box holds one column of pods, a worker's two: fixed per node, so a
// node's place is decided once, when it first appears.
function columnsOf(data) {
  return data.kind === "Node" && !data.roles.includes("control-plane") ? 2 : 1;
}

function rowOf(kind) {
  if (kind === "Service") return {name: "services", y: LAYOUT.serviceY};
  if (kind === "Ingress") return {name: "ingresses", y: LAYOUT.ingressY};
  if (kind === "Client" || kind === "UpstreamDNS") return {name: "outside", y: 0};
  return {name: "owners", y: LAYOUT.ownerY};
}

export function createLayout(cy) {
  // pods: box id -> (pod id -> slot); rows: row name -> (id -> slot);
  // resized: the boxes whose pods' places changed since they were last sized
  const slots = {nodes: new Map(), pods: new Map(), rows: new Map(), nextNodeX: 0, resized: new Set()};

  function takeSlot(map, key, id) {
    let used = map.get(key);
    if (!used) map.set(key, used = new Map());
    if (used.has(id)) return used.get(id);
    const taken = new Set(used.values());
    let slot = 0;
    while (taken.has(slot)) slot += 1;
    used.set(id, slot);
    if (map === slots.pods) slots.resized.add(key);
    return slot;
  }

  function freeSlot(map, id) {
    for (const [key, used] of map) {
      if (used.delete(id) && map === slots.pods) slots.resized.add(key);
    }
  }

  function nodeX(data) {
    if (!slots.nodes.has(data.id)) {
      const width = columnsOf(data) * LAYOUT.podW;
      slots.nodes.set(data.id, slots.nextNodeX + width / 2);
      slots.nextNodeX += width + LAYOUT.nodeGap;
    }
    return slots.nodes.get(data.id);
  }

  // A box spans its pods' rows (at least one box's height) and grows downwards.
  function boxShape(id, data) {
    const cols = columnsOf(data);
    const used = slots.pods.get(id);
    const rows = used && used.size ? Math.floor(Math.max(...used.values()) / cols) + 1 : 0;
    const w = cols * LAYOUT.podW - 18 + 2 * LAYOUT.boxPad;
    const h = Math.max(rows * LAYOUT.podH - 16 + 2 * LAYOUT.boxPad, LAYOUT.boxMinH);
    const top = LAYOUT.nodeTop + 20 - (LAYOUT.podH - 16) / 2 - LAYOUT.boxPad;
    return {w, h, position: {x: nodeX(data), y: top + h / 2}};
  }

  function resizeBoxes() {
    for (const id of slots.resized) {
      const box = cy.getElementById(id);
      if (box.empty()) continue;
      const {w, h, position} = boxShape(id, box.data());
      if (box.data("w") !== w || box.data("h") !== h) box.data({w, h});
      box.position(position);
    }
    slots.resized.clear();
  }

  function podPlace(d) {
    const box = cy.getElementById(d.box);
    const cols = box.nonempty() ? columnsOf(box.data()) : 1;
    const x = box.nonempty() ? nodeX(box.data()) : 0;
    const slot = takeSlot(slots.pods, d.box, d.id);
    return {x: x + (slot % cols - (cols - 1) / 2) * LAYOUT.podW,
            y: LAYOUT.nodeTop + 20 + Math.floor(slot / cols) * LAYOUT.podH};
  }

  // Services wrap at the nodes' width (at least four a row), the next row above: the
  // lecture's eight Services in one row made the graph twice as wide as its nodes, which
  // on a projector meant labels too small to read. The Ingress row sits above two such rows.
  function servicePlace(slot) {
    const span = slots.nextNodeX - LAYOUT.nodeGap;
    const perRow = Math.max(4, Math.floor((span - 250) / LAYOUT.rowGap) + 1);
    return {x: (slot % perRow) * LAYOUT.rowGap + LAYOUT.podW / 2,
            y: LAYOUT.serviceY - Math.floor(slot / perRow) * LAYOUT.serviceRowGap};
  }

  // The place of a server element (`{group, data}`), taking its slot if it has none yet.
  function positionFor(el) {
    const d = el.data;
    if (el.group === "edges") return undefined;
    if (d.kind === "Pod") return podPlace(d);
    if (isBox(el)) return boxShape(d.id, d).position;
    const row = rowOf(d.kind);
    const slot = takeSlot(slots.rows, row.name, d.id);
    if (row.name === "outside") return {x: LAYOUT.outsideX, y: -200 + slot * LAYOUT.outsideGap};
    if (row.name === "services") return servicePlace(slot);
    return {x: slot * LAYOUT.rowGap + LAYOUT.podW / 2, y: row.y};
  }

  // Every pod slot given up, every box to be resized: the places are handed out again.
  function clearPodSlots() {
    for (const used of slots.pods.values()) used.clear();
    for (const box of slots.pods.keys()) slots.resized.add(box);
  }

  return {
    positionFor, boxShape, resizeBoxes, clearPodSlots,
    freePod: (id) => freeSlot(slots.pods, id),
    free: (id) => { freeSlot(slots.pods, id); freeSlot(slots.rows, id); },
  };
}
