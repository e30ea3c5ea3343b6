/* bulk-tasks page: plain JavaScript, no library. Every value from a sheet is set with textContent. */
"use strict";

const CSRF = document.querySelector('meta[name="csrf"]').content;
const PAGE = 100;
const LABELS = {dry_run: "valid, ready to send"};
const $ = (id) => document.getElementById(id);
const state = {providers: {}, current: null, view: null, source: null};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const headers = Object.assign({"X-Bulk-Tasks-CSRF": CSRF}, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, {headers, credentials: "same-origin"}));
  let body = null;
  try { body = await response.json(); } catch (error) { body = null; }
  if (!response.ok) {
    throw new Error((body && body.error) || `The server answered ${response.status}: reload the page.`);
  }
  return body;
}

function say(text) { $("status").textContent = text; }

function showError(id, error) {
  const node = $(id);
  node.textContent = error ? String(error.message || error) : "";
  node.hidden = !error;
}

function fillList(id, items) {
  const list = $(id);
  list.replaceChildren(...items.map((item) => el("li", {text: item})));
}

function countsText(counts) {
  return Object.entries(counts || {}).map(([status, n]) => `${n} ${LABELS[status] || status}`);
}


/* ---- 1. provider ---- */
async function loadState() {
  const data = await api("/api/state");
  const select = $("provider");
  if (!select.options.length) {
    for (const provider of data.providers) {
      state.providers[provider.name] = provider;
      select.append(el("option", {value: provider.name, text: provider.name[0].toUpperCase() + provider.name.slice(1)}));
    }
    providerChanged();
  }
  $("workdir").textContent = data.workdir;
  renderImports(data.imports);
  if (data.running.length && !state.current) await openImport(data.running[0].import);
}

function providerChanged() {
  const name = $("provider").value;
  $("template-xlsx").href = `/api/templates/${name}/xlsx`;
  $("template-csv").href = `/api/templates/${name}/csv`;
  const fields = $("credential-fields");
  fields.replaceChildren();
  for (const variable of state.providers[name].credentials) {
    const id = `cred-${variable}`;
    const words = variable.split("_").slice(1).join(" ").toLowerCase();
    fields.append(el("div", {class: "row"}, el("label", {for: id, text: words[0].toUpperCase() + words.slice(1)}),
      el("input", {id, type: "password", autocomplete: "off", "data-variable": variable})));
  }
  if (name === "travtus") fields.append(el("p", {class: "hint", text: "Give the API token, or the client id and secret."}));
}

/* ---- 2. the file ---- */
async function upload(file, intoCurrent) {
  showError("file-error", null);
  say(`Reading ${file.name}…`);
  const reading = new URLSearchParams({timezone: $("timezone").value || "UTC", phone_region: $("region").value || "US",
    dayfirst: $("dayfirst").checked ? "1" : ""});
  const path = intoCurrent ? `/api/imports/${state.current}/inputs?${reading}`
    : `/api/imports?provider=${encodeURIComponent($("provider").value)}&${reading}`;
  try {
    const view = await api(path, {method: "POST", body: file, headers: {"X-File-Name": encodeURIComponent(file.name)}});
    hideResults();
    show(view);
    say(`${file.name} read.`);
    loadState();
  } catch (error) {
    showError("file-error", error);
    say("");
  }
}

async function reread() {
  if (!state.current) return;
  const body = {timezone: $("timezone").value, dayfirst: $("dayfirst").checked, phone_region: $("region").value};
  if (!$("sheet-row").hidden) body.sheet = $("sheet").value;
  await check(body);
}

