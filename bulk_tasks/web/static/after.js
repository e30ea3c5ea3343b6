/* bulk-tasks page: a past import's Verify, Undo and Send the changes. Every sentence is the server's (the
   command line's own, in the page's words); loaded before app.js, whose helpers it uses. */
"use strict";

const AFTER_KINDS = ["verify", "undo", "update"];
const AFTER_DOING = {verify: "Looking the tasks up…", undo: "Taking the tasks back…", update: "Sending the changes…"};
const AFTER_UNITS = {verify: "pages", undo: "tasks", update: "changes"};
let afterAsked = null;

function renderAfter(after, provider) {
  state.after = after || null;
  $("step-after").hidden = !after;
  if (!after) return;
  $("after-credentials").hidden = !after.real;
  const fields = $("after-credential-fields");
  if (fields.dataset.provider !== provider) {
    credentialInputs(fields, provider, "after-cred");
    fields.dataset.provider = provider;
  }
  afterReadiness();
}

function afterHint(kind, offer) {
  const n = offer.count;
  if (kind === "verify") return `${number(n)} row${n === 1 ? "" : "s"} to look up (created or uncertain).`;
  if (kind === "undo") return `${number(n)} task${n === 1 ? "" : "s"} created by this import.`;
  return `${number(n)} row${n === 1 ? "" : "s"} changed since ${n === 1 ? "it was" : "they were"} sent.`;
}

function afterReadiness() {
  const after = state.after;
  if (!after) return;
  for (const kind of AFTER_KINDS) {
    const offer = after[kind];
    const why = state.running ? state.busy || SENDING : offer.why;
    $(`after-${kind}`).disabled = Boolean(why) || !offer.enabled;
    $(`after-${kind}-why`).textContent = why || afterHint(kind, offer);
  }
  $("after-update-row").hidden = !after.update.count;
}

function askAfter(kind) {
  showError("after-error", null);
  const offer = state.after[kind];
  afterAsked = kind;
  $("after-confirm-text").textContent = offer.question;
  $("after-force-row").hidden = kind !== "undo" || !offer.force;
  $("after-force").checked = false;
  $("after-confirm-yes").textContent = kind === "undo" ? "Delete the tasks" : "Send the changes";
  $("after-confirm").showModal();
  $("after-confirm-no").focus();
}

async function startAfter(kind) {
  if ($("after-confirm").open) $("after-confirm").close();
  showError("after-error", null);
  const inputs = $("after-credential-fields").querySelectorAll("input");
  const credentials = {};
  for (const input of inputs) if (input.value) credentials[input.dataset.variable] = input.value;
  const body = kind === "update" ? {update: true, sandbox: false, credentials, skip_invalid: $("skip-invalid").checked}
    : {credentials, count: state.after[kind].count, force: kind === "undo" && $("after-force").checked};
  const path = {verify: "verify", undo: "take-back", update: "send"}[kind];
  try {
    const run = await api(`/api/imports/${state.current}/${path}`, {method: "POST", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json"}});
    for (const input of inputs) input.value = "";
    $("after-line").textContent = "";
    fillList("after-lines", []);
    follow(run);
  } catch (error) {
    showError("after-error", error);
  }
}

function afterProgressLine(run) {
  const done = `${number(run.done)} of ${number(run.total)} ${AFTER_UNITS[run.kind]}`;
  if (run.state === "starting" || (run.state === "running" && !run.total)) return "Preparing…";
  if (run.state === "running") {
    if (run.stopping) return `Stopping: waiting for the requests already sent… ${done}`;
    const waiting = run.waiting ? ` · waiting ${Math.round(run.waiting)} s (the provider's rate limit)` : "";
    return `${AFTER_DOING[run.kind]} ${done}${waiting}`;
  }
  if (run.state === "failed") return "Stopped.";
  return run.stopping ? "Stopped." : "Finished.";
}

function renderAfterRun(run) {
  $("after-progress").hidden = false;
  $("after-bar").max = Math.max(run.total, 1);
  $("after-bar").value = run.total ? run.done : 0;
  $("after-progress-line").textContent = afterProgressLine(run);
  fillList("after-progress-counts", countsText(run.summary ? {} : run.counts));
  $("after-stop").hidden = !state.running;
  if (run.state === "failed") showError("after-error", run.error);
  const summary = run.summary;
  $("after-line").textContent = summary ? summary.line : "";
  fillList("after-lines", summary ? [...summary.stopped, ...(summary.lines || summary.problems)] : []);
}

async function stopAfter() {
  try { render(await api(`/api/imports/${state.current}/stop`, {method: "POST"})); } catch (error) { showError("after-error", error); }
}

function wireAfter() {
  $("after-verify").addEventListener("click", () => startAfter("verify"));
  $("after-undo").addEventListener("click", () => askAfter("undo"));
  $("after-update").addEventListener("click", () => askAfter("update"));
  $("after-confirm-yes").addEventListener("click", () => startAfter(afterAsked));
  $("after-confirm-no").addEventListener("click", () => $("after-confirm").close());
  $("after-stop").addEventListener("click", stopAfter);
}
