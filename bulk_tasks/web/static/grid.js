/* bulk-tasks page: the grids, and fixing cells in place. Every check is the server's (the library's
   own rules); this file only shows what the server answers. Every value from a sheet is set with textContent. */
"use strict";

const PAGE = 100;
const grids = {};

function words(status) { return (state.statuses && state.statuses[status]) || status; }
function heading(name) { return (state.columns && state.columns[name]) || name; }
function number(n) { return Number(n || 0).toLocaleString("en-US"); }

/* ---- loading a page of rows ---- */
async function grid(container, of, options = {}) {
  const view = Object.assign({offset: 0, only: false, column: "", rule: "", around: null}, grids[of] || {}, options);
  view.container = container;
  view.of = of;
  grids[of] = view;
  const query = new URLSearchParams({of, offset: view.offset, limit: PAGE});
  if (view.only) query.set("only", "problems");
  if (view.column) query.set("column", view.column);
  if (view.rule) query.set("rule", view.rule);
  if (view.around) query.set("around", view.around);
  let page;
  try { page = await api(`/api/imports/${state.current}/rows?${query}`); } catch (error) {
    container.replaceChildren(el("p", {class: "error", text: error.message}));
    return null;
  }
  view.offset = page.offset;
  view.around = null;
  view.columns = page.columns;
  container.replaceChildren(pager(view, page), table(page, of));
  return page;
}

function pager(view, page) {
  const of = view.of;
  const reload = (changes) => grid(view.container, of, changes);
  const toggle = el("input", {type: "checkbox", id: `${of}-only`});
  toggle.checked = view.only;
  toggle.addEventListener("change", () => reload({offset: 0, only: toggle.checked}));
  const last = Math.max(0, Math.ceil(page.total / PAGE) - 1) * PAGE;
  const shown = page.total ? `rows ${number(view.offset + 1)}–${number(Math.min(view.offset + PAGE, page.total))} of ${number(page.total)}` : "no rows";
  return el("div", {class: "pager row"}, toggle, el("label", {for: `${of}-only`, text: "Only rows with problems"}),
    pagerButton("First", view.offset > 0, () => reload({offset: 0})),
    pagerButton("Previous", view.offset > 0, () => reload({offset: Math.max(0, view.offset - PAGE)})),
    el("span", {text: shown}),
    pagerButton("Next", view.offset + PAGE < page.total, () => reload({offset: view.offset + PAGE})),
    pagerButton("Last", view.offset + PAGE < page.total, () => reload({offset: last})));
}

function pagerButton(text, enabled, action) {
  const button = el("button", {type: "button", text});
  button.disabled = !enabled;
  button.addEventListener("click", action);
  return button;
}

function table(page, of) {
  const head = el("tr", {}, el("th", {scope: "col", class: "rownum", text: "Row"}),
    ...page.columns.map((c) => el("th", {scope: "col", text: heading(c)})));
  const body = el("tbody");
  if (of === "check") $("grid-descriptions").replaceChildren();
  for (const row of page.rows) body.append(rowElement(page.columns, row, of));
  return el("table", {class: "grid", id: `${of}-table`}, el("thead", {}, head), body);
}

function rowElement(columns, row, of) {
  const tr = el("tr", {"data-row": String(row.row)}, el("th", {scope: "row", class: "rownum", text: String(row.row)}));
  row.cells.forEach((value, index) => {
    const name = columns[index];
    const td = el("td", {text: name === "_status" && value ? words(value) : (value === null ? "" : value)});
    if (name === "_status" && value) td.className = `status-${value}`;
    if (name === "_error") td.classList.add("problem");
    if (of === "check" && !name.startsWith("_")) {
      td.classList.add("cell");
      td.tabIndex = 0;
      td.dataset.column = name;
      td.dataset.value = value === null ? "" : value;
      if (value === null) td.setAttribute("aria-label", `${name}, row ${row.row}: empty`);
    }
    const rule = row.marks[String(index)];
    if (rule) markBad(td, rule, `${of}-${row.row}-${index}`);
    const resolved = row.resolved && row.resolved[String(index)];
    if (resolved) td.append(el("span", {class: "resolved", text: ` → ${resolved}`}));
    const offered = row.choices && row.choices[String(index)];
    if (offered && offered.length) {
      td.choices = offered;
      td.classList.add("offers");
      td.title = `${td.title} (click to choose one of the workspace's values)`;
    }
    tr.append(td);
  });
  return tr;
}

