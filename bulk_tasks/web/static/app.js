/* bulk-tasks page: plain JavaScript, no library. Every value from a sheet is set with textContent. */
"use strict";

const CSRF = document.querySelector('meta[name="csrf"]').content;
const $ = (id) => document.getElementById(id);
const SENDING = "Sending is under way: wait for it to finish, or press Stop.";
const state = {providers: {}, current: null, view: null, source: null, running: false, statuses: {}, columns: {},
  plan: null, asking: "send"};

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
    throw new Error((body && body.error) || `Something went wrong on the server (${response.status}): reload the page.`);
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
  $(id).replaceChildren(...items.map((item) => el("li", {text: item})));
}

function countsText(counts) {
  return Object.entries(counts || {}).map(([status, n]) => `${number(n)} ${words(status)}`);
}

function duration(seconds) {
  if (seconds < 60) return "less than a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/* ---- 1. provider ---- */
async function loadState() {
  const data = await api("/api/state");
  state.statuses = data.statuses;
  state.columns = data.columns;
  const select = $("provider");
  if (!select.options.length) {
    for (const provider of data.providers) {
      state.providers[provider.name] = provider;
      select.append(el("option", {value: provider.name, text: provider.title}));
    }
    providerChanged();
  }
  renderImports(data.imports);
  const reopened = new URLSearchParams(location.hash.slice(1)).get("import");
  if (!state.current && reopened && data.imports.some((item) => item.id === reopened)) await openImport(reopened);
  else if (data.running.length && !state.current) await openImport(data.running[0].import);
}

function providerChanged() {
  const name = $("provider").value;
  $("template-xlsx").href = `/api/templates/${name}/xlsx`;
  $("template-csv").href = `/api/templates/${name}/csv`;
  credentialInputs($("credential-fields"), name, "cred");
}

function credentialInputs(fields, name, prefix) {
  const provider = state.providers[name];
  fields.replaceChildren();
  for (const variable of provider.credentials) {
    const id = `${prefix}-${variable}`;
    fields.append(el("div", {class: "row"}, el("label", {for: id, text: provider.credential_labels[variable]}),
      el("input", {id, type: "password", autocomplete: "off", "data-variable": variable})));
  }
  if (provider.credential_hint) fields.append(el("p", {class: "hint", text: provider.credential_hint}));
}

/* ---- 2. the file ---- */
async function upload(file, intoCurrent) {
  showError("file-error", null);
  say(`Reading ${file.name}…`);
  const reading = new URLSearchParams({timezone: $("timezone").value || "UTC", phone_region: $("region").value || "US",
    dayfirst: $("dayfirst").checked ? "1" : "", sandbox: $("sandbox").checked ? "1" : "0"});
  const path = intoCurrent ? `/api/imports/${state.current}/inputs?${reading}`
    : `/api/imports?provider=${encodeURIComponent($("provider").value)}&${reading}`;
  try {
    const view = await api(path, {method: "POST", body: file, headers: {"X-File-Name": encodeURIComponent(file.name)}});
    hideResults();
    show(view, true);
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
  await check(body, "file-error");
}

async function check(body, errorAt) {
  showError("file-error", null);
  showError("columns-error", null);
  say("Checking…");
  try {
    show(await api(`/api/imports/${state.current}/check`, {method: "POST", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json"}}), true);
    say("Checked.");
  } catch (error) {
    showError(errorAt, error);
    $("step-check").hidden = true;
    $("step-send").hidden = true;
    say("");
  }
}

function show(view, fresh) {
  const other = state.current !== view.import.id;
  state.view = view;
  if (other) state.plan = null;
  state.current = view.import.id;
  history.replaceState(null, "", `#import=${encodeURIComponent(view.import.id)}`);  // a reload comes back here
  const options = view.options || {};
  $("provider").value = view.import.provider;
  providerChanged();
  $("reread").hidden = false;
  $("timezone").value = options.timezone || $("timezone").value;
  $("dayfirst").checked = Boolean(options.dayfirst);
  $("region").value = options.phone_region || "US";
  $("sandbox").checked = options.sandbox !== false;  // the references are checked where the rows would go
  $("credentials").hidden = $("sandbox").checked;
  const sheets = view.sheets || [];
  $("sheet-row").hidden = sheets.length < 2;
  $("sheet").replaceChildren(...sheets.map((name) => el("option", {value: name, text: name})));
  if (view.sheet) $("sheet").value = view.sheet;
  renderColumns(view);
  renderCheck(view, fresh || other);
  renderHistory(view.history);
  renderAfter(view.after, view.import.provider);
  if (view.run) follow(view.run); else noRun();
  if (view.results) renderResults(view.results, view.run && sends(view.run) && view.run.summary);
}

function sends(run) { return run.kind === "send" || run.kind === "update"; }

/* ---- 3. columns ---- */
function renderColumns(view) {
  const matched = Boolean(view.matching && view.matching.length);
  $("step-columns").hidden = !matched;
  const placed = (view.error_headers || []).length > 0;
  showError("columns-error", matched && !placed ? view.error : null);
  if (!matched && view.error) showError("file-error", view.error);
  const provider = state.providers[view.import.provider];
  const body = $("columns").tBodies[0];
  body.replaceChildren();
  (view.matching || []).forEach((match, index) => {
    const id = `column-${index}`;
    const select = el("select", {id, "data-header": match.header});
    select.append(el("option", {value: "", text: "(ignored: kept in the results, not sent)"}));
    for (const field of provider.fields) {
      select.append(el("option", {value: field.name, text: `${field.words} · ${field.name}${field.required ? " (required)" : ""}`}));
    }
    select.value = match.field || "";
    select.addEventListener("change", columnsChanged);
    const cell = el("td", {}, select);
    if (!match.field && match.suggestion) {
      const field = provider.fields.find((f) => f.name === match.suggestion);
      const accept = el("button", {type: "button", class: "suggestion", text: `Use ${field.words}?`,
        "aria-label": `Use the suggested field ${field.words} for ${match.header}`});
      accept.addEventListener("click", () => { select.value = match.suggestion; columnsChanged(); });
      cell.append(" ", accept);
    }
    if ((view.error_headers || []).includes(match.header)) {
      const why = el("p", {class: "error", id: `${id}-error`, role: "alert", text: view.error});
      select.setAttribute("aria-describedby", why.id);
      cell.append(why);
    }
    const examples = (match.examples || []).join(" · ");
    body.append(el("tr", {}, el("th", {scope: "row"}, el("label", {for: id, text: match.header})),
      el("td", {class: "examples", text: examples}), cell));
  });
  $("mapping-link").href = `/api/imports/${view.import.id}/mapping.json`;
}

async function columnsChanged() {
  const mapping = {};
  for (const select of $("columns").querySelectorAll("select")) {
    if (select.value) mapping[select.dataset.header] = select.value;
  }
  await check({mapping}, "columns-error");
}

/* ---- 4. check ---- */
function renderValidation(validation) {
  $("check-line").textContent = validation.headline;
  fillList("check-counts", countsText(validation.counts));
  fillList("check-warnings", [...(validation.notes || []), ...(validation.warnings || []).map((w) => `Warning: ${w}`)]);
  fillList("check-problems", validation.problems);
  $("h-check-problems").hidden = !validation.problems.length;
  renderFilters(validation, (state.view.matching || []).map((m) => m.header));
  sendReadiness();
  loadPlan();
}

/* What Send would do, before it is pressed: rows created earlier, rows changed since (the server's plan). */
async function loadPlan() {
  const view = state.view;
  if (!view || !view.validation || !view.import.has_results) { state.plan = null; sendReadiness(); return; }
  try {
    const plan = await api(`/api/imports/${view.import.id}/plan`);
    if (state.view && state.view.import.id === view.import.id) state.plan = plan;
  } catch (error) { state.plan = null; }
  sendReadiness();
}

function planned() { return state.plan && state.plan[$("sandbox").checked ? "sandbox" : "real"]; }

async function renderCheck(view, fresh) {
  const validation = view.validation;
  $("step-check").hidden = !validation;
  $("step-send").hidden = !validation;
  if (!validation) return;
  renderValidation(validation);
  const id = view.import.id;
  $("checked-link").href = `/api/imports/${id}/checked.xlsx`;
  $("sheet-xlsx").href = `/api/imports/${id}/sheet.xlsx`;
  $("sheet-csv").href = `/api/imports/${id}/sheet.csv`;
  renderAlike(null);
  if (fresh) {
    $("filter-problem").value = "";
    $("filter-column").value = "";
    await grid($("check-grid"), "check", {offset: 0, only: validation.invalid > 0, column: "", rule: ""});
    showFirstProblem();
  } else {
    await grid($("check-grid"), "check", {});
  }
}

/* The references checked again where the rows would now go (Sandbox ticked or not); the rest stays as is. */
async function checkWhereSent() {
  showError("send-error", null);
  try {
    const view = await api(`/api/imports/${state.current}/check`, {method: "POST",
      body: JSON.stringify({sandbox: $("sandbox").checked}), headers: {"Content-Type": "application/json"}});
    if (view.import.id !== state.current) return;
    state.view = view;
    await renderCheck(view, false);
  } catch (error) { showError("send-error", error); }
}

/* ---- 5. send ---- */
function sendReadiness() {
  const validation = state.view && state.view.validation;
  let why = "";
  if (state.running) why = state.busy || SENDING;
  else if (!validation || !validation.to_send) why = "There is no valid row to send yet: fix the rows above.";
  else if (validation.invalid && !$("skip-invalid").checked) {
    why = `${number(validation.invalid)} row${validation.invalid === 1 ? " is" : "s are"} invalid: fix ${validation.invalid === 1 ? "it" : "them"} above, or tick “Send the valid rows only”.`;
  } else if (planned() && planned().why) why = planned().why;
  $("send").disabled = Boolean(why);
  $("send-why").textContent = why;
  $("send-changes").hidden = !(planned() && planned().update.enabled);
  $("send-changes").disabled = state.running;
  afterReadiness();
}

async function askToSend() {
  showError("send-error", null);
  try {
    const plan = await api(`/api/imports/${state.current}/plan`);
    const chosen = $("sandbox").checked ? plan.sandbox : plan.real;
    if (chosen.why) { state.plan = plan; sendReadiness(); return; }  // nothing to create: Send says why
    const already = chosen.already ? ` (${number(chosen.already)} already created earlier are not sent again.)` : "";
    $("confirm-text").textContent = [chosen.question + already, chosen.changed_line].filter(Boolean).join(" ");
  } catch (error) { showError("send-error", error); return; }
  ask("send", "Send");
}

async function askChanges() {
  showError("send-error", null);
  try {
    state.plan = await api(`/api/imports/${state.current}/plan`);
    $("confirm-text").textContent = state.plan.real.update.question;
  } catch (error) { showError("send-error", error); return; }
  ask("update", "Send the changes");
}

function ask(what, yes) {
  state.asking = what;
  $("confirm-yes").textContent = yes;
  $("confirm").showModal();
  $("confirm-yes").focus();
}

async function sendNow() {
  $("confirm").close();
  const credentials = {};
  for (const input of $("credential-fields").querySelectorAll("input")) {
    if (input.value) credentials[input.dataset.variable] = input.value;
  }
  const update = state.asking === "update";
  const body = {sandbox: !update && $("sandbox").checked, skip_invalid: $("skip-invalid").checked, credentials, update};
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

function noRun() {
  if (state.source) { state.source.close(); state.source = null; }
  state.running = false;
  $("progress").hidden = true;
  $("after-progress").hidden = true;
  showError("send-error", null);
  sendReadiness();
}

function follow(run) {
  render(run);
  if (run.state !== "starting" && run.state !== "running") return;
  if (state.source) state.source.close();
  const source = new EventSource(`/api/imports/${run.import}/events`);
  state.source = source;
  source.onmessage = (event) => {
    const snapshot = JSON.parse(event.data);
    if (snapshot.import !== state.current) { source.close(); return; }
    render(snapshot);
    if (snapshot.state === "finished" || snapshot.state === "failed") {
      source.close();
      state.source = null;
      finished(snapshot);
    }
  };
}

function progressLine(run) {
  const done = `${number(run.done)} of ${number(run.total)} rows`;
  if (run.state === "starting" || (run.state === "running" && !run.total)) return "Preparing… (reading and checking the sheet)";
  if (run.state === "running") {
    if (run.stopping) return `Stopping: waiting for the requests already sent… ${done}`;
    const eta = run.eta === null || run.eta === undefined ? "" : ` · ${duration(run.eta)} left`;
    const waiting = run.waiting ? ` · waiting ${Math.round(run.waiting)} s (the provider's rate limit)` : "";
    return `Sending… ${done} · ${number(Math.round(run.rate))} rows/s${eta}${waiting}`;
  }
  if (run.state === "failed") return "Stopped.";
  const counts = run.summary ? countsText(run.summary.counts).join(", ") : done;
  return `${run.stopping ? "Stopped" : "Finished"}: ${counts}.`;
}

function render(run) {
  if (run.import !== state.current) return;
  state.running = run.state === "starting" || run.state === "running";
  state.busy = run.kind === "send" ? "" : run.busy;  // a send says it as below
  const here = run.kind === "send" || (run.kind === "update" && $("step-after").hidden);  // Send the changes of step 5
  if (!here) { renderAfterRun(run); sendReadiness(); return; }
  $("progress").hidden = false;
  $("bar").max = Math.max(run.total, 1);
  $("bar").value = run.total ? run.done : 0;
  $("progress-line").textContent = progressLine(run);
  fillList("progress-counts", countsText(run.summary ? run.summary.counts : run.counts));
  $("stop").hidden = !state.running;
  sendReadiness();
  if (run.state === "failed") showError("send-error", run.error);
}

async function stopRun() {
  try { render(await api(`/api/imports/${state.current}/stop`, {method: "POST"})); } catch (error) { showError("send-error", error); }
}

async function finished(run) {
  if (!run.summary || run.import !== state.current) return;
  const view = await api(`/api/imports/${run.import}`);
  if (view.results && run.import === state.current) renderResults(view.results, sends(run) ? run.summary : null);
  if (run.import === state.current) renderAfter(view.after, view.import.provider);
  loadState();
}

/* ---- 6. results ---- */
function hideResults() { $("step-results").hidden = true; $("step-after").hidden = true; }

function renderResults(results, summary) {
  $("step-results").hidden = false;
  $("results-line").textContent = summary ? summary.line : `${number(results.total)} rows.`;
  $("results-stopped").textContent = summary ? summary.stopped.join(" ") : "";
  $("results-stopped").hidden = !(summary && summary.stopped.length);
  fillList("results-counts", countsText(results.counts));
  fillList("results-problems", summary ? summary.problems : results.problems);
  fillList("results-next", summary ? summary.next : []);
  $("results-xlsx").href = `/api/imports/${state.current}/results.xlsx`;
  $("results-csv").href = `/api/imports/${state.current}/results.csv`;
  grid($("results-grid"), "results", {offset: 0, only: false});
}

/* ---- past imports ---- */
function renderImports(imports) {
  const body = $("imports").tBodies[0];
  if (!imports.length) {
    body.replaceChildren(el("tr", {}, el("td", {colspan: "5", class: "hint", text: "No imports yet."})));
    return;
  }
  body.replaceChildren(...imports.map((item) => {
    const open = el("button", {type: "button", text: "Open"});
    open.setAttribute("aria-label", `Open ${item.name || "the import"} (${item.created})`);
    open.addEventListener("click", () => openImport(item.id));
    return el("tr", {}, el("td", {text: item.name}), el("td", {text: item.title}), el("td", {text: item.created}),
      el("td", {text: countsText(item.counts).join(", ")}), el("td", {}, open));
  }));
}

async function openImport(id) {
  try {
    hideResults();
    const view = await api(`/api/imports/${id}`);
    show(view, true);
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
  $("sandbox").addEventListener("change", () => {
    $("credentials").hidden = $("sandbox").checked;
    if (state.current && !$("step-check").hidden) checkWhereSent();
  });
  $("skip-invalid").addEventListener("change", sendReadiness);
  $("send").addEventListener("click", askToSend);
  $("send-changes").addEventListener("click", askChanges);
  $("confirm-yes").addEventListener("click", sendNow);
  $("confirm-no").addEventListener("click", () => $("confirm").close());
  $("stop").addEventListener("click", stopRun);
  wireGrid();
  wireAfter();
  loadState().catch((error) => say(error.message));
}

wire();
