#include "s2s/serve/web_page.h"

namespace s2s::serve {

namespace {

constexpr std::string_view kPage = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>s2s translate</title>
<style>
  :root { --ink: #1d2430; --muted: #5c6675; --line: #d8dde5; --accent: #2166ac; --bad: #b2182b; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f7f9; }
  header { padding: 14px 24px; background: #fff; border-bottom: 1px solid var(--line); }
  header h1 { margin: 0; font-size: 18px; }
  header span { color: var(--muted); font-size: 13px; }
  main { max-width: 980px; margin: 0 auto; padding: 20px 24px 40px; }
  textarea { width: 100%; min-height: 96px; padding: 10px; font: inherit; border: 1px solid var(--line); border-radius: 6px; resize: vertical; }
  .controls { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; margin: 10px 0 18px; }
  label { color: var(--muted); font-size: 13px; }
  select, input[type=number] { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; }
  input[type=number] { width: 64px; }
  button { font: inherit; padding: 6px 18px; color: #fff; background: var(--accent); border: 0; border-radius: 4px; cursor: pointer; }
  button:disabled { opacity: .6; cursor: wait; }
  #error { color: var(--bad); white-space: pre-wrap; }
  #meta { color: var(--muted); font-size: 13px; }
  .result { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; margin-top: 14px; }
  .result .source { color: var(--muted); font-size: 13px; }
  .result .output { font-size: 18px; margin: 4px 0; }
  .result .score { color: var(--muted); font-size: 12px; }
  .heatmap { display: block; margin-top: 10px; max-width: 100%; overflow: visible; }
  .heatmap text { font-size: 12px; fill: var(--ink); }
  .heatmap rect.cell { stroke: #fff; stroke-width: 1; }
</style>
</head>
<body data-state="idle">
<header><h1>s2s translate</h1><span>one sentence per line &middot; Ctrl+Enter translates</span></header>
<main>
  <textarea id="text" placeholder="Type or paste text to translate"></textarea>
  <div class="controls">
    <label>model <select id="model"></select></label>
    <label>beam <input id="beam" type="number" min="1" max="16" value="5"></label>
    <label><input id="attention" type="checkbox" checked> attention heatmap</label>
    <button id="go">Translate</button>
    <span id="meta"></span>
  </div>
  <div id="error"></div>
  <div id="results"></div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const params = new URLSearchParams(location.search);

function svgEl(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// Source tokens across the top, output tokens down the left; a cell's
// opacity is the attention weight of that output token on that source token.
function heatmap(src, tgt, weights) {
  const cell = 24, left = 12 + 8 * Math.max(1, ...tgt.map((t) => t.length)), top = 22 + 7 * Math.max(1, ...src.map((t) => t.length));
  const width = left + cell * src.length + 4, height = top + cell * tgt.length + 4;
  const svg = svgEl("svg", { class: "heatmap", width, height, viewBox: `0 0 ${width} ${height}`,
                             "data-rows": tgt.length, "data-cols": src.length });
  src.forEach((t, j) => {
    const x = left + cell * j + cell / 2, y = top - 6;
    svg.appendChild(svgEl("text", { class: "src-token", x, y, transform: `rotate(-60 ${x} ${y})` }, t));
  });
  tgt.forEach((t, i) => {
    svg.appendChild(svgEl("text", { class: "tgt-token", x: left - 6, y: top + cell * i + cell * 0.68, "text-anchor": "end" }, t));
    src.forEach((_, j) => {
      const w = (weights[i] && weights[i][j]) || 0;
      const r = svgEl("rect", { class: "cell", x: left + cell * j, y: top + cell * i, width: cell, height: cell,
                                fill: `rgba(33, 102, 172, ${Math.min(1, Math.max(0.03, w)).toFixed(3)})`,
                                "data-i": i, "data-j": j, "data-w": w });
      r.appendChild(svgEl("title", {}, `${tgt[i]} \u2192 ${src[j]}: ${w.toFixed(3)}`));
      svg.appendChild(r);
    });
  });
  return svg;
}

function render(lines, body, wantAttention) {
  const results = $("results");
  results.textContent = "";
  body.outputs.forEach((out, k) => {
    const div = document.createElement("div");
    div.className = "result";
    const src = document.createElement("div");
    src.className = "source";
    src.textContent = lines[k];
    const text = document.createElement("div");
    text.className = "output";
    text.textContent = out.text;
    div.append(src, text);
    if (typeof out.score === "number") {
      const s = document.createElement("div");
      s.className = "score";
      s.textContent = "score " + out.score.toFixed(4);
      div.appendChild(s);
    }
    if (wantAttention && out.alignment && out.source_tokens && out.target_tokens)
      div.appendChild(heatmap(out.source_tokens, out.target_tokens, out.alignment));
    results.appendChild(div);
  });
  $("meta").textContent = `${body.model} \u00b7 ${body.time_ms.toFixed(1)} ms`;
}

async function translate() {
  const lines = $("text").value.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  $("error").textContent = "";
  if (lines.length === 0) { $("error").textContent = "Type a sentence first."; return; }
  const wantAttention = $("attention").checked;
  const request = { inputs: lines, beam: Math.max(1, parseInt($("beam").value, 10) || 1),
                    return_scores: true, return_alignments: wantAttention };
  if ($("model").value) request.model = $("model").value;
  $("go").disabled = true;
  document.body.dataset.state = "busy";
  try {
    const r = await fetch("/v1/translate", { method: "POST", headers: { "Content-Type": "application/json" },
                                             body: JSON.stringify(request) });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
    render(lines, body, wantAttention);
    document.body.dataset.state = "done";
  } catch (e) {
    $("error").textContent = String(e.message || e);
    document.body.dataset.state = "error";
  } finally {
    $("go").disabled = false;
  }
}

async function init() {
  try {
    const r = await fetch("/v1/models");
    const body = await r.json();
    for (const m of body.models) {
      const o = document.createElement("option");
      o.value = m.name;
      o.textContent = m.name;
      o.title = m.description || "";
      $("model").appendChild(o);
    }
    if (body.models.length) $("beam").max = Math.max(1, ...body.models.map((m) => m.max_beam));
  } catch (e) {
    $("error").textContent = "cannot list models: " + e;
  }
  if (params.has("text")) $("text").value = params.get("text");
  if (params.has("model")) $("model").value = params.get("model");
  if (params.has("beam")) $("beam").value = params.get("beam");
  $("go").addEventListener("click", translate);
  $("text").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) translate(); });
  if (params.get("auto") === "1") translate();
}
init();
</script>
</body>
</html>
)HTML";

}  // namespace

std::string_view web_page_html() { return kPage; }

}  // namespace s2s::serve
