// An OpenID4VP 1.0 wallet we did not write, against `civitas serve`, and an independent
// oracle for our DCQL evaluation.
//
// Part 1, DCQL: every case of dcql-cases.json is evaluated by the `dcql` package (the
// reference implementation of the OpenID Foundation's DCQL working group) and by ours
// (`dcql-eval`, civitas_core::openid4vp::dcql); both must agree on whether the query can be
// satisfied, our chosen credentials must be among theirs, and we must disclose exactly the
// claims they select.
//
// Part 2, the protocol: @openid4vc/openid4vp (with `jose` for JWS and JWE) is the wallet. It
// parses the desk's openid4vp:// URL, fetches the Request Object, verifies its signature
// against the desk's did:key (our JWS, their verification), checks the client id prefix,
// builds the direct_post.jwt response encrypted to the desk's key (their JWE, our
// decryption; with their apu/apv) and submits it. The presentation inside is an identified
// one (a holder-signed VP of a credential issued to the holder's DID), made by the civitas
// command: the peer has no W3C Data Integrity implementation, and no implementation but
// ours makes anonymous bbs-2023 presentations.
//
// Usage: node peer.mjs CIVITAS_BINARY DCQL_EVAL_BINARY
// The last line is "N passed, M failed".
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  createOpenid4vpAuthorizationResponse,
  parseOpenid4vpAuthorizationRequest,
  resolveOpenid4vpAuthorizationRequest,
  submitOpenid4vpAuthorizationResponse,
} from "@openid4vc/openid4vp";
import { setGlobalConfig } from "@openid4vc/oauth2";
import { DcqlQuery } from "dcql";
import * as jose from "jose";

const here = dirname(fileURLToPath(import.meta.url));
const [bin, dcqlEval] = process.argv.slice(2);
if (!bin || !dcqlEval) {
  console.error("usage: node peer.mjs CIVITAS_BINARY DCQL_EVAL_BINARY");
  process.exit(2);
}
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

// ---- Part 1: DCQL, theirs and ours ----

function leaves(value, prefix, out) {
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      leaves(v, prefix + "/" + String(k).replace(/~/g, "~0").replace(/\//g, "~1"), out);
    }
  } else {
    out.add(prefix);
  }
  return out;
}

function at(doc, pointer) {
  let v = doc;
  for (const part of pointer.split("/").slice(1)) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return v;
}

const cases = JSON.parse(readFileSync(join(here, "dcql-cases.json"), "utf8"));
for (const c of cases) {
  const credentials = c.credentials.map((x) => ({
    credential_format: "ldp_vc",
    type: x.types,
    claims: x.credential,
    cryptographic_holder_binding: x.holder_binding,
  }));
  let theirs;
  try {
    const q = DcqlQuery.parse(c.query);
    DcqlQuery.validate(q);
    theirs = DcqlQuery.query(q, credentials);
  } catch (e) {
    theirs = { error: String(e.message || e) };
  }
  const r = spawnSync(dcqlEval, [], { input: JSON.stringify(c), encoding: "utf8" });
  const ours = JSON.parse(r.stdout || "{}");
  if (theirs.error) {
    check(`dcql ${c.name}: both refuse the query`, ours.error !== null && ours.error !== undefined, `theirs: ${theirs.error}; ours: ${JSON.stringify(ours)}`);
    continue;
  }
  check(`dcql ${c.name}: satisfiable ${theirs.can_be_satisfied} for both`, ours.satisfied === theirs.can_be_satisfied, JSON.stringify(ours));
  if (!theirs.can_be_satisfied || !ours.satisfied) continue;
  for (const s of ours.selections) {
    const match = theirs.credential_matches[s.query_id];
    const valid = new Map((match?.valid_credentials || []).map((v) => [v.input_credential_index, v]));
    for (const chosen of s.credentials) {
      const v = valid.get(chosen.index);
      check(`dcql ${c.name}: our credential ${chosen.index} for ${s.query_id} is one they accept`, !!v, JSON.stringify(match));
      if (!v) continue;
      // The claims they select (the first valid claim set) against the leaves our pointers reach.
      const set = v.claims.valid_claim_sets?.[0]?.output ?? {};
      const want = leaves(set, "", new Set());
      const got = new Set();
      for (const p of chosen.pointers) leaves(at(c.credentials[chosen.index].credential, p), p, got);
      const same = want.size === got.size && [...want].every((p) => got.has(p));
      check(`dcql ${c.name}: the same claims disclosed for ${s.query_id}`, same, `theirs ${[...want]} ours ${[...got]}`);
    }
  }
}

// ---- Part 2: the protocol, with their wallet ----

