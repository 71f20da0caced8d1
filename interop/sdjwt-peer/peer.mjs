// SD-JWT VC both ways with peers we did not write: @sd-jwt/sd-jwt-vc (with
// @sd-jwt/crypto-nodejs) and @sd-jwt/jwt-status-list.
//
//   ours -> theirs: `civitas issue --format sd-jwt-vc` (holder key, token status list) and
//   `civitas present --disclose` (Key Binding JWT); their SDJwtVcInstance verifies the
//   issuer signature, the KB-JWT (nonce; aud checked here), the status list, and sees only
//   what was disclosed; a revoked entry and another nonce fail there.
//
//   theirs -> ours: their issuer and holder (ES256 keys, a status list token made with
//   their StatusList and signed with jose), their presentation with a KB-JWT; `civitas
//   verify` with a trust file naming their key as a jwk accepts it, and refuses it revoked,
//   for another challenge, or for another domain.
//
// Usage: node peer.mjs CIVITAS_BINARY. Prints one line per check, last "N passed, M failed".
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicKey } from "node:crypto";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { ES256, digest, generateSalt } from "@sd-jwt/crypto-nodejs";
import { StatusList, createHeaderAndPayload } from "@sd-jwt/jwt-status-list";
import * as jose from "jose";

const bin = process.argv[2];
const dir = mkdtempSync(join(tmpdir(), "civitas-sdjwt-peer-"));
let passed = 0;
let failed = 0;
const check = async (name, fn) => {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
};
const assert = (cond, why) => {
  if (!cond) throw new Error(why);
};
const civitas = (...args) => spawnSync(bin, args, { cwd: dir, encoding: "utf8" });
const ok = (...args) => {
  const r = civitas(...args);
  if (r.status !== 0) throw new Error(`civitas ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
};
const rejects = async (p) => {
  try {
    await p;
  } catch {
    return true;
  }
  return false;
};

// A did:key P-256 (multicodec 0x1200, compressed point, base58btc) as a public JWK.
const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
function base58(s) {
  let n = 0n;
  for (const c of s) {
    const v = B58.indexOf(c);
    if (v < 0) throw new Error("not base58");
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while (n > 0n) {
    bytes.unshift(Number(n % 256n));
    n /= 256n;
  }
  for (const c of s) {
    if (c !== "1") break;
    bytes.unshift(0);
  }
  return Buffer.from(bytes);
}
function didKeyJwk(did) {
  const raw = base58(did.replace(/^did:key:z/, "").split("#")[0]);
  assert(raw[0] === 0x80 && raw[1] === 0x24 && raw.length === 35, "a P-256 did:key");
  const spki = Buffer.concat([
    Buffer.from("3039301306072a8648ce3d020106082a8648ce3d030107032200", "hex"),
    raw.subarray(2),
  ]);
  const { kty, crv, x, y } = createPublicKey({ key: spki, format: "der", type: "spki" }).export({
    format: "jwk",
  });
  return { kty, crv, x, y };
}
const controller = (keyFile) => JSON.parse(readFileSync(join(dir, keyFile), "utf8")).controller;

const now = () => Math.floor(Date.now() / 1000);
const instance = (issuerJwk, statusJwt) =>
  new SDJwtVcInstance({
    hasher: digest,
    hashAlg: "sha-256",
    saltGenerator: generateSalt,
    verifier: async (data, sig) => (await ES256.getVerifier(issuerJwk))(data, sig),
    kbVerifier: async (data, sig, payload) => (await ES256.getVerifier(payload.cnf.jwk))(data, sig),
    statusListFetcher: async () => statusJwt(),
    loadTypeMetadataFormat: false,
  });

try {
  // ---- ours -> theirs -------------------------------------------------------------------
  mkdirSync(join(dir, "lists"));
  ok("keygen", "--alg", "p256", "-o", "issuer.key");
  ok("keygen", "--alg", "p256", "-o", "holder.key");
  ok("status", "create", "--format", "token", "--key", "issuer.key", "--id",
    "https://uni.example/status/1", "--entries", "1024", "-o", "lists/ours.jwt");
  writeFileSync(join(dir, "claims.json"), JSON.stringify({
    given_name: "Ada", family_name: "Lovelace", birthdate: "1990-12-10",
    address: { locality: "Civitas", country: "EU" }, nationalities: ["EU", "UK"],
  }));
  ok("issue", "--format", "sd-jwt-vc", "--key", "issuer.key", "--vct", "urn:eudi:pid:1",
    "--holder-jwk", "holder.key", "--status-list", "lists/ours.jwt", "--status-index", "9",
    "--valid-days", "30", "claims.json", "-o", "ours.sd-jwt");
  writeFileSync(join(dir, "disclose.json"), JSON.stringify(["/given_name", "/address/locality"]));
  ok("present", "--holder-key", "holder.key", "--challenge", "n-ours", "--domain",
    "https://peer.example", "--disclose", "disclose.json", "ours.sd-jwt", "-o", "ours-vp.sd-jwt");
  const issuerJwk = didKeyJwk(controller("issuer.key"));
  const ourList = () => readFileSync(join(dir, "lists/ours.jwt"), "utf8").trim();
  const ourVp = readFileSync(join(dir, "ours-vp.sd-jwt"), "utf8").trim();
  const theirs = instance(issuerJwk, ourList);

  await check("theirs: our SD-JWT VC as issued verifies (signature, Disclosures, status list)", async () => {
    const r = await theirs.verify(readFileSync(join(dir, "ours.sd-jwt"), "utf8").trim());
    assert(r.payload.vct === "urn:eudi:pid:1", "vct");
    assert(r.payload.birthdate === "1990-12-10", "all claims when all are disclosed");
    assert(JSON.stringify(r.payload.nationalities) === '["EU","UK"]', "array elements");
  });
  await check("theirs: our presentation verifies with its Key Binding JWT and shows only what was disclosed", async () => {
    const r = await theirs.verify(ourVp, { keyBindingNonce: "n-ours" });
    assert(r.payload.given_name === "Ada", "given_name");
    assert(r.payload.address.locality === "Civitas", "locality");
    assert(r.payload.birthdate === undefined && r.payload.family_name === undefined, "undisclosed claims stay hidden");
    assert(r.kb && r.kb.payload.aud === "https://peer.example", "aud");
  });
  await check("theirs: our presentation for another nonce is refused", async () => {
    assert(await rejects(theirs.verify(ourVp, { keyBindingNonce: "n-other" })), "accepted another nonce");
  });
  await check("theirs: a Disclosure we did not sign is refused", async () => {
    const parts = ourVp.split("~");
    const fake = Buffer.from(JSON.stringify(["c2FsdA", "given_name", "Eve"])).toString("base64url");
    parts[1] = fake;
    assert(await rejects(theirs.verify(parts.join("~"), { keyBindingNonce: "n-ours" })), "accepted a forged Disclosure");
  });
  ok("status", "revoke", "--key", "issuer.key", "--list", "lists/ours.jwt", "--index", "9");
  await check("theirs: after civitas status revoke, our token status list makes the credential fail there", async () => {
    assert(await rejects(theirs.verify(ourVp, { keyBindingNonce: "n-ours" })), "a revoked credential passed");
  });

  // ---- theirs -> ours -------------------------------------------------------------------
  const issuerPair = await ES256.generateKeyPair();
  const holderPair = await ES256.generateKeyPair();
  const uri = "https://peer-issuer.example/status/1";
  const statuses = new Array(1024).fill(0);
  const writeTheirList = async () => {
    const list = new StatusList(statuses, 2);
    const { header, payload } = createHeaderAndPayload(
      list,
      { iss: "https://peer-issuer.example", sub: uri, iat: now() - 10, exp: now() + 86400 },
      { alg: "ES256", typ: "statuslist+jwt" },
    );
    const key = await jose.importJWK(issuerPair.privateKey, "ES256");
    const jwt = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(header)
      .sign(key);
    writeFileSync(join(dir, "lists/theirs.jwt"), jwt);
  };
  await writeTheirList();
  const peer = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: "sha-256",
    saltGenerator: generateSalt,
    signer: await ES256.getSigner(issuerPair.privateKey),
    signAlg: "ES256",
    kbSigner: await ES256.getSigner(holderPair.privateKey),
    kbSignAlg: "ES256",
  });
  const { kty, crv, x, y } = holderPair.publicKey;
  const issued = await peer.issue(
    {
      iss: "https://peer-issuer.example",
      vct: "urn:eudi:pid:1",
      iat: now() - 60,
      exp: now() + 86400 * 30,
      cnf: { jwk: { kty, crv, x, y } },
      status: { status_list: { idx: 5, uri } },
      given_name: "Grace",
      family_name: "Hopper",
      birthdate: "1906-12-09",
      address: { locality: "Arlington", country: "US" },
    },
    { _sd: ["given_name", "family_name", "birthdate", "address"], address: { _sd: ["locality", "country"] } },
  );
  const presented = await peer.present(issued, { given_name: true, address: { locality: true } }, {
    kb: { payload: { iat: now(), aud: "https://desk.example", nonce: "n-theirs" } },
  });
  writeFileSync(join(dir, "theirs-vp.sd-jwt"), presented);
  const pub = issuerPair.publicKey;
  writeFileSync(join(dir, "trust.toml"),
    `[[issuer]]\njwk = { kty = "EC", crv = "P-256", x = "${pub.x}", y = "${pub.y}" }\nname = "Peer PID Provider"\ncredential_types = ["urn:eudi:pid:1"]\n`);
  const verify = (challenge, domain = "https://desk.example") => {
    const r = civitas("verify", "--trust", "trust.toml", "--status-dir", "lists", "--challenge", challenge,
      "--domain", domain, "--format", "json", "theirs-vp.sd-jwt");
    return { code: r.status, out: JSON.parse(r.stdout || "{}"), raw: r.stdout + r.stderr };
  };
  await check("ours: their SD-JWT VC presentation with a Key Binding JWT and a status list is accepted", async () => {
    const r = verify("n-theirs");
    assert(r.code === 0, r.raw);
    const c = r.out.results[0].credentials[0];
    assert(c.holder_binding === "key" && c.issuer_name === "Peer PID Provider", r.raw);
    assert(c.claims["/given_name"] === "Grace" && c.claims["/address/locality"] === "Arlington", r.raw);
    assert(c.claims["/birthdate"] === undefined && c.claims["/address/country"] === undefined, "undisclosed claims shown");
  });
  await check("ours: their presentation for another challenge is refused", async () => {
    const r = verify("n-other");
    assert(r.code === 1 && r.raw.includes("\"check\": \"challenge\""), r.raw);
  });
  await check("ours: their presentation for another desk is refused", async () => {
    const r = verify("n-theirs", "https://other.example");
    assert(r.code === 1 && r.raw.includes("\"check\": \"domain\""), r.raw);
  });
  await check("ours: their presentation with a Disclosure added after binding is refused", async () => {
    const all = issued.split("~").filter((p) => p && !p.includes("."));
    const extra = all.find((d) => Buffer.from(d, "base64url").toString().includes("birthdate"));
    const parts = presented.split("~");
    parts.splice(1, 0, extra);
    writeFileSync(join(dir, "theirs-vp.sd-jwt"), parts.join("~"));
    const r = verify("n-theirs");
    writeFileSync(join(dir, "theirs-vp.sd-jwt"), presented);
    assert(r.code === 1 && r.raw.includes("sd_hash"), r.raw);
  });
  statuses[5] = 1;
  await writeTheirList();
  await check("ours: after their status list revokes it, their credential is refused", async () => {
    const r = verify("n-theirs");
    assert(r.code === 1 && r.raw.includes("revoked by its issuer"), r.raw);
  });
} catch (e) {
  failed++;
  console.log(`FAIL setup: ${e && e.message ? e.message : e}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
