// matderiv's page: reads the form, asks the JSON API on this server, typesets the answer
// with KaTeX. It loads nothing from another host.
"use strict";

const $ = (id) => document.getElementById(id);
const KINDS = ["auto", "gradient", "jacobian", "hessian", "tensor"];
let lastReport = null;

// -- the form -------------------------------------------------------------------------

function syntax() { return document.querySelector("input[name=syntax]:checked").value; }
function kind() { return document.querySelector("input[name=kind]:checked").value; }

// The shapes declared: a row left empty is inferred from the formula (its placeholder
// shows what was inferred), so only the rows with sizes are sent.
function shapes() {
  const out = {};
  for (const row of $("shapes").tBodies[0].rows) {
    const name = row.querySelector(".name").value.trim();
    const sizes = row.querySelector(".sizes").value.trim();
    if (name && sizes) out[name] = sizes;
  }
  return out;
}

// Each name's row, made where missing; its placeholder the shape inferred ("n×1" is
// written n,1), or the hint where nothing is inferred for it.
function showInferred(names, inferred) {
  const rows = {};
  for (const row of $("shapes").tBodies[0].rows) rows[row.querySelector(".name").value.trim()] = row;
  for (const name of names) if (!(name in rows)) rows[name] = addShape(name, "");
  for (const [name, row] of Object.entries(rows)) {
    const shape = inferred[name];
    row.querySelector(".sizes").placeholder = shape ? shape.replace(/×/g, ",") : "m,n";
    row.classList.toggle("inferred", Boolean(shape));
  }
}

function addShape(name = "", sizes = "") {
  const row = $("shapes").tBodies[0].insertRow();
  row.innerHTML = '<td><input type="text" class="name" aria-label="name"></td>' +
    '<td><input type="text" class="sizes" aria-label="rows, columns" placeholder="m,n"></td>' +
    '<td><button type="button" class="small remove" aria-label="remove">×</button></td>';
  row.querySelector(".name").value = name;
  row.querySelector(".sizes").value = sizes;
  row.querySelector(".remove").addEventListener("click", () => { row.remove(); changed(); });
  row.querySelectorAll("input").forEach((input) => input.addEventListener("input", changed));
  return row;
}

function tableNames() {
  return [...$("shapes").tBodies[0].rows].map((row) => row.querySelector(".name").value.trim())
    .filter(Boolean);
}

function setShapes(map) {
  $("shapes").tBodies[0].innerHTML = "";
  for (const [name, sizes] of Object.entries(map)) addShape(name, sizes);
}

function setWrtOptions(names, chosen) {
  const select = $("wrt");
  const keep = chosen || select.value;
  select.innerHTML = "";
  if (chosen && !names.includes(chosen)) names = [...names, chosen];  // a link's wrt
  for (const name of names) {
    const option = document.createElement("option");
    option.value = option.textContent = name;
    select.appendChild(option);
  }
  if (names.includes(keep)) select.value = keep;
}

function query() {
  const q = { formula: $("formula").value, wrt: $("wrt").value, shapes: shapes(),
              vec: $("vec").value, layout: $("layout").value, syntax: syntax() };
  if (kind() !== "auto") q.kind = kind();
  return q;
}

function fill(q) {
  $("formula").value = q.formula || "";
  document.querySelector(`input[name=syntax][value=${q.syntax === "latex" ? "latex" : "text"}]`)
    .checked = true;
  setShapes(q.shapes || {});
  setWrtOptions(Object.keys(q.shapes || {}), q.wrt);
  changed();  // the formula's names, with their shapes inferred, join the table
  const k = KINDS.includes(q.kind) ? q.kind : "auto";
  document.querySelector(`input[name=kind][value=${k}]`).checked = true;
  $("vec").value = q.vec === "row" ? "row" : "col";
  $("layout").value = q.layout === "denominator" ? "denominator" : "numerator";
}

// -- talking to the server ------------------------------------------------------------

async function ask(path, body) {
  const response = await fetch(path, { method: "POST", body: JSON.stringify(body),
                                       headers: { "Content-Type": "application/json" } });
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.blob();
  return { ok: response.ok, data };
}

function math(element, latex, display = true) {
  try {
    katex.render(latex, element, { displayMode: display, throwOnError: false });
  } catch (error) {
    element.textContent = latex;
  }
}

// -- live errors at their column ------------------------------------------------------

let parseTimer = null;
function changed() {
  clearTimeout(parseTimer);
  parseTimer = setTimeout(parseNow, 250);
}

