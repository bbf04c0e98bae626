/* Draws the yuqing report from the JSON embedded in index.html (schema: docs/REPORT.md):
 * tables with plain DOM calls, charts with Chart.js (copied beside the page, no CDN). */
"use strict";
const report = JSON.parse(document.getElementById("report-data").textContent);
const palette = ["#2358c4", "#e67e22", "#16a085", "#8e44ad", "#c0392b", "#f0b429", "#2c3e50", "#27ae60"];

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  return td;
}

function linkCell(row, text, url) {
  const td = row.insertCell();
  const a = document.createElement("a");
  a.href = url; a.textContent = text || url; a.rel = "noopener";
  td.appendChild(a);
}

function header(table, names) {
  const row = table.createTHead().insertRow();
  for (const name of names) { const th = document.createElement("th"); th.textContent = name; row.appendChild(th); }
}

function sentimentClass(score) { return score < -0.05 ? "neg" : score > 0.05 ? "pos" : "neu"; }
function percent(part, whole) { return whole ? (100 * part / whole).toFixed(0) + "%" : "–"; }

function drawEntities() {
  const table = document.getElementById("entities");
  header(table, ["Entity", "Articles", "Positive", "Neutral", "Negative", "Mean score", "Alerts"]);
  const body = table.createTBody();
  for (const e of report.entities) {
    const row = body.insertRow();
    cell(row, e.name);
    cell(row, e.articles, "num");
    cell(row, percent(e.positive, e.articles), "num pos");
    cell(row, percent(e.neutral, e.articles), "num neu");
    cell(row, percent(e.negative, e.articles), "num neg");
    cell(row, e.mean_score.toFixed(2), "num " + sentimentClass(e.mean_score));
    cell(row, e.alerts, "num" + (e.alerts ? " neg" : ""));
  }
}

function drawAlerts() {
  const box = document.getElementById("alerts");
  if (!report.alerts.length) { box.innerHTML = '<p class="none">No alerts in this period.</p>'; return; }
  for (const a of report.alerts) {
    const div = document.createElement("div");
    div.className = "alert";
    div.textContent = a.triggered_at + " — " + a.entity + ": " + a.message;
    box.appendChild(div);
  }
}

function drawShare() {
  new Chart(document.getElementById("share-chart"), {
    type: "doughnut",
    data: { labels: report.entities.map(e => e.name),
            datasets: [{ data: report.entities.map(e => e.articles), backgroundColor: palette }] },
    options: { animation: false, maintainAspectRatio: false, maintainAspectRatio: false },
  });
}

function drawTimeline() {
  const t = report.timeline;
  const line = (key) => t.series.map((s, i) => ({ label: s.entity, data: s[key], borderColor: palette[i % palette.length],
                                                  backgroundColor: palette[i % palette.length], spanGaps: true, tension: 0.2 }));
  new Chart(document.getElementById("sentiment-chart"), {
    type: "line", data: { labels: t.dates, datasets: line("mean_score") },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: -1, max: 1, title: { display: true, text: "mean sentiment" } } } },
  });
  new Chart(document.getElementById("volume-chart"), {
    type: "bar", data: { labels: t.dates, datasets: line("articles") },
    options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
}

function drawNegative() {
  const table = document.getElementById("negative");
  header(table, ["Published", "Entity", "Score", "Article", "Source", "Summary"]);
  const body = table.createTBody();
  for (const a of report.top_negative) {
    const row = body.insertRow();
    cell(row, a.published_at);
    cell(row, a.entity);
    cell(row, a.score.toFixed(2), "num neg");
    linkCell(row, a.title, a.url);
    cell(row, a.source);
    cell(row, a.summary);
  }
}

function drawClusters() {
  const table = document.getElementById("clusters");
  header(table, ["First seen", "Story", "First source", "Reach (articles)", "Sources"]);
  const body = table.createTBody();
  for (const c of report.clusters) {
    const row = body.insertRow();
    cell(row, c.first_seen);
    linkCell(row, c.title, c.first_url);
    cell(row, c.first_source);
    cell(row, c.reach, "num");
    cell(row, c.sources.join(", "));
  }
}

function drawSources() {
  new Chart(document.getElementById("source-chart"), {
    type: "bar",
    data: { labels: report.sources.map(s => s.source),
            datasets: [{ label: "articles", data: report.sources.map(s => s.articles), backgroundColor: palette[0] },
                       { label: "negative", data: report.sources.map(s => s.negative), backgroundColor: palette[4] }] },
    options: { animation: false, maintainAspectRatio: false, indexAxis: "y" },
  });
}

document.getElementById("period").textContent =
  (report.since || "…") + " to " + (report.until || "…") + " (" + report.timezone + ")";
document.getElementById("footer").textContent = "generated by yuqing at " + report.generated_at;
drawAlerts();
drawEntities();
drawNegative();
drawClusters();
if (window.Chart) { drawShare(); drawTimeline(); drawSources(); }