async function check(body) {
  showError("file-error", null);
  say("Checking…");
  try {
    show(await api(`/api/imports/${state.current}/check`, {method: "POST", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json"}}));
    say("Checked.");
  } catch (error) {
    showError("file-error", error);
    say("");
  }
}

function show(view) {
  state.view = view;
  state.current = view.import.id;
  const options = view.options || {};
  $("provider").value = view.import.provider;
  providerChanged();
  $("reread").hidden = false;
  $("timezone").value = options.timezone || $("timezone").value;
  $("dayfirst").checked = Boolean(options.dayfirst);
  $("region").value = options.phone_region || "US";
  const sheets = view.sheets || [];
  $("sheet-row").hidden = sheets.length < 2;
  $("sheet").replaceChildren(...sheets.map((name) => el("option", {value: name, text: name})));
  if (view.sheet) $("sheet").value = view.sheet;
  renderColumns(view);
  renderCheck(view);
  if (view.run) follow(view.run);
  if (view.results) renderResults(view.results, view.run && view.run.summary);
}

/* ---- 3. columns ---- */
function renderColumns(view) {
  const matched = Boolean(view.matching && view.matching.length);
  $("step-columns").hidden = !matched;
  showError("columns-error", matched ? view.error : null);
  if (!matched && view.error) showError("file-error", view.error);
  const provider = state.providers[view.import.provider];
  const body = $("columns").tBodies[0];
  body.replaceChildren();
  (view.matching || []).forEach((match, index) => {
    const id = `column-${index}`;
    const select = el("select", {id, "data-header": match.header});
    select.append(el("option", {value: "", text: "(ignored: kept in the results, not sent)"}));
    for (const field of provider.fields) {
      select.append(el("option", {value: field.name, text: field.name + (field.required ? " (required)" : "")}));
    }
    select.value = match.field || match.suggestion || "";
    if (!match.field && match.suggestion) select.classList.add("suggested");
    select.addEventListener("change", columnsChanged);
    const hint = !match.field && match.suggestion ? " (suggested: choose it or change it)" : "";
    body.append(el("tr", {}, el("th", {scope: "row"}, el("label", {for: id, text: match.header + hint})), el("td", {}, select)));
  });
  $("mapping-link").href = `/api/imports/${view.import.id}/mapping.json`;
}

async function columnsChanged() {
  const mapping = {};
  for (const select of $("columns").querySelectorAll("select")) {
    if (select.value) mapping[select.dataset.header] = select.value;
  }
  await check({mapping});
}

/* ---- 4. check ---- */
function renderCheck(view) {
  const validation = view.validation;
  $("step-check").hidden = !validation;
  $("step-send").hidden = !validation;
  if (!validation) return;
  $("check-line").textContent = validation.headline;
  fillList("check-counts", countsText(validation.counts));
  fillList("check-warnings", [...(validation.notes || []),
    ...(validation.warnings || []).map((w) => `Warning: ${w}`)]);
  fillList("check-problems", validation.problems);
  $("h-check-problems").hidden = !validation.problems.length;
  $("checked-link").href = `/api/imports/${view.import.id}/checked.xlsx`;
  grid($("check-grid"), "check", 0, validation.invalid > 0);
}

async function grid(container, of, offset, onlyProblems) {
  const id = state.current;
  const query = `of=${of}&offset=${offset}&limit=${PAGE}${onlyProblems ? "&only=problems" : ""}`;
  let page;
  try { page = await api(`/api/imports/${id}/rows?${query}`); } catch (error) { container.replaceChildren(el("p", {class: "error", text: error.message})); return; }
  const toggle = el("input", {type: "checkbox", id: `${of}-only`});
  toggle.checked = onlyProblems;
  toggle.addEventListener("change", () => grid(container, of, 0, toggle.checked));
  const label = el("label", {for: `${of}-only`, text: "Only rows with problems"});
  const last = Math.max(0, Math.ceil(page.total / PAGE) - 1) * PAGE;
  const pager = el("div", {class: "pager row"}, toggle, label,
    pagerButton("First", offset > 0, () => grid(container, of, 0, onlyProblems)),
    pagerButton("Previous", offset > 0, () => grid(container, of, Math.max(0, offset - PAGE), onlyProblems)),
    el("span", {text: page.total ? `rows ${offset + 1}–${Math.min(offset + PAGE, page.total)} of ${page.total}` : "no rows"}),
    pagerButton("Next", offset + PAGE < page.total, () => grid(container, of, offset + PAGE, onlyProblems)),
    pagerButton("Last", offset + PAGE < page.total, () => grid(container, of, last, onlyProblems)));
  container.replaceChildren(pager, table(page, of));
}

function pagerButton(text, enabled, action) {
  const button = el("button", {type: "button", text});
  button.disabled = !enabled;
  button.addEventListener("click", action);
  return button;
}

function table(page, of) {
  const head = el("tr", {}, el("th", {scope: "col", text: "Row"}), ...page.columns.map((c) => el("th", {scope: "col", text: c})));
  const body = el("tbody");
  for (const row of page.rows) {
    const tr = el("tr", {}, el("th", {scope: "row", text: String(row.row)}));
    row.cells.forEach((value, index) => {
      const td = el("td", {text: value === null ? "" : value});
      if (page.columns[index] === "_status" && value) td.className = `status-${value}`;
      const rule = row.marks[String(index)];
      if (rule) {
        td.classList.add("bad");
        td.tabIndex = 0;
        td.title = rule;
        td.dataset.rule = rule;
        td.setAttribute("aria-label", `${value || "(empty)"}: ${rule}`);
      }
      tr.append(td);
    });
    body.append(tr);
  }
  return el("table", {class: "grid", id: `${of}-table`}, el("thead", {}, head), body);
}

/* ---- 5. send ---- */
function sendPlan() {
  const questions = state.view.validation.confirm;
  return $("sandbox").checked ? questions.sandbox : questions.real;
}

function askToSend() {
  showError("send-error", null);
  const validation = state.view.validation;
  if (validation.invalid && !$("skip-invalid").checked) {
    showError("send-error", `${validation.invalid} row(s) are invalid and nothing is sent until they are fixed; fix them (see the problems above) or tick “Send the valid rows only”.`);
    return;
  }
  $("confirm-text").textContent = sendPlan();
  $("confirm").showModal();
  $("confirm-yes").focus();
}

async function sendNow() {
  $("confirm").close();
  const credentials = {};
  for (const input of $("credential-fields").querySelectorAll("input")) {
    if (input.value) credentials[input.dataset.variable] = input.value;
  }
  const body = {sandbox: $("sandbox").checked, skip_invalid: $("skip-invalid").checked, credentials};
  try {
    const run = await api(`/api/imports/${state.current}/send`, {method: "POST", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json"}});
    for (const input of $("credential-fields").querySelectorAll("input")) input.value = "";
    hideResults();
    follow(run);
  } catch (error) {
    showError("send-error", error);
  }
}

function follow(run) {
  render(run);
  if (run.state !== "starting" && run.state !== "running") return;
  if (state.source) state.source.close();
  const source = new EventSource(`/api/imports/${run.import}/events`);
  state.source = source;
  source.onmessage = (event) => {
    const snapshot = JSON.parse(event.data);
    render(snapshot);
    if (snapshot.state === "finished" || snapshot.state === "failed") {
      source.close();
      state.source = null;
      finished(snapshot);
    }
  };
}

function render(run) {
  $("progress").hidden = false;
  $("bar").max = Math.max(run.total, 1);
  $("bar").value = run.total ? run.done : 0;
  const eta = run.eta === null || run.eta === undefined ? "" : ` · about ${Math.ceil(run.eta)} s left`;
  const words = {starting: "Starting…", running: run.stopping ? "Stopping: waiting for the requests already sent…" : "Sending…",
    finished: "Finished.", failed: "Stopped."};
  const waiting = run.waiting && run.state === "running" ? ` · waiting ${Math.round(run.waiting)} s (rate limit)` : "";
  $("progress-line").textContent = `${words[run.state]} ${run.done} of ${run.total} rows · ${run.rate} rows/s${run.state === "running" ? eta : ""}${waiting}`;
  fillList("progress-counts", countsText(run.counts));
  $("stop").hidden = !(run.state === "starting" || run.state === "running");
  $("send").disabled = run.state === "starting" || run.state === "running";
  if (run.state === "failed") showError("send-error", run.error);
}

async function stopRun() {
  try { render(await api(`/api/imports/${state.current}/stop`, {method: "POST"})); } catch (error) { showError("send-error", error); }
}

async function finished(run) {
  if (!run.summary) return;
  const view = await api(`/api/imports/${run.import}`);
  if (view.results) renderResults(view.results, run.summary);
  loadState();
}

/* ---- 6. results ---- */
function hideResults() { $("step-results").hidden = true; }

function renderResults(results, summary) {
  $("step-results").hidden = false;
  $("results-line").textContent = summary ? summary.line : `${results.total} rows.`;
  $("results-stopped").textContent = summary ? summary.stopped.join(" ") : "";
  $("results-stopped").hidden = !(summary && summary.stopped.length);
  fillList("results-counts", countsText(results.counts));
  fillList("results-problems", summary ? summary.problems : results.problems);
  fillList("results-next", summary ? summary.next : []);
  $("results-xlsx").href = `/api/imports/${state.current}/results.xlsx`;
  $("results-csv").href = `/api/imports/${state.current}/results.csv`;
  grid($("results-grid"), "results", 0, false);
}

/* ---- past imports ---- */
function renderImports(imports) {
  const body = $("imports").tBodies[0];
  body.replaceChildren(...imports.map((item) => {
    const open = el("button", {type: "button", text: "Open"});
    open.setAttribute("aria-label", `Open ${item.name} (${item.created})`);
    open.addEventListener("click", () => openImport(item.id));
    return el("tr", {}, el("td", {text: item.name}), el("td", {text: item.provider}), el("td", {text: item.created}),
      el("td", {text: countsText(item.counts).join(", ")}), el("td", {}, open), el("td", {}, el("code", {text: item.cli || ""})));
  }));
}

async function openImport(id) {
  try {
    state.current = id;
    hideResults();
    show(await api(`/api/imports/${id}`));
    $("step-file").scrollIntoView();
  } catch (error) {
    showError("file-error", error);
  }
}

/* ---- wiring ---- */
function wire() {
  $("timezone").value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  $("region").value = "US";
  $("provider").addEventListener("change", providerChanged);
  $("file").addEventListener("change", () => { if ($("file").files[0]) upload($("file").files[0], false); });
  $("fixed").addEventListener("change", () => { if ($("fixed").files[0]) upload($("fixed").files[0], true); });
  $("reread").addEventListener("click", reread);
  $("sheet").addEventListener("change", reread);
  const drop = $("drop");
  drop.addEventListener("click", () => $("file").click());
  drop.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); $("file").click(); } });
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files[0]) upload(event.dataTransfer.files[0], false);
  });
  $("sandbox").addEventListener("change", () => { $("credentials").hidden = $("sandbox").checked; });
  $("send").addEventListener("click", askToSend);
  $("confirm-yes").addEventListener("click", sendNow);
  $("confirm-no").addEventListener("click", () => $("confirm").close());
  $("stop").addEventListener("click", stopRun);
  loadState().catch((error) => say(error.message));
}

wire();