async function parseNow() {
  const formula = $("formula").value;
  if (!formula.trim()) { $("formula-error").hidden = true; return; }
  const { ok, data } = await ask("/api/parse", { formula, shapes: shapes(), syntax: syntax() });
  if (formula !== $("formula").value) return;  // typed on meanwhile
  if (ok) {
    $("formula-error").hidden = true;
    showInferred(data.names, data.inferred || {});
    setWrtOptions(tableNames());
    return;
  }
  showFormulaError(data);
}

function showFormulaError(data) {
  $("formula-error").hidden = false;
  if (data.span) {
    const [start, end] = data.span;
    const shown = $("formula").value.replace(/[^\x20-\x7e\u00a0-\uffff]/g, "?");
    $("formula-caret").textContent = shown + "\n" + " ".repeat(start) +
      "^".repeat(Math.max(1, Math.min(end, shown.length) - start));
    $("formula-message").textContent = `${data.message} (column ${start + 1})`;
  } else {
    $("formula-caret").textContent = "";
    $("formula-message").textContent = data.error;
  }
}

// -- deriving -------------------------------------------------------------------------

async function derive() {
  const q = query();
  $("status").textContent = "deriving…";
  $("derive").disabled = true;
  permalink(q);
  try {
    const { ok, data } = await ask("/api/derive", { ...q, proof: "both" });
    if (!ok) { failed(data); return; }
    $("formula-error").hidden = true;
    show(data);
  } catch (error) {
    $("status").textContent = `the server did not answer (${error})`;
  } finally {
    $("derive").disabled = false;
  }
}

function failed(data) {
  $("status").textContent = data.error;
  $("result").innerHTML = "";
  $("result").removeAttribute("data-ready");
  for (const id of ["convention", "check"]) $(id).textContent = "";
  if (data.span) showFormulaError(data);
}

function show(report) {
  lastReport = report;
  $("status").textContent = "";
  math($("result"), report.statement.latex);
  $("result").setAttribute("data-ready", "1");
  $("convention").textContent = `Convention: ${report.convention}.`;
  const check = report.check;
  $("check").textContent = !check ? "" : check.passed ? `Checked numerically: ${check.summary}.`
    : `The numeric check failed: ${check.summary}`;
  $("check").className = "check" + (check && check.passed ? " passed" : "");
  $("notes").innerHTML = "";
  for (const note of report.notes) {
    const item = document.createElement("li");
    item.textContent = note;
    $("notes").appendChild(item);
  }
  // The shapes inferred show in the table, in grey, where no size was typed.
  showInferred(Object.keys(report.inferred || {}), report.inferred || {});
  proof($("proof-rules"), report.proofs.rules);
  proof($("proof-elementwise"), report.proofs.elementwise);
}

function proof(details, data) {
  const box = details.querySelector(".proof");
  box.innerHTML = "";
  if (!data) return;
  if (data.error) { box.textContent = `No proof: ${data.error}`; return; }
  for (const part of data.parts) {
    const statement = document.createElement("div");
    statement.className = "math";
    math(statement, part.statement);
    box.appendChild(statement);
    for (const section of part.sections) {
      const heading = document.createElement("h4");
      heading.textContent = section.heading;
      const text = document.createElement("p");
      text.textContent = section.text;
      box.append(heading, text);
      section.lines.forEach((line, i) => {
        const row = document.createElement("div");
        row.className = "line";
        const eq = document.createElement("span");
        eq.className = "eq";
        const lead = line.lhs !== null ? `${line.lhs} = ` : (i === 0 ? "" : "= ");
        math(eq, lead + line.rhs, false);
        const tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = line.rules.length ? `[${line.rules.join(", ")}]` : "";
        row.append(eq, tag);
        box.appendChild(row);
      });
    }
    if (part.rules.length) {
      const list = document.createElement("dl");
      list.className = "rules";
      for (const rule of part.rules) {
        const name = document.createElement("dt");
        name.textContent = rule.name + (rule.source ? ` (${rule.source})` : "");
        const statement = document.createElement("dd");
        math(statement, rule.latex, false);
        list.append(name, statement);
      }
      box.appendChild(list);
    }
  }
}

// -- a claim --------------------------------------------------------------------------

