// The Civitas desk page. Everything that comes from a presentation is shown with
// textContent, never as markup.
"use strict";

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("civitas-desk-token") || "";
let current = null; // {id, timer, expires}

function show(panel) {
  for (const p of ["token-panel", "checks-panel", "qr-panel", "verdict-panel"]) {
    $(p).hidden = p !== panel;
  }
}

function error(text) {
  $("error").textContent = text || "";
  $("error").hidden = !text;
}

async function api(method, path, body) {
  const headers = {};
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, {
    method, headers, cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status === 401) {
    show("token-panel");
    throw new Error("the desk token is needed");
  }
  return r;
}

async function reason(r) {
  try {
    const j = await r.json();
    return j.error_description || j.error || ("HTTP " + r.status);
  } catch (_) {
    return "HTTP " + r.status;
  }
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

async function loadChecks() {
  error("");
  let r;
  try { r = await api("GET", "/desk/checks"); } catch (e) { return; }
  if (!r.ok) { error(await reason(r)); return; }
  const j = await r.json();
  $("client-id").textContent = j.client_id;
  const box = $("checks");
  box.replaceChildren();
  for (const c of j.checks) {
    const b = el("button", c.title);
    b.type = "button";
    b.dataset.check = c.name;
    b.addEventListener("click", () => start(c.name, c.title));
    box.appendChild(b);
  }
  show("checks-panel");
}

async function start(name, title) {
  error("");
  stopPolling();
  let r;
  try { r = await api("POST", "/desk/checks", { check: name }); } catch (e) { error(e.message); return; }
  if (!r.ok) { error(await reason(r)); return; }
  const j = await r.json();
  $("qr-title").textContent = title;
  $("request-url").textContent = j.url;
  $("qr").replaceChildren();
  const q = await api("GET", "/desk/checks/" + encodeURIComponent(j.id) + "/qr.svg");
  if (q.ok) {
    const svg = new DOMParser().parseFromString(await q.text(), "image/svg+xml").documentElement;
    if (svg && svg.nodeName === "svg") $("qr").appendChild(document.importNode(svg, true));
  }
  current = { id: j.id, expires: Date.parse(j.expires_at), timer: null };
  show("qr-panel");
  current.timer = setInterval(poll, 1000);
  tick();
}

function tick() {
  if (!current) return;
  const left = Math.max(0, Math.round((current.expires - Date.now()) / 1000));
  $("countdown").textContent = "(" + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + " left)";
}

function stopPolling() {
  if (current && current.timer) clearInterval(current.timer);
  current = null;
}

async function poll() {
  if (!current) return;
  tick();
  const id = current.id;
  let r;
  try { r = await api("GET", "/desk/checks/" + encodeURIComponent(id)); } catch (e) { stopPolling(); return; }
  if (!r.ok) { error(await reason(r)); stopPolling(); return; }
  const j = await r.json();
  if (j.state === "pending" || !current || current.id !== id) return;
  stopPolling();
  verdict(j);
}

function label(pointer) {
  return pointer.replace(/^\/credentialSubject\//, "").replace(/^\//, "").split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")).join(" \u203a ");
}

function claimsTable(claims, pointers) {
  const table = el("table");
  for (const p of pointers) {
    const tr = el("tr");
    tr.appendChild(el("th", label(p)));
    const value = claims[p];
    tr.appendChild(el("td", typeof value === "string" ? value : JSON.stringify(value)));
    table.appendChild(tr);
  }
  return table;
}

// What the citizen chose to show: the subject's claims, without the type and id members
// that come with them.
function isShown(p) {
  return p.startsWith("/credentialSubject/") && !/\/(type|id)(\/\d+)?$/.test(p);
}

function verdict(j) {
  const v = $("verdict");
  const details = $("details");
  details.replaceChildren();
  v.className = "verdict " + j.state;
  v.dataset.state = j.state;
  v.textContent = j.state === "valid" ? "VALID" : j.state === "expired" ? "EXPIRED" : "NOT VALID";
  $("verdict-check").textContent = j.title || j.check;
  const result = j.result || {};
  for (const d of result.dangers || []) {
    details.appendChild(el("p", "Relaxed check in force: " + d, "warning"));
  }
  if (j.state === "expired") {
    details.appendChild(el("p", "The wallet did not answer in time. Start a new check."));
  }
  for (const c of j.state === "valid" ? result.credentials || [] : []) {
    details.appendChild(el("p", c.issuer_name ? "Issued by " + c.issuer_name : "Issuer not trusted: " + c.issuer, "issuer"));
    const claims = c.claims || {};
    const facts = [];
    if (claims["/validUntil"]) facts.push("valid until " + claims["/validUntil"]);
    for (const s of c.status || []) facts.push(s);
    if (c.holder_binding === "secret") facts.push("presented by its holder (holder secret)");
    if (c.holder_binding === "did") facts.push("presented by its holder (signed)");
    if (facts.length) details.appendChild(el("p", facts.join(" \u00b7 "), "facts"));
    const all = Object.keys(claims).filter((p) => !/^\/(@context|proof)(\/|$)/.test(p));
    const shown = all.filter(isShown);
    details.appendChild(claimsTable(claims, shown));
    if (c.pseudonym) {
      details.appendChild(el("p", "Pseudonym at this desk (the same citizen shows the same one here, and another everywhere else):", "small"));
      details.appendChild(el("p", c.pseudonym, "pseudonym"));
    }
    const more = el("details");
    more.appendChild(el("summary", "Everything disclosed (" + all.length + ")"));
    more.appendChild(claimsTable(claims, all));
    details.appendChild(more);
  }
  const failures = result.failures || [];
  if (failures.length) {
    details.appendChild(el("h2", "Why not"));
    const ul = el("ul", undefined, "failures");
    for (const f of failures) ul.appendChild(el("li", f.reason));
    details.appendChild(ul);
  }
  show("verdict-panel");
}

$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("civitas-desk-token", token);
  loadChecks();
});
$("cancel").addEventListener("click", () => { stopPolling(); loadChecks(); });
$("again").addEventListener("click", () => loadChecks());
loadChecks();
