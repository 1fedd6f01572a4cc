// The operator's console: reads the console server's JSON API and draws it; refreshes itself.
"use strict";

const REFRESH_MS = 5000;
const TOKEN = document.querySelector('meta[name="console-token"]').content;
const COLOURS = ["#00a32a", "#dba617", "#d63638", "#8c8f94", "#2271b1", "#9b51e0"];
// actionError: the last action's failure, shown until the next action (a refresh that finds
// nothing wrong must not hide why a redrive or a delete did not happen).
const state = { charts: null, busy: false, actionError: "" };

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    // Through the CSSOM: the page's CSP refuses style attributes.
    else if (key === "style") node.style.cssText = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Console-Token": TOKEN },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  let value = null;
  try { value = await response.json(); } catch (error) { value = null; }
  if (!response.ok) throw new Error((value && value.error) || `${response.status} ${response.statusText}`);
  return value;
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

function notice(message) {
  $("notice").hidden = !message;
  $("notice").textContent = message || "";
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");
const badge = (text, kind) => el("span", { class: `badge ${kind}-${text}` }, text.replace("_", " "));
const taskLink = (id) => el("a", { href: `#task/${id}`, class: "mono" }, id);

function table(node, headers, rows, empty) {
  node.replaceChildren(
    el("tr", {}, headers.map((h) => el("th", { class: h.endsWith("#") ? "n" : "" }, h.replace(/#$/, "")))),
    ...(rows.length ? rows : [el("tr", { class: "empty" }, el("td", { colspan: headers.length }, empty))]),
  );
}

// Charts

function chartSeries(data, metric, stat, task) {
  const names = task ? [task] : data.tasks;
  const length = data.timestamps.length;
  const values = new Array(length).fill(null);
  for (const name of names) {
    const series = ((data.series[name] || {})[metric] || {})[stat];
    if (!series) continue;
    series.forEach((value, i) => {
      if (value === null) return;
      values[i] = stat === "Maximum" ? Math.max(values[i] ?? value, value) : (values[i] || 0) + value;
    });
  }
  return values;
}

function average(data, metric, task) {
  const sums = chartSeries(data, metric, "Sum", task);
  const counts = chartSeries(data, metric, "SampleCount", task);
  return sums.map((sum, i) => (sum === null || !counts[i] ? null : sum / counts[i]));
}

function lines(data, chart, task) {
  if (chart.metrics.length > 1) {
    return chart.metrics.map((metric) => ({ label: data.labels[metric], values: chartSeries(data, metric, "Sum", task).map((v) => v ?? 0) }));
  }
  const [metric] = chart.metrics;
  return [
    { label: "average", values: average(data, metric, task) },
    { label: "maximum", values: chartSeries(data, metric, "Maximum", task) },
  ];
}

function svgChart(series, unit) {
  const ns = "http://www.w3.org/2000/svg";
  const width = 400, height = 160, left = 40, bottom = 18;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  const all = series.flatMap((s) => s.values).filter((v) => v !== null);
  const top = Math.max(1, ...all);
  const count = series[0] ? series[0].values.length : 0;
  const x = (i) => left + (i * (width - left - 4)) / Math.max(1, count - 1);
  const y = (v) => height - bottom - (v / top) * (height - bottom - 8);
  const line = (x1, y1, x2, y2, colour) => {
    const node = document.createElementNS(ns, "line");
    Object.entries({ x1, y1, x2, y2, stroke: colour }).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  };
  const text = (value, tx, ty, anchor = "end") => {
    const node = document.createElementNS(ns, "text");
    Object.entries({ x: tx, y: ty, "font-size": 10, "text-anchor": anchor, fill: "#646970" }).forEach(([k, v]) => node.setAttribute(k, v));
    node.textContent = value;
    return node;
  };
  svg.append(line(left, y(0), width, y(0), "#c3c4c7"), line(left, y(top), width, y(top), "#f0f0f1"));
  svg.append(text(formatNumber(top), left - 4, y(top) + 4), text("0", left - 4, y(0) + 4), text(unit, left + 4, 10, "start"));
  series.forEach((s, index) => {
    let path = "";
    s.values.forEach((value, i) => {
      if (value === null) return;
      path += `${path && s.values[i - 1] !== null ? "L" : "M"}${x(i).toFixed(1)},${y(value).toFixed(1)} `;
      // A lone point draws no line: a dot shows it.
      const lone = (s.values[i - 1] ?? null) === null && (s.values[i + 1] ?? null) === null;
      if (!lone) return;
      const dot = document.createElementNS(ns, "circle");
      Object.entries({ cx: x(i).toFixed(1), cy: y(value).toFixed(1), r: 2, fill: COLOURS[index % COLOURS.length] }).forEach(([k, v]) => dot.setAttribute(k, v));
      svg.append(dot);
    });
    if (!path) return;
    const node = document.createElementNS(ns, "path");
    Object.entries({ d: path, fill: "none", stroke: COLOURS[index % COLOURS.length], "stroke-width": 1.6 }).forEach(([k, v]) => node.setAttribute(k, v));
    svg.append(node);
  });
  return svg;
}

function formatNumber(value) {
  if (value === null || value === undefined) return "";
  return value >= 100 ? Math.round(value).toLocaleString() : Number(value.toFixed(2)).toLocaleString();
}

function total(values) {
  return values.reduce((sum, v) => sum + (v || 0), 0);
}

function drawCharts() {
  const data = state.charts;
  if (!data) return;
  const picker = $("task-name");
  const chosen = picker.value;
  const options = ["", ...data.tasks];
  if ([...picker.options].map((o) => o.value).join() !== options.join()) {
    picker.replaceChildren(...options.map((name) => el("option", { value: name }, name || "all tasks")));
    picker.value = data.tasks.includes(chosen) ? chosen : "";
  }
  const task = picker.value || null;
  $("charts").replaceChildren(...data.charts.map((chart) => {
    const series = lines(data, chart, task);
    return el("div", { class: "chart", "data-title": chart.title },
      el("h3", {}, chart.title),
      svgChart(series, chart.unit),
      el("div", { class: "legend" }, series.map((s, i) => el("span", {}, el("i", { style: `background:${COLOURS[i % COLOURS.length]}` }), `${s.label}`))));
  }));
  const rows = data.tasks.map((name) => {
    const count = (metric) => total(chartSeries(data, metric, "Sum", name));
    const mean = (metric) => {
      const n = total(chartSeries(data, metric, "SampleCount", name));
      return n ? total(chartSeries(data, metric, "Sum", name)) / n : null;
    };
    return el("tr", { "data-task": name },
      el("td", {}, name),
      Object.keys(data.labels).map((metric) => el("td", { class: "n", "data-metric": metric }, count(metric))),
      el("td", { class: "n" }, formatNumber(mean("TaskWaitTime"))),
      el("td", { class: "n" }, formatNumber(mean("TaskDuration"))),
      el("td", { class: "n" }, formatNumber(mean("TaskAttempts"))));
  });
  table($("by-task"), ["task", ...Object.values(data.labels).map((l) => `${l}#`), "avg wait ms#", "avg run ms#", "avg attempts#"], rows,
    `no task ran in the last ${data.window}`);
}

// Sections

function drawOverview(data) {
  const stack = data.stack;
  $("stack").replaceChildren(
    `${stack.kind === "local" ? "local cloud" : "stack"} ${stack.name} (${stack.region})`,
    stack.dashboard_url ? el("a", { href: stack.dashboard_url, target: "_blank", rel: "noopener" }, " CloudWatch dashboard") : "");
  table($("queues"), ["queue", "visible#", "in flight#", "delayed#", "oldest message#", "role"], data.queues.map((q) =>
    el("tr", { "data-queue": q.name },
      el("td", { class: q.dead_letter_queue ? "dlq" : "" }, q.name),
      el("td", { class: "n" }, q.visible), el("td", { class: "n" }, q.in_flight), el("td", { class: "n" }, q.delayed),
      el("td", { class: "n" }, q.oldest_age_seconds === null || q.oldest_age_seconds === undefined ? "-" : `${Math.round(q.oldest_age_seconds)} s`),
      el("td", {}, q.dead_letter_queue ? "dead-letter queue" : q.dead_letters_go_to ? `failures go to ${q.dead_letters_go_to}` : ""))),
  "no queues");
  table($("alarms"), ["alarm", "state", "since", "what it means"], data.alarms.map((a) =>
    el("tr", { "data-alarm": a.name }, el("td", { class: "mono" }, a.name), el("td", {}, badge(a.state, "state")), el("td", {}, when(a.since)), el("td", {}, a.description))),
  "no alarms");
}

function drawFailures(data) {
  table($("failures"), ["task", "name", "status", "reason", "attempts#", "enqueued", "updated", "correlation id"], data.failures.map((f) =>
    el("tr", { "data-task-id": f.id },
      el("td", {}, taskLink(f.id)), el("td", {}, f.task), el("td", {}, badge(f.status, "status")),
      el("td", {}, f.reason ? `${f.reason.code}: ${f.reason.message}` : ""), el("td", { class: "n" }, f.attempts),
      el("td", {}, when(f.enqueued_at)), el("td", {}, when(f.updated_at)), el("td", { class: "mono" }, f.correlation_id || ""))),
  "no failures today or yesterday");
}

async function act(what, question, path, body) {
  if (!window.confirm(question)) return;
  notice("");
  state.actionError = "";
  try {
    const result = await api(path, body);
    notice(result.started ? `${what}: SQS's message move task started (${result.started})`
      : result.moved !== undefined ? `${what}: ${result.moved} message(s) moved to ${result.to}`
      : `${what}: ${result.deleted} message(s) deleted`);
  } catch (error) {
    state.actionError = `${what} failed: ${error.message}`;
  }
  showError(state.actionError);
  refresh();
}

function drawDeadLetters(data) {
  $("dead-letters").replaceChildren(...data.queues.map((queue) => {
    const rows = queue.messages.map((m) => el("tr", { "data-message-id": m.message_id },
      el("td", {}, m.task_id ? taskLink(m.task_id) : "-", el("br"), m.task || ""),
      el("td", {}, m.attributes.reason_code || "", el("br"), el("span", { class: "mono" }, m.attributes.reason || "")),
      el("td", {}, m.body_kind, m.body_kind === "task envelope" ? "" : el("div", { class: "mono" }, m.body)),
      el("td", {}, when(m.attributes.failed_at || m.sent_at)),
      el("td", { class: "n" }, m.attributes.receive_count || m.receive_count),
      el("td", {},
        el("button", { class: "redrive", onclick: () => act("Redrive", `Put message ${m.message_id} back on ${queue.source}?`, "/api/dead-letters/redrive", { queue: queue.name, message_ids: [m.message_id] }) }, "Redrive"), " ",
        el("button", { class: "delete danger", onclick: () => act("Delete", `Delete message ${m.message_id} for good? Its task will never run.`, "/api/dead-letters/delete", { queue: queue.name, message_ids: [m.message_id] }) }, "Delete"))));
    const all = el("button", { class: "redrive-all", onclick: () => act("Redrive", `Put all ${queue.messages.length} message(s) of ${queue.name} back on ${queue.source}?`, "/api/dead-letters/redrive", { queue: queue.name, message_ids: null }) }, "Redrive all");
    if (!queue.messages.length) all.disabled = true;
    const list = el("table", { "data-queue": queue.name });
    table(list, ["task", "reason", "message", "failed", "receives#", ""], rows, "empty: nothing to act on");
    return el("div", {}, el("h3", {}, `${queue.name} `, el("small", {}, `(back to ${queue.source || "?"}) `), all), list);
  }));
  if (!data.queues.length) $("dead-letters").replaceChildren(el("p", {}, "no dead-letter queues"));
}

async function drawTask(id) {
  $("task-title").textContent = id;
  try {
    const page = await api(`/api/tasks/${encodeURIComponent(id)}`);
    const t = page.task;
    $("task-body").replaceChildren(
      el("p", {}, "status ", el("span", { id: "task-status", class: `badge status-${t.status}` }, t.status), ` (${t.task}), attempts ${t.attempts ?? 0}`,
        t.duration_ms !== undefined ? `, ran ${formatNumber(t.duration_ms)} ms` : ""),
      t.reason ? el("p", {}, `reason: ${t.reason.code}: ${t.reason.message}`) : "",
      el("p", {}, "correlation id ", el("span", { class: "mono" }, t.correlation_id || "-")),
      el("ol", { class: "timeline" }, page.timeline.map((e) => el("li", {}, `${when(e.at)}: ${e.event}`))));
    showError("");
  } catch (error) {
    $("task-body").replaceChildren(el("p", { id: "task-status" }, "not found"));
    showError(error.message);
  }
}

// Refresh

async function refresh() {
  if (state.busy) return;
  state.busy = true;
  const taskId = location.hash.startsWith("#task/") ? decodeURIComponent(location.hash.slice(6)) : null;
  $("task").hidden = !taskId;
  $("overview").hidden = Boolean(taskId);
  const errors = [];
  const attempt = async (name, load, draw) => {
    try { draw(await load()); } catch (error) { errors.push(`${name}: ${error.message}`); }
  };
  try {
    if (taskId) {
      await drawTask(taskId);
    } else {
      await Promise.all([
        attempt("stack", () => api("/api/overview"), drawOverview),
        attempt("charts", () => api(`/api/charts?window=${$("window").value}`), (data) => { state.charts = data; drawCharts(); }),
        attempt("recent failures", () => api("/api/failures"), drawFailures),
        attempt("dead letters", () => api("/api/dead-letters"), drawDeadLetters),
      ]);
      showError([state.actionError, ...new Set(errors)].filter(Boolean).join("\n"));
    }
    $("refreshed").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } finally {
    state.busy = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("window").addEventListener("change", refresh);
  $("task-name").addEventListener("change", drawCharts);
  $("lookup").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("task-id").value.trim();
    if (id) location.hash = `#task/${id}`;
  });
  $("task-close").addEventListener("click", (event) => { event.preventDefault(); location.hash = ""; });
  window.addEventListener("hashchange", refresh);
  refresh();
  setInterval(refresh, REFRESH_MS);
});
