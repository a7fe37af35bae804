/** The page's inline stylesheet and script: no file, font or script is fetched from anywhere. */

/** The stylesheet. */
export const PAGE_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
  max-width: 1200px; padding: 16px 24px 48px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px;
  border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 15px; margin: 16px 0 6px; }
.muted { color: #777; } .bad { color: #b3261e; } .good { color: #1b7a3a; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
#totals { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 8px 0; }
#totals div b { display: block; font-size: 20px; }
.scroll { overflow-x: auto; border: 1px solid #eee; padding: 4px; }
#timeline .col { cursor: pointer; outline: none; }
#timeline .col:hover .hit, #timeline .col:focus .hit { fill: #e8eefc; }
#timeline .col:focus .hit { stroke: #3b6fd4; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: -2px; border-radius: 2px; }
#col-info { min-height: 3.2em; margin: 6px 0; }
#col-info table { font-size: 12px; }
table { border-collapse: collapse; margin: 4px 0; } th, td { text-align: left;
  padding: 2px 10px 2px 0; border-bottom: 1px solid #f0f0f0; vertical-align: top; }
td.n { text-align: right; }
.gallery { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
.gallery img { width: 120px; height: 120px; object-fit: cover; background: #eee; display: block; }
.quota { display: inline-block; width: 160px; height: 10px; background: #eee;
  vertical-align: middle; } .quota span { display: block; height: 100%; background: #3b6fd4; }
.quota.over span { background: #d62728; }
`;

/** The script: hover or focus shows a column's numbers; choosing a month lists its items. */
export const PAGE_SCRIPT = `
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const SOURCES = ["library", "album", "picker", "takeout"];
  const STATES = ["onDisk", "pending", "failed", "skipped"];
  const STATE_NAMES = { onDisk: "on disk", pending: "pending", failed: "failed", skipped: "skipped" };
  const columns = new Map(data.columns.map((c) => [c[0], c]));
  const info = document.getElementById("col-info");
  const pick = document.getElementById("month-pick");
  const view = document.getElementById("month-view");
  const fmt = (n) => String(n).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ",");
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const url = (path) => data.base + path.split("/").map(encodeURIComponent).join("/");
  const size = (b) => b === null ? "" : b < 1024 ? b + " B" : b < 1048576 ?
    (b / 1024).toFixed(1) + " KB" : (b / 1048576).toFixed(1) + " MB";
  const label = (key) => key === "undated" ? "Undated" : key;

  function showInfo(key) {
    const c = columns.get(key);
    if (!c) return;
    info.replaceChildren();
    const head = el("div", { id: "col-info-head" });
    head.append(el("b", {}, label(key)), " ");
    if (c[1]) {
      head.append(el("span", { class: "bad" }, "no items: a gap"));
      info.append(head);
      return;
    }
    head.append(el("span", { id: "col-info-total" }, fmt(c[2])), " items, " + size(c[3]));
    info.append(head);
    const table = el("table");
    const tr = el("tr");
    tr.append(el("th", {}, ""));
    for (const s of STATES) tr.append(el("th", {}, STATE_NAMES[s]));
    table.append(tr);
    SOURCES.forEach((src, i) => {
      const counts = c[4].slice(i * 4, i * 4 + 4);
      if (!counts.some((n) => n > 0)) return;
      const row = el("tr", { "data-source": src });
      row.append(el("th", {}, src));
      for (const n of counts) row.append(el("td", { class: "n" }, fmt(n)));
      table.append(row);
    });
    info.append(table);
  }

  function openMonth(key) {
    const c = columns.get(key);
    if (!c) return;
    pick.value = key;
    const items = data.items[key] || [];
    view.replaceChildren();
    view.append(el("h3", { id: "month-title" }, label(key) + ": " + fmt(c[2]) + " items" +
      (items.length < c[2] ? ", the newest " + items.length + " listed" : "")));
    const photos = items.filter((it) => it[4] === 0 && it[6] === 0).slice(0, data.perMonth);
    if (photos.length) {
      const gallery = el("div", { class: "gallery" });
      for (const it of photos) {
        const a = el("a", { href: url(it[1]) });
        a.append(el("img", { src: url(it[1]), alt: it[0], loading: "lazy", width: "120",
          height: "120" }));
        gallery.append(a);
      }
      view.append(gallery);
    }
    const table = el("table", { id: "month-items" });
    const head = el("tr");
    for (const h of ["Name", "Time", "Source", "Size", "State"]) head.append(el("th", {}, h));
    table.append(head);
    for (const it of items) {
      const row = el("tr");
      const name = el("td");
      name.append(it[6] === 0 ? el("a", { href: url(it[1]) }, it[0]) : it[0]);
      row.append(name, el("td", {}, it[2] ? it[2].replace("T", " ").slice(0, 19) : ""),
        el("td", {}, SOURCES[it[3]]), el("td", { class: "n" }, size(it[5])),
        el("td", {}, STATE_NAMES[STATES[it[6]]]));
      table.append(row);
    }
    view.append(table);
    if (items.length < c[2]) {
      view.append(el("p", { class: "muted" }, "The rest are in the month's folder."));
    }
  }

  for (const g of document.querySelectorAll("#timeline .col")) {
    const key = g.getAttribute("data-month");
    g.addEventListener("mouseenter", () => showInfo(key));
    g.addEventListener("focus", () => showInfo(key));
    g.addEventListener("click", () => openMonth(key));
    g.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        openMonth(key);
      }
    });
  }
  pick.addEventListener("change", () => openMonth(pick.value));
  const busiest = data.columns.reduce((b, c) => (b === null || c[2] > b[2] ? c : b), null);
  if (busiest) showInfo(busiest[0]);
})();
`;
