"""The inline CSS and JavaScript of the search-tree page (:mod:`cwmb.report.tree_html`).

Kept apart from the Python that fills the page so each stays readable. The script builds
the SVG from the JSON data embedded in the page, and sets every text from the data with
``textContent`` (never ``innerHTML``): programs and errors come from an LLM and must not
become markup.
"""

CSS = """
:root { --ink:#1d2330; --muted:#667085; --line:#d0d5dd; --panel:#f8f9fb; --gold:#f0a000; --bug:#b42318; }
* { box-sizing: border-box; }
body {
  margin:0;
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  color:var(--ink);
  background:#fff;
}
header { padding:14px 20px 10px; border-bottom:1px solid var(--line); }
header h1 { margin:0 0 4px; font-size:18px; }
header .meta { color:var(--muted); font-size:13px; }
header .warn {
  display:inline-block;
  margin-top:6px;
  padding:2px 8px;
  border-radius:4px;
  background:#fff4e5;
  color:#8a4b00;
  font-size:12px;
}
main { display:flex; height:calc(100vh - 96px); min-height:420px; }
#canvas { flex:1 1 60%; overflow:auto; position:relative; padding:8px; }
#canvas svg { display:block; margin:0 auto; }
#details {
  flex:0 0 40%;
  max-width:640px;
  border-left:1px solid var(--line);
  background:var(--panel);
  overflow:auto;
  padding:14px 18px;
}
.legend {
  display:flex;
  flex-wrap:wrap;
  gap:14px;
  align-items:center;
  padding:8px 20px;
  font-size:12px;
  color:var(--muted);
  border-bottom:1px solid var(--line);
}
.legend .scale {
  width:120px;
  height:10px;
  border-radius:3px;
  background:linear-gradient(90deg,#d73027,#fdae61,#fee08b,#a6d96a,#1a9850);
}
.legend .chip {
  display:inline-block;
  width:14px;
  height:14px;
  border-radius:50%;
  vertical-align:middle;
  margin-right:4px;
}
.chip.bug { border:2px dashed var(--bug); background:#fff; }
.chip.path { border:3px solid var(--gold); background:#fff; }
svg .edge { stroke:#98a2b3; stroke-width:1.4; fill:none; }
svg .edge.on-path { stroke:var(--gold); stroke-width:4; }
svg .node circle.body { stroke:#475467; stroke-width:1.2; cursor:pointer; }
svg .node.buggy circle.body { stroke:var(--bug); stroke-width:2; stroke-dasharray:4 2; }
svg .node.on-path circle.ring { stroke:var(--gold); stroke-width:4; fill:none; }
svg .node.selected circle.body { stroke:#101828; stroke-width:3; }
svg .node text { font-size:11px; pointer-events:none; text-anchor:middle; }
svg .node text.id { font-weight:600; dominant-baseline:central; }
svg .node text.label { fill:var(--muted); font-size:10px; }
svg .node text.bugmark { fill:var(--bug); font-weight:700; font-size:13px; }
#details h2 { margin:0 0 6px; font-size:16px; }
#details dl {
  display:grid;
  grid-template-columns:max-content 1fr;
  gap:2px 12px;
  margin:8px 0 12px;
  font-size:13px;
}
#details dt { color:var(--muted); }
#details dd { margin:0; }
#details h3 {
  margin:14px 0 4px;
  font-size:13px;
  text-transform:uppercase;
  letter-spacing:.04em;
  color:var(--muted);
}
#details pre {
  margin:0;
  padding:10px;
  background:#fff;
  border:1px solid var(--line);
  border-radius:6px;
  font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  white-space:pre-wrap;
  word-break:break-word;
  max-height:55vh;
  overflow:auto;
}
#details pre.error { border-color:#fda29b; background:#fef3f2; color:#7a271a; }
.path-list button {
  font:inherit;
  font-size:12px;
  border:1px solid var(--line);
  background:#fff;
  border-radius:4px;
  padding:1px 6px;
  margin:0 2px 2px 0;
  cursor:pointer;
}
.path-list button.best { border-color:var(--gold); font-weight:600; }
"""

