// The desk page in a real browser: start `civitas serve --demo`, open its page in headless
// Chromium, start a check, take the request URL from the page, answer it with the CLI
// holder, and see the verdict appear: valid, then replayed, forwarded, over-disclosing and
// revoked (each not valid, with its reason). Screenshots of the QR page and the verdicts go to ARTIFACTS.
//
// Usage: node desk.mjs CIVITAS_BINARY ARTIFACTS_DIR
// The last line is "N passed, M failed".
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [bin, artifacts] = process.argv.slice(2);
if (!bin || !artifacts) {
  console.error("usage: node desk.mjs CIVITAS_BINARY ARTIFACTS_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), "civitas-desk-browser-"));
let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail ? ": " + detail : ""}`);
  }
}

const server = spawn(bin, ["serve", "--demo", "--dir", join(dir, "desk"), "--port", "0"], {
  stdio: ["ignore", "pipe", "ignore"],
});
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("the desk did not start")), 60000);
  createInterface({ input: server.stdout }).on("line", (line) => {
    const m = line.match(/^civitas serve: the desk page is at (http:\/\/\S+)$/);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  server.on("exit", () => reject(new Error("the desk stopped")));
});

function respond(url, extra = []) {
  return spawnSync(
    bin,
    ["holder", "respond", "--wallet", join(dir, "desk", "wallet"), "--disclose-all-asked", ...extra, url],
    { encoding: "utf8", timeout: 60000 },
  );
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(base, { waitUntil: "load" });

  async function startCheck(label) {
    await page.getByRole("button", { name: "University diploma" }).click();
    await page.locator("#qr svg").waitFor({ state: "visible", timeout: 15000 });
    const url = (await page.locator("#request-url").textContent()).trim();
    check(`${label}: the page shows an openid4vp:// request`, url.startsWith("openid4vp://?client_id=decentralized_identifier"), url);
    return url;
  }
  async function verdict() {
    const v = page.locator("#verdict");
    await page.waitForFunction(() => {
      const e = document.getElementById("verdict");
      return e && e.dataset.state && !document.getElementById("verdict-panel").hidden;
    }, null, { timeout: 20000 });
    return { state: await v.getAttribute("data-state"), text: await page.locator("#verdict-panel").innerText() };
  }

  // Valid.
  let url = await startCheck("valid");
  await page.screenshot({ path: join(artifacts, "desk-qr.png"), fullPage: true });
  const saved = join(dir, "first-response.txt");
  let r = respond(url, ["--save-response", saved]);
  check("valid: the holder's response was accepted", r.status === 0, r.stdout + r.stderr);
  let v = await verdict();
  check("valid: the page says VALID", v.state === "valid" && v.text.includes("VALID"), v.text);
  check("valid: the issuer's trusted name is shown", v.text.includes("University of Civitas"), v.text);
  check("valid: the disclosed degree is shown", v.text.includes("MSc Computer Science"), v.text);
  check("valid: the pseudonym is shown", v.text.includes("Pseudonym at this desk"), v.text);
  check("valid: what was not disclosed is not shown", !v.text.includes("Lovelace") && !v.text.includes("1990-12-10"), v.text);
  await page.screenshot({ path: join(artifacts, "desk-valid.png"), fullPage: true });

  // Replayed: the first answer posted again, to a new check.
  await page.getByRole("button", { name: "New check" }).click();
  url = await startCheck("replayed");
  const requestUri = new URL(url.replace(/^openid4vp:\/\//, "https://x/")).searchParams.get("request_uri");
  const replay = await fetch(requestUri.replace("/openid4vp/requests/", "/openid4vp/responses/"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: readFileSync(saved, "utf8"),
  });
  check("replayed: the desk refuses the replayed answer", replay.status === 400, String(replay.status));
  v = await verdict();
  check("replayed: the page says NOT VALID, with the reason", v.state === "invalid" && v.text.includes("does not decrypt"), v.text);
  await page.screenshot({ path: join(artifacts, "desk-replayed.png"), fullPage: true });

  // Forwarded: a presentation the citizen made for another verifier, sent to this desk.
  const other = join(dir, "for-another-verifier.json");
  const disclose = join(dir, "disclose.json");
  writeFileSync(disclose, JSON.stringify(["/credentialSubject/degree/name"]));
  const made = spawnSync(bin, ["holder", "present", "--wallet", join(dir, "desk", "wallet"),
    "--challenge", "tax-office-7", "--domain", "https://tax-office.example", "--disclose", disclose, "-o", other],
    { encoding: "utf8" });
  check("forwarded: a presentation for another verifier is made", made.status === 0, made.stderr);
  await page.getByRole("button", { name: "New check" }).click();
  url = await startCheck("forwarded");
  r = respond(url, ["--dangerous-forward", other]);
  check("forwarded: the holder's response was refused", r.status === 1, r.stdout + r.stderr);
  v = await verdict();
  check("forwarded: the page says NOT VALID, bound to another verifier", v.state === "invalid" && /made for another verifier|challenge/.test(v.text), v.text);
  await page.screenshot({ path: join(artifacts, "desk-forwarded.png"), fullPage: true });

  // Over-disclosing.
  await page.getByRole("button", { name: "New check" }).click();
  url = await startCheck("over-disclosing");
  r = respond(url, ["--dangerous-disclose-more", "/credentialSubject/birthDate"]);
  check("over-disclosing: the holder's response was refused", r.status === 1, r.stdout + r.stderr);
  v = await verdict();
  check("over-disclosing: the page says NOT VALID", v.state === "invalid" && v.text.includes("NOT VALID"), v.text);
  check("over-disclosing: the reason is given in words", v.text.includes("birthDate is disclosed but was not asked for"), v.text);
  check("over-disclosing: the extra claim is not shown", !v.text.includes("1990-12-10"), v.text);
  await page.screenshot({ path: join(artifacts, "desk-invalid.png"), fullPage: true });

  // Revoked.
  const revoke = spawnSync(bin, [
    "status", "revoke", "--key", join(dir, "desk", "university-status.key"),
    "--list", join(dir, "desk", "status", "revocation.json"), "--index", "7",
  ], { encoding: "utf8" });
  check("revoked: the university revokes the diploma", revoke.status === 0, revoke.stderr);
  await page.getByRole("button", { name: "New check" }).click();
  url = await startCheck("revoked");
  r = respond(url);
  check("revoked: the holder's response was refused", r.status === 1, r.stdout + r.stderr);
  v = await verdict();
  check("revoked: the page says NOT VALID, revoked", v.state === "invalid" && /revoked/i.test(v.text), v.text);
  await page.screenshot({ path: join(artifacts, "desk-revoked.png"), fullPage: true });

  check("the page ran without script errors", consoleErrors.length === 0, consoleErrors.join("; "));
} catch (e) {
  check("the browser test ran to its end", false, String(e && e.stack || e));
} finally {
  await browser.close();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`screenshots in ${artifacts}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