function markBad(td, rule, id) {
  td.classList.add("bad");
  td.tabIndex = 0;
  td.title = rule;
  td.dataset.rule = rule;
  td.setAttribute("aria-invalid", "true");
  const description = el("span", {id: `why-${id}`, text: rule});
  $("grid-descriptions").append(description);
  td.setAttribute("aria-describedby", description.id);
}

/* ---- editing a cell ---- */
function fieldOf(header) {
  const match = (state.view.matching || []).find((m) => m.header === header);
  const provider = state.providers[state.view.import.provider];
  return match && match.field ? provider.fields.find((f) => f.name === match.field) : null;
}

const TYPE_ANOTHER = "\u0000type";

/* A reference the workspace does not know: its values to choose from, or type another. */
function workspaceChoices(td, header, old) {
  const control = el("select", {"aria-label": `${header}: choose a value from the workspace`});
  control.append(el("option", {value: old, text: `${old} (not in the workspace)`}),
    ...td.choices.map(([value, label]) => el("option", {value, text: label})),
    el("option", {value: TYPE_ANOTHER, text: "Type another value…"}));
  control.value = old;
  return control;
}

function startEdit(td, typing = false) {
  if (td.querySelector("input, select") || state.running) return;
  const header = td.dataset.column;
  const old = td.dataset.value;
  const field = fieldOf(header);
  let control;
  if (td.choices && !typing) {
    control = workspaceChoices(td, header, old);
  } else if (field && field.choices.length) {
    control = el("select", {"aria-label": header});
    const choices = [...field.choices];
    if (old && !choices.includes(old)) choices.unshift(old);
    control.append(el("option", {value: "", text: "(empty)"}), ...choices.map((c) => el("option", {value: c, text: c})));
    control.value = old;
  } else {
    control = el("input", {type: "text", "aria-label": header, spellcheck: "false", autocomplete: "off"});
    control.value = old;
  }
  td.replaceChildren(control);
  td.classList.add("editing");
  control.focus();
  let done = false;
  const finish = (save, move) => {
    if (done) return;
    done = true;
    if (save && control.value !== old) saveCell(td, control.value, move);
    else { restore(td); focusCell(td, move); }
  };
  if (td.choices && !typing) {
    control.addEventListener("change", () => {
      if (control.value !== TYPE_ANOTHER) { finish(true, 0); return; }
      done = true;
      restore(td);
      startEdit(td, true);
    });
  }
  control.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); finish(true, 0); }
    else if (event.key === "Tab") { event.preventDefault(); finish(true, event.shiftKey ? -1 : 1); }
    else if (event.key === "Escape") { event.preventDefault(); finish(false, 0); }
  });
  control.addEventListener("blur", () => finish(true, null));
}

function restore(td) {
  td.classList.remove("editing");
  td.textContent = td.dataset.value;
}

function focusCell(td, move) {
  if (move === null || !td.isConnected) return;
  const cells = [...td.closest("table").querySelectorAll("td.cell")];
  const target = cells[cells.indexOf(td) + move];
  if (target) target.focus();
}

async function saveCell(td, value, move) {
  const row = Number(td.closest("tr").dataset.row);
  const column = td.dataset.column;
  td.textContent = value;
  td.classList.add("saving");
  await change(`/api/imports/${state.current}/edits`, {cells: [{row, column, value}]}, {row, column, move});
}

/* One change sent to the server; the rows it re-checked replace theirs in the grid. */
async function change(path, body, focus) {
  showError("edit-error", null);
  let answer;
  try {
    answer = await api(path, {method: "POST", body: JSON.stringify(body), headers: {"Content-Type": "application/json"}});
  } catch (error) {
    showError("edit-error", error);
    if (grids.check) await grid(grids.check.container, "check", {});
    return null;
  }
  const table = $("check-table");
  for (const row of answer.rows) {
    const old = table && table.querySelector(`tr[data-row="${row.row}"]`);
    if (old) old.replaceWith(rowElement(grids.check.columns, row, "check"));
  }
  state.view.validation = answer.validation;
  renderValidation(answer.validation);
  renderHistory(answer.history);
  renderAlike(answer.alike);
  if (focus) {
    const td = table && table.querySelector(`tr[data-row="${focus.row}"] td[data-column="${CSS.escape(focus.column)}"]`);
    if (td) { if (focus.move) focusCell(td, focus.move); else if (focus.move === 0) td.focus(); }
  }
  return answer;
}

function renderHistory(history) {
  history = history || {undo: 0, redo: 0};
  $("undo").disabled = !history.undo;
  $("redo").disabled = !history.redo;
  $("undo").textContent = history.undo ? `Undo (${number(history.undo)})` : "Undo";
  $("redo").textContent = history.redo ? `Redo (${number(history.redo)})` : "Redo";
  $("history-line").textContent = history.edited ? "Your fixes are kept with this import; the uploaded file is not changed." : "";
}

