// The teacher's roster (the class page): one card per student, live over
// /ws/classes/<pk>/roster. The first message draws every card; after that each message
// is one student's card, redrawn in place, and the cards are moved (never rebuilt) so that
// those who need help come first. The thumbnail is an SVG drawn from the card's own
// summary of the graph (nodes and the state of each pod), not a second Cytoscape.

import {$, element, item} from "../lib/dom.js";
import {socketURL} from "../lib/sockets.js";

const root = $("roster");
// the page's words, translated by the template: data-word-running -> word("running")
const word = (name) => root.dataset["word" + name[0].toUpperCase() + name.slice(1)] || name;
const SVG = "http://www.w3.org/2000/svg";
const cards = new Map();  // slug -> {card, element}
window.clustervizRoster = {cards, messages: 0};

function sortKey(card) {
  return [card.help.length ? 0 : 1, card.online ? 0 : 1, card.name.toLowerCase()];
}

function compare(a, b) {
  const [x, y] = [sortKey(a), sortKey(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

function thumb(data) {
  const svg = document.createElementNS(SVG, "svg");
  const columns = Math.max(data.nodes.length + (data.unscheduled.length ? 1 : 0), 1);
  const [w, h, pad] = [60, 54, 4];
  svg.setAttribute("viewBox", `0 0 ${columns * (w + pad) + pad} ${h + 2 * pad}`);
  svg.setAttribute("class", "thumb");
  svg.setAttribute("role", "img");
  const boxes = [...data.nodes];
  if (data.unscheduled.length) boxes.push({name: "", ready: true, pods: data.unscheduled, loose: true});
  boxes.forEach((node, i) => {
    const x = pad + i * (w + pad);
    const rect = document.createElementNS(SVG, "rect");
    for (const [k, v] of Object.entries({x, y: pad, width: w, height: h, rx: 4})) rect.setAttribute(k, v);
    rect.setAttribute("class", `box${node.ready ? "" : " not-ready"}${node.loose ? " loose" : ""}`);
    const title = document.createElementNS(SVG, "title");
    title.textContent = node.name;
    rect.append(title);
    svg.append(rect);
    node.pods.forEach((state, j) => {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", x + 6 + (j % 6) * 9.5);
      dot.setAttribute("cy", pad + 7 + Math.floor(j / 6) * 9.5);
      dot.setAttribute("r", 3.6);
      dot.setAttribute("class", `pod ${state}`);
      svg.append(dot);
    });
  });
  return svg;
}

function draw(card) {
  const article = element("article", null, "roster-card");
  article.dataset.slug = card.slug;
  article.classList.toggle("needs-help", card.help.length > 0);
  article.classList.toggle("offline", !card.online);
  const head = element("header");
  const dot = element("span", card.online ? word("online") : word("offline"),
                      `presence ${card.online ? "on" : "off"}`);
  head.append(element("h4", card.name), dot);
  if (card.followed) head.append(element("span", word("followed"), "followed"));
  const step = element("p", card.step && card.step.number
    ? word("step").replace("{n}", card.step.number).replace("{of}", card.step.of) +
      (card.step.title ? ` · ${card.step.title}` : "")
    : word("noStep"), "step");
  const counts = element("ul", null, "counts");
  for (const key of ["running", "pending", "error", "imagepull"]) {
    const li = element("li", null, `count ${key}`);
    li.dataset.key = key;
    li.append(element("b", String(card.pods[key])), " ", word(key));
    counts.append(li);
  }
  const last = element("p", null, "last");
  if (card.last) {
    last.classList.add(card.last.ok ? "ok" : "failed");
    last.append(element("code", card.last.text, "text"), " ",
                element("span", card.last.code === null ? "—" : String(card.last.code), "status-code"));
  } else {
    last.textContent = word("noCommands");
  }
  const help = element("ul", null, "help");
  for (const reason of card.help) help.append(item(reason));
  const follow = element("a", word("follow"), "follow");
  follow.href = `/clusters/${card.slug}/follow`;
  follow.target = "_blank";
  article.append(head, thumb(card.thumb), step, counts, last, help, follow);
  return article;
}

function put(card) {
  const known = cards.get(card.slug);
  const drawn = draw(card);
  if (known) known.element.replaceWith(drawn);
  else root.append(drawn);
  cards.set(card.slug, {card, element: drawn});
}

function reorder() {
  const ordered = [...cards.values()].sort((a, b) => compare(a.card, b.card));
  const now = [...root.children];
  if (ordered.every((entry, i) => now[i] === entry.element)) return;
  for (const entry of ordered) root.append(entry.element);  // moves, keeps the elements
}

function onMessage(message) {
  window.clustervizRoster.messages += 1;
  if (message.type === "cards") {
    const slugs = new Set(message.cards.map((c) => c.slug));
    for (const [slug, entry] of cards) {
      if (!slugs.has(slug)) { entry.element.remove(); cards.delete(slug); }
    }
    root.querySelector(".empty")?.remove();
    message.cards.forEach(put);
    if (!message.cards.length) root.append(element("p", word("empty"), "empty muted"));
  } else if (message.type === "card") {
    put(message.card);
  }
  reorder();
}

function connect() {
  const socket = new WebSocket(socketURL(`/ws/classes/${root.dataset.class}/roster`));
  socket.onmessage = (event) => onMessage(JSON.parse(event.data));
  socket.onclose = () => setTimeout(connect, 1000);
}

connect();