async function checkClaim() {
  const q = query();
  delete q.kind;
  if (["gradient", "jacobian", "hessian"].includes(kind())) q.kind = kind();
  $("verdict").hidden = false;
  $("verdict-word").textContent = "checking…";
  $("verdict-word").className = "badge";
  $("verdict-math").innerHTML = "";
  $("verdict-text").textContent = "";
  const { ok, data } = await ask("/api/check", { ...q, claim: $("claim").value });
  if (!ok) {
    $("verdict-word").textContent = "bad input";
    $("verdict-text").textContent = data.error;
    return;
  }
  $("verdict-word").textContent = data.verdict;
  $("verdict-word").className = "badge " + data.verdict.replace(/ /g, "-");
  if (data.claim_latex) math($("verdict-math"), data.claim_latex, false);
  $("verdict-text").textContent = data.text;
}

// -- code -----------------------------------------------------------------------------

async function codegen() {
  const q = query();
  delete q.kind;
  if ($("code-kind").value) q.kind = $("code-kind").value;
  else if (["gradient", "jacobian", "hessian"].includes(kind())) q.kind = kind();
  $("code").textContent = "";
  $("copy-code").disabled = true;
  $("copy-status").textContent = "generating…";
  const { ok, data } = await ask("/api/codegen", { ...q, backend: $("backend").value,
                                                   with_check: $("with-check").checked });
  $("copy-status").textContent = ok ? "" : data.error;
  if (ok) { $("code").textContent = data.source; $("copy-code").disabled = false; }
}

async function copyCode() {
  const text = $("code").textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    const area = document.createElement("textarea");  // no clipboard API: the old way
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  $("copy-status").textContent = "copied";
}

// -- documents and the link -----------------------------------------------------------

async function download(kind) {
  const q = query();
  $("download-status").textContent = `making the ${kind === "pdf" ? "PDF" : "LaTeX"}…`;
  const { ok, data } = await ask(`/api/${kind}`, { ...q, proof: "both" });
  if (!ok) { $("download-status").textContent = data.error; return; }
  const blob = kind === "pdf" ? data : new Blob([data.latex], { type: "application/x-tex" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = kind === "pdf" ? "proof.pdf" : "proof.tex";
  document.body.appendChild(link);
  link.click();
  link.remove();
  $("download-status").textContent = "";
}

function permalink(q) {
  const params = new URLSearchParams();
  params.set("formula", q.formula);
  params.set("wrt", q.wrt);
  params.set("shapes", Object.entries(q.shapes).map(([n, s]) => `${n}:${s}`).join(";"));
  for (const key of ["kind", "vec", "layout", "syntax"]) if (q[key]) params.set(key, q[key]);
  const url = `${location.pathname}?${params}`;
  $("permalink").href = url;
  history.replaceState(null, "", url);
}

function fromLink() {
  const params = new URLSearchParams(location.search);
  if (!params.has("formula")) return null;
  const map = {};
  for (const pair of (params.get("shapes") || "").split(";")) {
    const [name, sizes] = pair.split(":");
    if (name) map[name] = sizes || "";
  }
  return { formula: params.get("formula"), wrt: params.get("wrt"), shapes: map,
           kind: params.get("kind"), vec: params.get("vec"), layout: params.get("layout"),
           syntax: params.get("syntax") };
}

// -- start ----------------------------------------------------------------------------

async function start() {
  const response = await fetch("/api/examples");
  const { examples } = await response.json();
  examples.forEach((example, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = example.name;
    $("examples").appendChild(option);
  });
  $("examples").addEventListener("change", () => {
    const example = examples[Number($("examples").value)];
    if (example) { fill(example); derive(); }
  });
  $("formula").addEventListener("input", changed);
  $("formula").addEventListener("keydown", (e) => { if (e.key === "Enter") derive(); });
  document.querySelectorAll("input[name=syntax]").forEach((r) =>
    r.addEventListener("change", changed));
  $("add-shape").addEventListener("click", () => addShape().querySelector(".name").focus());
  $("derive").addEventListener("click", derive);
  $("check-claim").addEventListener("click", checkClaim);
  $("claim").addEventListener("keydown", (e) => { if (e.key === "Enter") checkClaim(); });
  $("codegen").addEventListener("click", codegen);
  $("copy-code").addEventListener("click", copyCode);
  $("download-latex").addEventListener("click", () => download("latex"));
  $("download-pdf").addEventListener("click", () => download("pdf"));
  const linked = fromLink();
  fill(linked || examples[0]);
  document.body.setAttribute("data-ready", "1");
  if (linked) derive();
}

window.addEventListener("DOMContentLoaded", start);