// The demo desk is plain HTTP on loopback (production desks sit behind TLS); the library
// refuses http:// URLs unless told.
setGlobalConfig({ allowInsecureUrls: true });

const dir = mkdtempSync(join(tmpdir(), "civitas-openid4vp-peer-"));
const desk = join(dir, "desk");
const server = spawn(bin, ["serve", "--demo", "--dir", desk, "--port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
function civitas(args) {
  const r = spawnSync(bin, args, { encoding: "utf8", timeout: 60000 });
  if (r.status !== 0) throw new Error(`civitas ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
function base58(s) {
  let n = 0n;
  for (const ch of s) {
    const i = B58.indexOf(ch);
    if (i < 0) throw new Error("not base58");
    n = n * 58n + BigInt(i);
  }
  const bytes = [];
  while (n > 0n) { bytes.unshift(Number(n % 256n)); n /= 256n; }
  for (const ch of s) { if (ch === "1") bytes.unshift(0); else break; }
  return Buffer.from(bytes);
}

// did:key of a P-256 key (multicodec 0x1200, compressed point) to a public JWK.
function didKeyJwk(didUrl) {
  const did = didUrl.split("#")[0];
  const mb = did.replace(/^did:key:/, "");
  if (!mb.startsWith("z")) throw new Error("not a base58btc did:key");
  const raw = base58(mb.slice(1));
  if (raw[0] !== 0x80 || raw[1] !== 0x24 || raw.length !== 35) throw new Error("not a P-256 did:key");
  const point = crypto.ECDH.convertKey(raw.subarray(2), "prime256v1", undefined, undefined, "uncompressed");
  const b = Buffer.from(point);
  return { kty: "EC", crv: "P-256", x: b.subarray(1, 33).toString("base64url"), y: b.subarray(33).toString("base64url") };
}

let tamper = false;
let verifiedJwts = 0;
const callbacks = {
  fetch: async (url, init) => {
    const r = await fetch(url, init);
    if (!tamper) return r;
    const text = await r.text();
    const [h, p, s] = text.split(".");
    const flipped = s[0] === "A" ? "B" + s.slice(1) : "A" + s.slice(1);
    return new Response([h, p, flipped].join("."), { status: r.status, headers: r.headers });
  },
  hash: (data, alg) => new Uint8Array(crypto.createHash(alg.replace("-", "").toLowerCase()).update(data).digest()),
  verifyJwt: async (signer, jwt) => {
    try {
      if (signer.method !== "did") return { verified: false };
      const jwk = didKeyJwk(signer.didUrl);
      await jose.compactVerify(jwt.compact, await jose.importJWK(jwk, "ES256"));
      verifiedJwts++;
      return { verified: true, signerJwk: jwk };
    } catch (_) {
      return { verified: false };
    }
  },
  encryptJwe: async (encryptor, data) => {
    const key = await jose.importJWK(encryptor.publicJwk, "ECDH-ES");
    const header = { alg: "ECDH-ES", enc: encryptor.enc };
    if (encryptor.publicJwk.kid) header.kid = encryptor.publicJwk.kid;
    const params = {};
    if (encryptor.apu) params.apu = Buffer.from(encryptor.apu, "base64url");
    if (encryptor.apv) params.apv = Buffer.from(encryptor.apv, "base64url");
    const jwe = await new jose.CompactEncrypt(new TextEncoder().encode(data))
      .setProtectedHeader(header)
      .setKeyManagementParameters(params)
      .encrypt(key);
    return { encryptionJwk: encryptor.publicJwk, jwe };
  },
  decryptJwe: async () => ({ decrypted: false }),
  signJwt: async () => { throw new Error("the wallet signs nothing here"); },
};

try {
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the desk did not start")), 60000);
    createInterface({ input: server.stdout }).on("line", (line) => {
      const m = line.match(/^civitas serve: the desk page is at (http:\/\/\S+)\/$/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on("exit", () => reject(new Error("the desk stopped")));
  });

  // A holder key and a diploma issued to its DID by the demo university.
  civitas(["keygen", "--alg", "p256", "-o", join(dir, "holder.key")]);
  const holderDid = JSON.parse(readFileSync(join(dir, "holder.key"), "utf8")).controller;
  const diploma = JSON.parse(readFileSync(join(desk, "diploma.json"), "utf8"));
  diploma.credentialSubject.id = holderDid;
  writeFileSync(join(dir, "diploma.json"), JSON.stringify(diploma));
  const ctx = `https://civitas.example/contexts/diploma/v1=${join(desk, "contexts", "diploma-v1.jsonld")}`;
  civitas(["--context", ctx, "issue", "--key", join(desk, "university.key"), "--mandatory", join(desk, "mandatory.json"),
    join(dir, "diploma.json"), "-o", join(dir, "signed.json")]);
  writeFileSync(join(dir, "disclose.json"), JSON.stringify(["/credentialSubject/degree/name"]));

  async function newCheck() {
    const r = await fetch(base + "/desk/checks", { method: "POST", headers: { "content-type": "application/json" }, body: '{"check":"diploma"}' });
    return r.json();
  }
  async function state(id) {
    return (await fetch(base + "/desk/checks/" + id)).json();
  }
  function presentation(nonce, clientId) {
    civitas(["--context", ctx, "derive", "--disclose", join(dir, "disclose.json"), "--challenge", nonce, "--domain", clientId,
      join(dir, "signed.json"), "-o", join(dir, "derived.json")]);
    civitas(["--context", ctx, "present", "--holder-key", join(dir, "holder.key"), "--challenge", nonce, "--domain", clientId,
      join(dir, "derived.json"), "-o", join(dir, "vp.json")]);
    return JSON.parse(readFileSync(join(dir, "vp.json"), "utf8"));
  }
  async function answer(tx, { nonce } = {}) {
    const parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: tx.url });
    const resolved = await resolveOpenid4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params, callbacks });
    const request = resolved.authorizationRequestPayload;
    const vp = presentation(nonce ?? request.nonce, request.client_id);
    const response = await createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request,
      authorizationResponsePayload: { vp_token: { diploma: [vp] } },
      jarm: {
        encryption: { nonce: crypto.randomBytes(16).toString("base64url") },
        serverMetadata: {
          authorization_signing_alg_values_supported: ["ES256"],
          authorization_encryption_alg_values_supported: ["ECDH-ES"],
          authorization_encryption_enc_values_supported: ["A128GCM", "A256GCM"],
        },
      },
      callbacks,
    });
    const submitted = await submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request,
      authorizationResponsePayload: response.authorizationResponsePayload,
      jarm: response.jarm ? { responseJwt: response.jarm.responseJwt } : undefined,
      callbacks,
    });
    return { parsed, resolved, submitted, text: await submitted.response.text() };
  }

  // The identified kind, end to end.
  let tx = await newCheck();
  const a = await answer(tx);
  check("peer: the invocation is a request by reference (JAR)", a.parsed.type === "jar", a.parsed.type);
  check("peer: the Request Object's signature verifies against the desk's did:key (with jose)", !!a.resolved.jar && verifiedJwts === 1, `${verifiedJwts} ${JSON.stringify(a.resolved.client)}`);
  check("peer: the client id prefix is decentralized_identifier", a.resolved.client.prefix === "decentralized_identifier", a.resolved.client.prefix);
  check("peer: it reads the request as OpenID4VP 1.0 final", a.resolved.version === 100, String(a.resolved.version));
  check("peer: it finds the DCQL query", !!a.resolved.dcql?.query, JSON.stringify(a.resolved.dcql));
  const typeIri = a.resolved.dcql.query.credentials[0].meta.type_values[0];
  const oracle = DcqlQuery.query(DcqlQuery.parse(a.resolved.dcql.query), [{
    credential_format: "ldp_vc", type: ["https://www.w3.org/2018/credentials#VerifiableCredential", ...typeIri],
    claims: diploma, cryptographic_holder_binding: true,
  }]);
  check("peer: dcql says the diploma answers the desk's query", oracle.can_be_satisfied === true);
  check("peer: the desk accepts the peer's encrypted response (their JWE with apu/apv, our decryption)", a.submitted.response.status === 200, `${a.submitted.response.status} ${a.text}`);
  let s = await state(tx.id);
  check("peer: the desk's verdict is valid, holder-signed", s.state === "valid" && s.result.holder === holderDid && s.result.credentials[0].holder_binding === "did", JSON.stringify(s.result));

  // A presentation bound to another nonce, sent by the peer: invalid.
  tx = await newCheck();
  const b = await answer(tx, { nonce: "not-this-desks-nonce" });
  s = await state(tx.id);
  check("peer: a presentation for another nonce is refused", b.submitted.response.status === 400 && s.state === "invalid", `${b.submitted.response.status} ${JSON.stringify(s.result?.failures)}`);

  // A Request Object whose signature was damaged on the way: the peer refuses it.
  tx = await newCheck();
  tamper = true;
  let refused = false;
  try {
    const parsed = parseOpenid4vpAuthorizationRequest({ authorizationRequest: tx.url });
    await resolveOpenid4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params, callbacks });
  } catch (_) {
    refused = true;
  }
  tamper = false;
  check("peer: a Request Object with a damaged signature is refused by the peer", refused);
} catch (e) {
  check("the peer test ran to its end", false, String(e && e.stack || e));
} finally {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
