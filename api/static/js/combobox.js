// An accessible search combobox (WAI-ARIA 1.2 "list autocomplete" pattern) over
// GET /v1/search: names, aliases and ids, case and accents ignored.
//
// Keys: Down/Up move through the suggestions, Enter picks the highlighted one
// (or submits the text), Escape closes the list (a second Escape clears the text),
// Home/End move in the text, Tab leaves.

import { getJSON, ApiError } from "./api.js";
import { h, clear, uid, debounce, announce } from "./dom.js";
import { kindBadge } from "./ui.js";

/**
 * @param {object} opts
 * @param {string} opts.label        visible label text
 * @param {string} [opts.name]       input name
 * @param {string} [opts.kind]       only suggest this kind
 * @param {string} [opts.value]      initial text
 * @param {string} [opts.placeholder]
 * @param {boolean} [opts.required]
 * @param {string} [opts.describedBy] id of a hint element
 * @param {(item) => void} opts.onSelect   an option was picked
 * @param {(text) => void} [opts.onSubmit] Enter with no option highlighted
 * @param {boolean} [opts.hiddenLabel] keep the label for screen readers only
 */
export function combobox(opts) {
  const inputId = uid("combo");
  const listId = `${inputId}-list`;
  const label = h("label", { for: inputId, class: opts.hiddenLabel ? "visually-hidden" : null }, opts.label);
  const input = h("input", {
    id: inputId, name: opts.name || null, type: "text", class: "combo-input",
    role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
    "aria-controls": listId, autocomplete: "off", spellcheck: "false",
    placeholder: opts.placeholder || null, required: opts.required || false,
    "aria-describedby": opts.describedBy || null,
  });
  if (opts.value) input.value = opts.value;
  const list = h("ul", { id: listId, role: "listbox", class: "combo-list", "aria-label": `${opts.label}: suggestions`, hidden: true });
  const wrap = h("div", { class: "combo" }, label, h("div", { class: "combo-field" }, input, list));

  let items = [];
  let active = -1;
  let controller = null;
  let lastQuery = "";

  function open() {
    if (items.length === 0) return close();
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function setActive(i) {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function pick(i) {
    const item = items[i];
    if (!item) return;
    close();
    opts.onSelect(item, input);
  }

  function render() {
    clear(list);
    items.forEach((item, i) => {
      const li = h("li", {
        id: `${listId}-${i}`, role: "option", class: "combo-option", "aria-selected": "false",
        on: {
          mousedown: (ev) => ev.preventDefault(),  // keep focus in the input
          click: () => pick(i),
        },
      },
      h("span", { class: "combo-name" }, item.name || item.id),
      " ", kindBadge(item.kind),
      item.aliases && item.aliases.length
        ? h("span", { class: "combo-aliases" }, ` also ${item.aliases.join(", ")}`) : null,
      h("span", { class: "combo-id" }, item.id));
      list.append(li);
    });
  }

  const lookup = debounce(async (q) => {
    if (controller) controller.abort();
    if (!q.trim()) { items = []; close(); return; }
    controller = new AbortController();
    try {
      const res = await getJSON("/v1/search", { q, kind: opts.kind, limit: 12 }, { signal: controller.signal });
      if (q !== input.value) return;  // stale answer
      items = res.items;
      lastQuery = q;
      render();
      setActive(-1);
      if (document.activeElement === input) {
        if (items.length) open(); else close();
      }
      announce(items.length ? `${items.length} suggestions` : "No suggestions");
    } catch (err) {
      if (err.name === "AbortError") return;
      items = [];
      close();
      if (!(err instanceof ApiError)) throw err;
    }
  }, 120);

  input.addEventListener("input", () => lookup(input.value));
  input.addEventListener("focus", () => { if (items.length && input.value === lastQuery) open(); });
  input.addEventListener("blur", () => window.setTimeout(close, 100));
  input.addEventListener("keydown", (ev) => {
    switch (ev.key) {
      case "ArrowDown":
        ev.preventDefault();
        if (list.hidden) { open(); if (items.length) setActive(0); } else setActive((active + 1) % items.length);
        break;
      case "ArrowUp":
        ev.preventDefault();
        if (list.hidden) { open(); if (items.length) setActive(items.length - 1); } else setActive(active <= 0 ? items.length - 1 : active - 1);
        break;
      case "Enter":
        if (!list.hidden && active >= 0) {
          ev.preventDefault();
          pick(active);
        } else if (opts.onSubmit) {
          ev.preventDefault();
          close();
          opts.onSubmit(input.value);
        }
        break;
      case "Escape":
        if (!list.hidden) { ev.preventDefault(); close(); } else if (input.value) { ev.preventDefault(); input.value = ""; items = []; }
        break;
      case "Tab":
        close();
        break;
      default:
        break;
    }
  });
  return { element: wrap, input };
}