function renderAlike(alike) {
  state.alike = alike || null;
  $("alike").hidden = !alike;
  if (!alike) return;
  $("alike-text").textContent = `${number(alike.rows)} other row${alike.rows === 1 ? "" : "s"} ${alike.rows === 1 ? "has" : "have"} “${alike.from}” in ${alike.column}.`;
  $("alike-go").textContent = `Fix all ${number(alike.rows)} like this (“${alike.to || "(empty)"}”)`;
}

async function fixAll() {
  const alike = state.alike;
  if (!alike) return;
  renderAlike(null);
  const answer = await change(`/api/imports/${state.current}/fix-all`, {column: alike.column, from: alike.from, to: alike.to || ""});
  if (answer) { say(`${number(answer.changed)} cells fixed.`); await grid(grids.check.container, "check", {}); }
}

async function replaceAll() {
  const body = {column: $("replace-column").value, find: $("replace-find").value, replace: $("replace-with").value};
  if (!body.find) { showError("edit-error", "Type the text to find."); return; }
  const answer = await change(`/api/imports/${state.current}/replace`, body);
  if (answer) { say(`${number(answer.changed)} cells changed.`); await grid(grids.check.container, "check", {}); }
}

async function undoRedo(which) {
  const answer = await change(`/api/imports/${state.current}/${which}`, {});
  if (answer) await grid(grids.check.container, "check", {});
}

/* ---- filters and jumping ---- */
function renderFilters(validation, columns) {
  const problem = $("filter-problem");
  const chosen = problem.value;
  problem.replaceChildren(el("option", {value: "", text: "every problem"}),
    ...(validation.kinds || []).map((kind, index) => el("option", {value: String(index), text: `${kind.label} (${number(kind.rows)})`})));
  if (chosen && Number(chosen) < (validation.kinds || []).length) problem.value = chosen;
  for (const id of ["filter-column", "replace-column"]) {
    const select = $(id);
    const before = select.value;
    select.replaceChildren(...(id === "filter-column" ? [el("option", {value: "", text: "any column"})] : []),
      ...columns.map((c) => el("option", {value: c, text: c})));
    if (columns.includes(before)) select.value = before;
  }
}

function filtersChanged() {
  const kind = (state.view.validation.kinds || [])[Number($("filter-problem").value)];
  const column = $("filter-column").value;
  grid($("check-grid"), "check", {offset: 0, rule: kind && $("filter-problem").value !== "" ? kind.rule : "",
    column: column || (kind && $("filter-problem").value !== "" ? kind.column.split(" / ")[0] : "")});
}

async function jump() {
  const wanted = Number($("jump").value.trim());
  showError("edit-error", null);
  if (!Number.isInteger(wanted) || wanted < 1) { showError("edit-error", "Type a row number, such as 12."); return; }
  const page = await grid($("check-grid"), "check", {around: wanted});
  if (!page) return;
  if (!page.found) { showError("edit-error", `Row ${wanted} is not among the rows shown: it is blank, past the end, or hidden by the filter.`); return; }
  const tr = $("check-table").querySelector(`tr[data-row="${wanted}"]`);
  const target = tr.querySelector("td.bad") || tr.querySelector("td.cell");
  if (target) { target.scrollIntoView({block: "nearest", inline: "nearest"}); target.focus(); }
}

function showFirstProblem() {
  const bad = document.querySelector("#check-table td.bad");
  if (bad) bad.scrollIntoView({block: "nearest", inline: "center"});
}

function wireGrid() {
  const container = $("check-grid");
  container.addEventListener("click", (event) => {
    const td = event.target.closest("td.cell");
    if (td && !event.target.closest("input, select")) startEdit(td);
  });
  container.addEventListener("keydown", (event) => {
    const td = event.target.closest && event.target.closest("td.cell");
    if (td && event.target === td && (event.key === "Enter" || event.key === "F2")) { event.preventDefault(); startEdit(td); }
  });
  $("undo").addEventListener("click", () => undoRedo("undo"));
  $("redo").addEventListener("click", () => undoRedo("redo"));
  $("alike-go").addEventListener("click", fixAll);
  $("replace-go").addEventListener("click", replaceAll);
  $("filter-problem").addEventListener("change", filtersChanged);
  $("filter-column").addEventListener("change", filtersChanged);
  $("jump-go").addEventListener("click", jump);
  $("jump").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); jump(); } });
}