SCRIPT = """
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("tree-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const byId = new Map(data.nodes.map(n => [n.id, n]));
  const onPath = new Set(data.best_path);
  const svg = document.getElementById("tree");
  svg.setAttribute("width", data.width);
  svg.setAttribute("height", data.height);
  svg.setAttribute("viewBox", "0 0 " + data.width + " " + data.height);

  function make(tag, attrs, parent) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (parent) parent.appendChild(el);
    return el;
  }
  const edges = make("g", {"class": "edges"}, svg);
  const nodes = make("g", {"class": "nodes"}, svg);
  for (const n of data.nodes) {
    if (n.parent === null || !byId.has(n.parent)) continue;
    const p = byId.get(n.parent);
    // from below the parent's label to the top of the child's ring, so no line crosses a label
    const y0 = p.y + (p.label ? 36 : 21), y1 = n.y - 21, mid = (y0 + y1) / 2;
    const cls = "edge" + (onPath.has(n.id) && onPath.has(p.id) ? " on-path" : "");
    make("path", {"class": cls, "d": `M${p.x},${y0} C${p.x},${mid} ${n.x},${mid} ${n.x},${y1}`}, edges);
  }
  for (const n of data.nodes) {
    const flags = [n.buggy && "buggy", onPath.has(n.id) && "on-path"];
    const cls = ["node", n.action, ...flags].filter(Boolean).join(" ");
    const g = make("g", {"class": cls, "data-id": n.id, "transform": `translate(${n.x},${n.y})`}, nodes);
    if (onPath.has(n.id)) make("circle", {"class": "ring", "r": 21}, g);
    const body = make("circle", {"class": "body", "r": 16, "fill": n.colour}, g);
    const tip = make("title", {}, body);
    tip.textContent = n.title;
    make("text", {"class": "id", "fill": n.text_colour}, g).textContent = n.action === "root" ? "root" : n.id;
    make("text", {"class": "label", "y": 31}, g).textContent = n.label;
    if (n.buggy) make("text", {"class": "bugmark", "x": 15, "y": -11}, g).textContent = "\\u2717";
    g.addEventListener("click", () => select(n.id));
  }
  svg.setAttribute("data-rendered", "true");

  function row(dl, key, value) {
    const dt = document.createElement("dt"); dt.textContent = key; dl.appendChild(dt);
    const dd = document.createElement("dd"); dd.textContent = value; dl.appendChild(dd);
  }
  function block(panel, title, text, cls) {
    const h = document.createElement("h3"); h.textContent = title; panel.appendChild(h);
    const pre = document.createElement("pre"); if (cls) pre.className = cls;
    pre.textContent = text; panel.appendChild(pre);
  }
  function select(id) {
    const n = byId.get(id);
    document.querySelectorAll("g.node.selected").forEach(el => el.classList.remove("selected"));
    const el = document.querySelector(`g.node[data-id="${id}"]`);
    if (el) { el.classList.add("selected"); }
    const panel = document.getElementById("details");
    panel.replaceChildren();
    panel.setAttribute("data-node", id);
    const h = document.createElement("h2");
    h.textContent = n.action === "root" ? "Root (no program)" : `Node ${n.id}: ${n.action}`;
    panel.appendChild(h);
    const dl = document.createElement("dl");
    for (const [k, v] of n.facts) row(dl, k, v);
    panel.appendChild(dl);
    if (n.error) block(panel, "Error (what a fix is shown)", n.error, "error");
    if (n.feedback) block(panel, "Feedback (what an improve is shown)", n.feedback, "");
    if (n.program) block(panel, "Program", n.program, "program");
    else if (n.action !== "root") block(panel, "Program", "(program file not found in candidates/)", "");
  }
  const list = document.getElementById("path-list");
  for (const id of data.best_path) {
    const b = document.createElement("button");
    b.textContent = byId.get(id).action === "root" ? "root" : id;
    if (id === data.best) b.className = "best";
    b.addEventListener("click", () => select(id));
    list.appendChild(b);
  }
  select(data.best !== null && byId.has(data.best) ? data.best : data.nodes[0].id);
})();
"""
