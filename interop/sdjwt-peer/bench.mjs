// Times @sd-jwt/sd-jwt-vc verifying one SD-JWT VC presentation (with its Key Binding JWT and
// Token Status List), for core/benches/sdjwt.rs. Usage: node bench.mjs DIR, DIR holding `vp`,
// `jwk` (the issuer's public JWK) and `status` (the status list token). Prints
// "verify_us <median microseconds>".
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { ES256, digest } from "@sd-jwt/crypto-nodejs";

const dir = process.argv[2];
const vp = readFileSync(join(dir, "vp"), "utf8").trim();
const jwk = JSON.parse(readFileSync(join(dir, "jwk"), "utf8"));
const status = readFileSync(join(dir, "status"), "utf8").trim();
const verify = await ES256.getVerifier(jwk);
const sd = new SDJwtVcInstance({
  hasher: digest,
  hashAlg: "sha-256",
  verifier: verify,
  kbVerifier: async (data, sig, payload) => (await ES256.getVerifier(payload.cnf.jwk))(data, sig),
  statusListFetcher: async () => status,
  loadTypeMetadataFormat: false,
});
for (let i = 0; i < 20; i++) await sd.verify(vp, { keyBindingNonce: "n-1" });
const samples = [];
const start = Date.now();
while (samples.length < 200 || (Date.now() - start < 600 && samples.length < 2000)) {
  const t = process.hrtime.bigint();
  await sd.verify(vp, { keyBindingNonce: "n-1" });
  samples.push(Number(process.hrtime.bigint() - t) / 1000);
}
samples.sort((a, b) => a - b);
console.log(`verify_us ${samples[Math.floor(samples.length / 2)]}`);
