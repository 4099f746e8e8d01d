// The pages' DOM helpers: find an element by id, read the page's config, and make an
// element with its text.
//
// Text from the server (names, messages, kubectl's output) always goes in as textContent,
// never as markup: a name cannot become script.

export const $ = (id) => document.getElementById(id);

// what the view put in the page for its scripts: {{ page_config|json_script:"page-config" }}
export const pageConfig = () => JSON.parse($("page-config").textContent);

// element("li", text, "ok"): a new element, its text (none when null) and its classes
export function element(tag, text, className) {
  const made = document.createElement(tag);
  if (text !== undefined && text !== null) made.textContent = text;
  if (className) made.className = className;
  return made;
}

// item(text, "ok"): a list item, the pages' most common line of results
export const item = (text, className) => element("li", text, className);

// span(text, "stderr"): a piece of a terminal's output
export const span = (text, className) => element("span", text, className);

// a key pressed while typing is a letter, not a page's shortcut (F, +, −, 0)
export const isTyping = (target) =>
  Boolean(target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)));
