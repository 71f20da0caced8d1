// An OpenID4VCI 1.0 wallet we did not write, against the issuer of `civitas serve --demo`.
//
// @openid4vc/openid4vci (with @openid4vc/oauth2, and `jose` for the ES256 key proof) is the
// wallet. In the Pre-Authorized Code Flow it parses our openid-credential-offer:// links (by
// reference and by value), fetches the offer, our Credential Issuer metadata and our
// Authorization Server metadata, redeems the pre-authorized code with the PIN (tx_code) at the
// token endpoint, fetches a c_nonce at the nonce endpoint, builds a `jwt` key proof whose kid
// is the did:key of its own P-256 key and asks the credential endpoint for the diploma. The
// ldp_vc credential that comes back (a bbs-2023 base proof, bound to the peer's did:key) is
// then imported by our CLI (`civitas holder import`), which checks the issuer's signature.
// The same credential, presented with the peer's key (derive, present, verify by the CLI), is
// valid and holder-bound. Refusals the peer must see: a wrong or missing PIN (invalid_grant,
// invalid_request), a redeemed code (invalid_grant), a used-up access token (invalid_token), a
// proof for another audience (invalid_proof), for another nonce (invalid_nonce), or naming
// its key by `jwk` (invalid_proof). Batch issuance (two keys, two credentials), and the peer
// carrying our own x-civitas-bbs-2023-commitment proof, which it cannot make, complete it.
//
// CIVITAS_PEER_KEEP=1 keeps the temporary directory (desk, offers, credentials) to look at.
//
// Usage: node peer.mjs CIVITAS_BINARY
// The last line is "N passed, M failed".
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  Openid4vciClient,
  Openid4vciRetrieveCredentialsError,
  Openid4vciVersion,
} from "@openid4vc/openid4vci";
import {
  Oauth2Client,
  Oauth2ClientErrorResponseError,
  clientAuthenticationDynamic,
  setGlobalConfig,
} from "@openid4vc/oauth2";
import * as jose from "jose";

const [bin] = process.argv.slice(2);
if (!bin) {
  console.error("usage: node peer.mjs CIVITAS_BINARY");
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
const show = (x) => {
  try {
    return JSON.stringify(x);
  } catch (_) {
    return String(x);
  }
};
const why = (e) => String((e && (e.stack || e.message)) || e).split("\n").slice(0, 6).join(" | ");

// ---- did:key of a P-256 key (multicodec p256-pub 0x1200, compressed point, base58btc) ----

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
function base58(bytes) {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let s = "";
  while (n > 0n) {
    s = B58[Number(n % 58n)] + s;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    s = "1" + s;
  }
  return s;
}
function didKeyOf(publicJwk) {
  const x = Buffer.from(publicJwk.x, "base64url");
  const y = Buffer.from(publicJwk.y, "base64url");
  if (publicJwk.crv !== "P-256" || x.length !== 32 || y.length !== 32) throw new Error("not a P-256 JWK");
  const compressed = Buffer.concat([Buffer.from([0x02 | (y[31] & 1)]), x]);
  const id = "z" + base58(Buffer.concat([Buffer.from([0x80, 0x24]), compressed]));
  return { did: `did:key:${id}`, kid: `did:key:${id}#${id}` };
}

// The same key as a civitas key file (Multikey; secret: multicodec p256-priv 0x1306, varint
// 0x86 0x26, then the 32-byte scalar), for the CLI's holder-signed presentation.
async function civitasKeyFile(key) {
  const d = Buffer.from((await jose.exportJWK(key.privateKey)).d, "base64url");
  const id = key.did.slice("did:key:".length);
  return { type: "Multikey", id: key.kid, controller: key.did, publicKeyMultibase: id, secretKeyMultibase: "z" + base58(Buffer.concat([Buffer.from([0x86, 0x26]), d])) };
}

// A holder key of the peer: a jose key pair, its did:key and the peer's signer object.
const keys = new Map();
async function holderKey() {
  const { privateKey, publicKey } = await jose.generateKeyPair("ES256", { extractable: true });
  const publicJwk = await jose.exportJWK(publicKey);
  const { did, kid } = didKeyOf(publicJwk);
  const key = { privateKey, publicJwk, did, kid, signer: { method: "did", didUrl: kid, alg: "ES256" } };
  keys.set(kid, key);
  keys.set(JSON.stringify(publicJwk), key);
  return key;
}

// ---- the peer's callbacks: fetch (recorded), hash, randomness, JWS with jose ----

const exchanges = [];
const callbacks = {
  fetch: async (url, init = {}) => {
    const response = await fetch(url, init);
    const body = init.body === undefined ? undefined : String(init.body);
    exchanges.push({ url: String(url), method: init.method ?? "GET", headers: new Headers(init.headers), body, status: response.status, text: await response.clone().text() });
    return response;
  },
  hash: (data, alg) => new Uint8Array(crypto.createHash(alg.replace("-", "").toLowerCase()).update(data).digest()),
  generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
  clientAuthentication: clientAuthenticationDynamic({ clientId: "civitas-openid4vci-peer" }),
  signJwt: async (signer, { header, payload }) => {
    const key = signer.method === "did" ? keys.get(signer.didUrl) : signer.method === "jwk" ? keys.get(JSON.stringify(signer.publicJwk)) : undefined;
    if (!key) throw new Error(`no key for signer ${show(signer)}`);
    const jwt = await new jose.SignJWT(payload).setProtectedHeader(header).sign(key.privateKey);
    return { jwt, signerJwk: key.publicJwk };
  },
};
const client = new Openid4vciClient({ callbacks });
const lastTo = (suffix) => [...exchanges].reverse().find((x) => new URL(x.url).pathname.endsWith(suffix));

// The error code the peer saw in a refused credential request (body, or WWW-Authenticate).
function credentialError(e) {
  if (!(e instanceof Openid4vciRetrieveCredentialsError)) return { kind: "other", message: why(e) };
  const r = e.response;
  return {
    kind: "credential",
    status: r.response?.status,
    error: r.credentialErrorResponseResult?.data?.error,
    description: r.credentialErrorResponseResult?.data?.error_description,
    wwwAuthenticate: r.wwwAuthenticate,
  };
}

// ---- the issuer ----

const dir = mkdtempSync(join(tmpdir(), "civitas-openid4vci-peer-"));
const desk = join(dir, "desk");
const server = spawn(bin, ["serve", "--demo", "--dir", desk, "--port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
function civitas(args, { allowFail = false } = {}) {
  const r = spawnSync(bin, args, { encoding: "utf8", timeout: 60000 });
  if (r.status !== 0 && !allowFail) throw new Error(`civitas ${args.join(" ")}: ${r.stderr}`);
  return r;
}

try {
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the desk did not start")), 60000);
    createInterface({ input: server.stdout }).on("line", (line) => {
      const m = line.match(/^civitas serve: the desk page is at (http:\/\/\S+)\/$/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on("exit", () => reject(new Error("the desk stopped")));
  });
  const port = new URL(base).port;
  const config = join(desk, "config.toml");
  const csv = join(desk, "graduates.csv");
  const ctx = `https://civitas.example/contexts/diploma/v1=${join(desk, "contexts", "diploma-v1.jsonld")}`;

  // Offers as the university makes them: one link and PIN per graduate, by reference and by value.
  civitas(["offers", "--config", config, "--csv", csv, "--out-dir", join(dir, "by-ref"), "--port", port]);
  civitas(["offers", "--config", config, "--csv", csv, "--out-dir", join(dir, "by-value"), "--port", port, "--by-value"]);
  const offerFile = (kind, row) => ({
    link: readFileSync(join(dir, kind, `${row}.offer`), "utf8").trim(),
    pin: readFileSync(join(dir, kind, `${row}.pin`), "utf8").trim(),
  });
  // More offers through the issuer's admin endpoint (its token is in the demo's directory),
  // for the refusals.
  const adminToken = readFileSync(join(desk, "issuer-admin.token"), "utf8").trim();
  async function deskOffers(n) {
    const rows = Array.from({ length: n }, (_, i) => ({
      id: `r${i}`,
      values: { student_number: `S-9-${i}`, given_name: "Ada", family_name: "Lovelace", birth_date: "1990-12-10", degree: "MSc Computer Science", field: "Computer Science", awarded_on: "2026-06-30" },
    }));
    const r = await fetch(base + "/issuer/offers", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ configuration: "diploma", by_value: false, rows }) });
    if (r.status !== 201) throw new Error(`POST /issuer/offers: ${r.status} ${await r.text()}`);
    return (await r.json()).offers.map((o) => ({ link: o.offer, pin: o.pin }));
  }

  // ---- 1. the offer and the metadata ----

  const byRef = offerFile("by-ref", "S-2021-0042");
  const byValue = offerFile("by-value", "S-2021-0077");

  // Out of the box the peer wants https:// everywhere; the demo issuer is loopback http.
  let refusedHttp = "accepted";
  try {
    await client.resolveCredentialOffer(byValue.link);
  } catch (e) {
    refusedHttp = String(e.message);
  }
  check("peer: without allowInsecureUrls it refuses our http:// issuer (as a production wallet should)", /must be an https:\/\/ url/i.test(refusedHttp), refusedHttp.slice(-200));
  setGlobalConfig({ allowInsecureUrls: true });

  const wantOffer = (o) =>
    o.credential_issuer === base &&
    show(o.credential_configuration_ids) === '["diploma"]' &&
    typeof o.grants?.["urn:ietf:params:oauth:grant-type:pre-authorized_code"]?.["pre-authorized_code"] === "string" &&
    o.grants["urn:ietf:params:oauth:grant-type:pre-authorized_code"].tx_code?.input_mode === "numeric" &&
    o.grants["urn:ietf:params:oauth:grant-type:pre-authorized_code"].tx_code?.length === 6;
  let offerRef;
  try {
    offerRef = await client.resolveCredentialOffer(byRef.link);
    const fetched = lastTo("/openid4vci/offers/" + new URL(new URL(byRef.link).searchParams.get("credential_offer_uri")).pathname.split("/").pop());
    check("peer: parses the offer link by reference and fetches the offer (credential_offer_uri)", wantOffer(offerRef) && fetched?.status === 200, show(offerRef));
  } catch (e) {
    check("peer: parses the offer link by reference and fetches the offer (credential_offer_uri)", false, why(e));
  }
  let offerVal;
  try {
    offerVal = await client.resolveCredentialOffer(byValue.link);
    check("peer: parses the offer link by value (credential_offer)", wantOffer(offerVal), show(offerVal));
  } catch (e) {
    check("peer: parses the offer link by value (credential_offer)", false, why(e));
  }

  let md;
  try {
    md = await client.resolveIssuerMetadata(base);
    check("peer: fetches and accepts our Credential Issuer metadata", md.credentialIssuer.credential_issuer === base && !!md.credentialIssuer.nonce_endpoint, show(md.credentialIssuer));
    check("peer: reads our metadata as OpenID4VCI 1.0 (credential_metadata), not a draft", md.originalDraftVersion === Openid4vciVersion.V1, md.originalDraftVersion);
    check("peer: knows our diploma configuration as ldp_vc (credential_definition @context and type)", md.knownCredentialConfigurations.diploma?.format === "ldp_vc" && md.knownCredentialConfigurations.diploma?.credential_definition?.type?.includes("UniversityDegreeCredential"), show(md.knownCredentialConfigurations));
    const as = md.authorizationServers[0];
    check("peer: fetches and accepts our Authorization Server metadata (issuer, token endpoint, anonymous pre-authorized access)", md.authorizationServers.length === 1 && as.issuer === base && as.token_endpoint === base + "/openid4vci/token" && as["pre-authorized_grant_anonymous_access_supported"] === true, show(md.authorizationServers));
  } catch (e) {
    check("peer: fetches and accepts our Credential Issuer metadata", false, why(e));
    throw e;
  }

  // ---- 2. the token request ----

  async function token(offer, pin) {
    return client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: offer, issuerMetadata: md, txCode: pin });
  }
  let access;
  try {
    const t = await token(offerRef, byRef.pin);
    access = t.accessTokenResponse;
    const sent = new URLSearchParams(lastTo("/openid4vci/token").body);
    check("peer: redeems the pre-authorized code with the PIN and gets a Bearer access token", typeof access.access_token === "string" && access.access_token.length > 0 && /^bearer$/i.test(access.token_type), show(access));
    check("peer: its token request is anonymous (no client_id), as our AS metadata allows", !sent.has("client_id") && sent.get("tx_code") === byRef.pin, sent.toString().replace(/(pre-authorized_code|tx_code|user_pin)=[^&]*/g, "$1=..."));
  } catch (e) {
    check("peer: redeems the pre-authorized code with the PIN and gets a Bearer access token", false, why(e));
    throw e;
  }

  const [wrongPinOffer, noPinOffer, audOffer, nonceOffer, jwkOffer, batchOffer, commitmentOffer] = await deskOffers(7);
  {
    const offer = await client.resolveCredentialOffer(wrongPinOffer.link);
    const wrong = wrongPinOffer.pin === "000000" ? "111111" : "000000";
    let seen;
    try {
      await token(offer, wrong);
      seen = "an access token";
    } catch (e) {
      seen = e instanceof Oauth2ClientErrorResponseError ? e.errorResponse.error : why(e);
    }
    check("peer: a wrong PIN is refused with invalid_grant", seen === "invalid_grant", seen);
    let again;
    try {
      again = (await token(offer, wrongPinOffer.pin)).accessTokenResponse.access_token ? "an access token" : "no token";
    } catch (e) {
      again = e instanceof Oauth2ClientErrorResponseError ? e.errorResponse.error : why(e);
    }
    check("peer: after one wrong PIN the right one still redeems the offer", again === "an access token", again);
  }
  {
    // The high-level call insists on the PIN when the offer has a tx_code; the OAuth client
    // underneath sends the request without one.
    const offer = await client.resolveCredentialOffer(noPinOffer.link);
    const grant = offer.grants["urn:ietf:params:oauth:grant-type:pre-authorized_code"];
    let seen;
    try {
      await new Oauth2Client({ callbacks }).retrievePreAuthorizedCodeAccessToken({
        authorizationServerMetadata: md.authorizationServers[0],
        preAuthorizedCode: grant["pre-authorized_code"],
        resource: base,
      });
      seen = "an access token";
    } catch (e) {
      seen = e instanceof Oauth2ClientErrorResponseError ? e.errorResponse.error : why(e);
    }
    check("peer: a token request without the PIN is refused with invalid_request (section 6.3)", seen === "invalid_request", seen);
  }
  {
    let seen;
    try {
      await token(offerRef, byRef.pin);
      seen = "an access token";
    } catch (e) {
      seen = e instanceof Oauth2ClientErrorResponseError ? e.errorResponse.error : why(e);
    }
    check("peer: redeeming the same pre-authorized code twice is refused with invalid_grant", seen === "invalid_grant", seen);
  }

  // ---- 3. nonce, jwt key proof, credential ----

  const holder = await holderKey();
  async function proof(key, { nonce, issuerMetadata = md } = {}) {
    const c = nonce ?? (await client.requestNonce({ issuerMetadata: md })).c_nonce;
    return (await client.createCredentialRequestJwtProof({ issuerMetadata, credentialConfigurationId: "diploma", signer: key.signer, nonce: c })).jwt;
  }
  async function credentials(accessToken, jwts) {
    return client.retrieveCredentials({ issuerMetadata: md, credentialConfigurationId: "diploma", proofs: { jwt: jwts }, accessToken });
  }
  let nonce;
  try {
    nonce = await client.requestNonce({ issuerMetadata: md });
    check("peer: fetches a c_nonce from our nonce endpoint", typeof nonce.c_nonce === "string" && nonce.c_nonce.length > 0, show(nonce));
  } catch (e) {
    check("peer: fetches a c_nonce from our nonce endpoint", false, why(e));
    throw e;
  }
  const jwt = await proof(holder, { nonce: nonce.c_nonce });
  {
    const h = jose.decodeProtectedHeader(jwt);
    const p = jose.decodeJwt(jwt);
    check("peer: builds the jwt key proof (openid4vci-proof+jwt, ES256, our did:key kid, aud = issuer, nonce)", h.typ === "openid4vci-proof+jwt" && h.alg === "ES256" && h.kid === holder.kid && !h.jwk && p.aud === base && p.nonce === nonce.c_nonce && typeof p.iat === "number", show({ h, p }));
  }
  let credential;
  let firstRequest;
  try {
    const r = await credentials(access.access_token, [jwt]);
    firstRequest = JSON.parse(lastTo("/openid4vci/credential").body);
    const list = r.credentialResponse.credentials ?? [];
    credential = list[0]?.credential;
    check("peer: its credential request is 1.0 final (credential_configuration_id and proofs.jwt, no format, no proof)", firstRequest.credential_configuration_id === "diploma" && Array.isArray(firstRequest.proofs?.jwt) && !("format" in firstRequest) && !("proof" in firstRequest), show(firstRequest));
    check("peer: the credential comes back (one ldp_vc object in credentials[])", list.length === 1 && credential && typeof credential === "object", show(r.credentialResponse));
  } catch (e) {
    check("peer: the credential comes back (one ldp_vc object in credentials[])", false, show(credentialError(e)));
  }
  if (credential) {
    check("peer: credentialSubject.id is the peer key's did:key", credential.credentialSubject?.id === holder.did, `${credential.credentialSubject?.id} vs ${holder.did}`);
    const proofs = [credential.proof].flat();
    check("peer: the proof is a Data Integrity bbs-2023 base proof", proofs.length === 1 && proofs[0]?.type === "DataIntegrityProof" && proofs[0]?.cryptosuite === "bbs-2023", show(credential.proof));
    check("peer: the credential is the offered type and names the graduate", credential.type?.includes("UniversityDegreeCredential") && credential.credentialSubject?.givenName === "Ada", show(credential.credentialSubject));

    // ---- 4. our CLI checks what the peer received ----
    const file = join(dir, "received.json");
    writeFileSync(file, JSON.stringify(credential, null, 2));
    const v = civitas(["--context", ctx, "verify", "--trust", join(desk, "trust.toml"), "--dangerous-skip-status", "--dangerous-no-challenge", "--dangerous-allow-bearer", file], { allowFail: true });
    // `civitas verify` takes presentations and derived credentials; a base proof is the
    // holder's to keep, not to show, so it is refused there (recorded, not counted).
    const reason = (v.stdout + v.stderr).split("\n").find((l) => l.trim().startsWith("- ")) ?? "";
    console.log(`note civitas verify on the bare base-proof credential: exit ${v.status} (${reason.trim().replace(/^- /, "")})`);
    const wallet = join(dir, "wallet");
    const init = civitas(["--context", ctx, "holder", "init", "--wallet", wallet], { allowFail: true });
    const imp = civitas(["--context", ctx, "holder", "import", "--wallet", wallet, file], { allowFail: true });
    check("civitas holder import accepts the peer's credential (the issuer's bbs-2023 signature checks)", init.status === 0 && imp.status === 0, `init ${init.status} ${init.stderr.trim()}; import ${imp.status} ${imp.stderr.trim()}`);
    const list = civitas(["--context", ctx, "holder", "list", "--wallet", wallet], { allowFail: true });
    check("civitas holder list shows the imported diploma", list.status === 0 && /UniversityDegreeCredential|diploma/i.test(list.stdout), `${list.status} ${list.stdout.trim()} ${list.stderr.trim()}`);
    // A damaged copy is refused by the same import (so the check above means something).
    const bad = structuredClone(credential);
    bad.credentialSubject.givenName = "Eve";
    writeFileSync(join(dir, "damaged.json"), JSON.stringify(bad));
    const badWallet = join(dir, "wallet-bad");
    civitas(["--context", ctx, "holder", "init", "--wallet", badWallet], { allowFail: true });
    const impBad = civitas(["--context", ctx, "holder", "import", "--wallet", badWallet, join(dir, "damaged.json")], { allowFail: true });
    check("civitas holder import refuses the credential with a changed claim", impBad.status !== 0, `exit ${impBad.status}`);

    // The peer's own key as the holder binding: its P-256 secret as a civitas key file, a
    // derived credential and a holder-signed presentation made by the CLI, verified by ours
    // with the desk's trust list and status lists.
    const keyFile = join(dir, "peer-holder.key");
    writeFileSync(keyFile, JSON.stringify(await civitasKeyFile(holder)), { mode: 0o600 });
    const challenge = crypto.randomBytes(12).toString("base64url");
    const domain = "https://agency.example";
    writeFileSync(join(dir, "disclose.json"), JSON.stringify(["/credentialSubject/degree/name"]));
    const d = civitas(["--context", ctx, "derive", "--disclose", join(dir, "disclose.json"), "--challenge", challenge, "--domain", domain, file, "-o", join(dir, "derived.json")], { allowFail: true });
    const pr = d.status === 0 ? civitas(["--context", ctx, "present", "--holder-key", keyFile, "--challenge", challenge, "--domain", domain, join(dir, "derived.json"), "-o", join(dir, "vp.json")], { allowFail: true }) : d;
    const vv = pr.status === 0 ? civitas(["--context", ctx, "verify", "--trust", join(desk, "trust.toml"), "--status-dir", join(desk, "status"), "--challenge", challenge, "--domain", domain, "--require", "/credentialSubject/degree/name", "--format", "json", join(dir, "vp.json")], { allowFail: true }) : pr;
    let verdict = {};
    try {
      verdict = JSON.parse(vv.stdout);
    } catch (_) {}
    const res = verdict.results?.[0] ?? {};
    check("civitas verify: a presentation of it signed with the peer's key is valid, holder-bound, status checked (derive, present, verify)",
      vv.status === 0 && res.verdict === "valid" && res.holder === holder.did && res.credentials?.[0]?.holder_binding === "did" &&
        res.credentials?.[0]?.status?.[0] === "revocation: unset" && (res.dangers ?? []).length === 0,
      `exit ${vv.status} ${vv.stdout.trim().slice(0, 600)} ${vv.stderr.trim().slice(0, 300)}`);
  }

  // ---- 5. refusals the peer must see ----

  // The same credential request again: the access token is used up.
  {
    let seen;
    try {
      await credentials(access.access_token, [jwt]);
      seen = { kind: "a credential" };
    } catch (e) {
      seen = credentialError(e);
    }
    const code = seen.error ?? seen.wwwAuthenticate?.[0]?.error;
    check("peer: replaying the credential request (token used up) is refused with invalid_token", code === "invalid_token" && seen.status === 401, show(seen));
    check("peer: ... and the refusal carries WWW-Authenticate: Bearer error=\"invalid_token\" (RFC 6750 section 3)", seen.wwwAuthenticate?.[0]?.scheme === "Bearer" && seen.wwwAuthenticate?.[0]?.error === "invalid_token", show(seen.wwwAuthenticate));
  }

  async function refusal(offerLink, pin, makeJwts) {
    const offer = await client.resolveCredentialOffer(offerLink);
    const t = (await token(offer, pin)).accessTokenResponse;
    try {
      const r = await credentials(t.access_token, await makeJwts());
      return { kind: "a credential", n: r.credentialResponse.credentials?.length };
    } catch (e) {
      return credentialError(e);
    }
  }
  {
    const elsewhere = { ...md, credentialIssuer: { ...md.credentialIssuer, credential_issuer: "https://elsewhere.example" } };
    const seen = await refusal(audOffer.link, audOffer.pin, async () => [await proof(holder, { issuerMetadata: elsewhere })]);
    check("peer: a proof for another audience is refused with invalid_proof", seen.error === "invalid_proof" && seen.status === 400, show(seen));
  }
  {
    const seen = await refusal(nonceOffer.link, nonceOffer.pin, async () => [await proof(holder, { nonce: crypto.randomBytes(16).toString("base64url") })]);
    check("peer: a proof for a nonce we did not give is refused with invalid_nonce", seen.error === "invalid_nonce" && seen.status === 400, show(seen));
  }
  {
    // The peer's other way to name its key: a `jwk` header. Our issuer binds to a did:key
    // (cryptographic_binding_methods_supported), so it refuses the proof.
    const k = await holderKey();
    const jwkSigner = { method: "jwk", publicJwk: k.publicJwk, alg: "ES256" };
    const seen = await refusal(jwkOffer.link, jwkOffer.pin, async () => {
      const c = (await client.requestNonce({ issuerMetadata: md })).c_nonce;
      return [(await client.createCredentialRequestJwtProof({ issuerMetadata: md, credentialConfigurationId: "diploma", signer: jwkSigner, nonce: c })).jwt];
    });
    check("peer: a proof naming its key by a jwk header (not a did:key) is refused with invalid_proof", seen.error === "invalid_proof", show(seen));
  }
  {
    // Batch issuance (batch_size 4): two proofs of two keys under one nonce, two credentials.
    const a = await holderKey();
    const b = await holderKey();
    const offer = await client.resolveCredentialOffer(batchOffer.link);
    const t = (await token(offer, batchOffer.pin)).accessTokenResponse;
    try {
      const c = (await client.requestNonce({ issuerMetadata: md })).c_nonce;
      const r = await credentials(t.access_token, [await proof(a, { nonce: c }), await proof(b, { nonce: c })]);
      const subjects = (r.credentialResponse.credentials ?? []).map((x) => x.credential?.credentialSubject?.id);
      check("peer: a batch of two proofs (two keys) gets two credentials, one bound to each did:key", subjects.length === 2 && subjects.includes(a.did) && subjects.includes(b.did), show(subjects));
    } catch (e) {
      check("peer: a batch of two proofs (two keys) gets two credentials, one bound to each did:key", false, show(credentialError(e)));
    }
  }
  {
    // Our own proof type, which the peer cannot make but can carry: a bbs-2023 credential
    // request (a blind commitment to a wallet's secrets) made by `civitas holder request`,
    // sent by the peer in proofs["x-civitas-bbs-2023-commitment"]; the credential that comes
    // back must import into that wallet, bound to its secret.
    const wallet = join(dir, "commitment-wallet");
    civitas(["--context", ctx, "holder", "init", "--wallet", wallet]);
    civitas(["--context", ctx, "holder", "request", "--wallet", wallet, "--feature", "holder-binding-pseudonym", "-o", join(dir, "request.json")]);
    const request = JSON.parse(readFileSync(join(dir, "request.json"), "utf8"));
    const offer = await client.resolveCredentialOffer(commitmentOffer.link);
    const t = (await token(offer, commitmentOffer.pin)).accessTokenResponse;
    let got;
    try {
      const r = await client.retrieveCredentials({ issuerMetadata: md, credentialConfigurationId: "diploma", proofs: { "x-civitas-bbs-2023-commitment": [request] }, accessToken: t.access_token });
      got = r.credentialResponse.credentials?.[0]?.credential;
    } catch (e) {
      got = credentialError(e);
    }
    const ok = got && got.proof?.cryptosuite === "bbs-2023" && !got.credentialSubject?.id;
    check("peer: carries our x-civitas-bbs-2023-commitment proof (made by civitas holder request) and gets a credential without a subject id", ok, show(got).slice(0, 400));
    if (ok) {
      writeFileSync(join(dir, "blind.json"), JSON.stringify(got));
      const imp = civitas(["--context", ctx, "holder", "import", "--wallet", wallet, join(dir, "blind.json")], { allowFail: true });
      const list = civitas(["--context", ctx, "holder", "list", "--wallet", wallet], { allowFail: true });
      check("civitas holder import: that credential is bound to the requesting wallet's secret", imp.status === 0 && list.status === 0 && /bound to this wallet's secret, with a pseudonym per verifier/.test(list.stdout), `${imp.status} ${imp.stderr.trim()} | ${list.stdout.trim()}`);
    }
  }
} catch (e) {
  check("the peer test ran to its end", false, why(e));
} finally {
  server.kill();
  if (!process.env.CIVITAS_PEER_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`note kept ${dir}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
