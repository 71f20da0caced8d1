#!/usr/bin/env node
// Civitas interop harness around Digital Bazaar's bbs-2023 Data Integrity
// cryptosuite (JavaScript). Runs fully offline: JSON-LD contexts come from
// local directories and did:key documents are built here.
//
// Usage: see README.md beside this file, or run `node bbs2023.mjs help`.
//
// Exit codes: 0 success (verified), 1 verification failed, 2 error
// (usage, I/O, unknown context URL, unsupported proof, library error).
// stdout: exactly one line of JSON describing the result.

import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {performance} from 'node:perf_hooks';

import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {
  createDiscloseCryptosuite, createSignCryptosuite, createVerifyCryptosuite
} from '@digitalbazaar/bbs-2023-cryptosuite';
import * as Bls12381Multikey from '@digitalbazaar/bls12-381-multikey';
import * as bbs from '@digitalbazaar/bbs-signatures';
import * as sd from '@digitalbazaar/di-sd-primitives';
import * as cborg from 'cborg';

const {AssertionProofPurpose} = jsigs.purposes;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const BBS_CIPHERSUITE = 'BLS12-381-SHA-256';

// ---------------------------------------------------------------- errors --

class HarnessError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HarnessError';
  }
}

// raised by the document loader for URLs it cannot serve offline
class LoaderError extends HarnessError {
  constructor(url, why) {
    super(`documentLoader: cannot load "${url}" offline${why ? `: ${why}` : ''}`);
    this.name = 'LoaderError';
    this.url = url;
  }
}

// walks an error (jsonld-signatures wraps errors in `errors` / `cause`
// / `details`) looking for a harness error, so that a missing context is
// reported as an error (exit 2) rather than a verification failure (exit 1)
function findHarnessError(err, depth = 0) {
  if(!err || typeof err !== 'object' || depth > 8) {
    return null;
  }
  if(err instanceof HarnessError || err.name === 'LoaderError') {
    return err;
  }
  const children = [];
  if(Array.isArray(err)) {
    children.push(...err);
  }
  if(Array.isArray(err.errors)) {
    children.push(...err.errors);
  }
  for(const k of ['cause', 'error', 'details']) {
    if(err[k]) {
      children.push(err[k]);
    }
  }
  for(const c of children) {
    const found = findHarnessError(c, depth + 1);
    if(found) {
      return found;
    }
  }
  return null;
}

function errorMessages(err, depth = 0, out = []) {
  if(!err || depth > 8) {
    return out;
  }
  if(Array.isArray(err)) {
    err.forEach(e => errorMessages(e, depth + 1, out));
    return out;
  }
  if(typeof err === 'object') {
    if(err.message && !out.includes(err.message)) {
      out.push(err.message);
    }
    if(Array.isArray(err.errors)) {
      errorMessages(err.errors, depth + 1, out);
    }
    if(err.cause) {
      errorMessages(err.cause, depth + 1, out);
    }
  }
  return out;
}

// ----------------------------------------------------------- base58btc --

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Decode(str) {
  let n = 0n;
  for(const ch of str) {
    const v = B58.indexOf(ch);
    if(v < 0) {
      throw new HarnessError(`invalid base58 character "${ch}"`);
    }
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while(n > 0n) {
    bytes.push(Number(n & 0xffn));
    n >>= 8n;
  }
  for(const ch of str) {
    if(ch !== '1') {
      break;
    }
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

// ------------------------------------------------------------- did:key --

const G2_PUB_HEADER = [0xeb, 0x01];
const G2_PUB_LEN = 96;

// public key bytes of a `z...` BLS12-381 G2 Multikey / did:key identifier
function g2PublicKeyFromMultibase(mb) {
  if(typeof mb !== 'string' || mb[0] !== 'z') {
    throw new HarnessError(`"${mb}" is not a base58btc multibase value`);
  }
  const bytes = base58Decode(mb.slice(1));
  if(!(bytes[0] === G2_PUB_HEADER[0] && bytes[1] === G2_PUB_HEADER[1] &&
    bytes.length === 2 + G2_PUB_LEN)) {
    throw new HarnessError(
      `"${mb.slice(0, 12)}..." is not a BLS12-381 G2 public key ` +
      '(multicodec 0xeb, 96 bytes)');
  }
  return bytes.subarray(2);
}

function didKeyDocuments(did) {
  const mb = did.slice('did:key:'.length);
  g2PublicKeyFromMultibase(mb);
  const vmId = `${did}#${mb}`;
  const vm = {id: vmId, type: 'Multikey', controller: did,
    publicKeyMultibase: mb};
  const didDocument = {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1'
    ],
    id: did,
    verificationMethod: [vm],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityInvocation: [vmId],
    capabilityDelegation: [vmId]
  };
  const vmDocument = {'@context': 'https://w3id.org/security/multikey/v1', ...vm};
  return {didDocument, vmDocument, vmId};
}

// ------------------------------------------------------ document loader --

// context URL -> candidate file names (relative to a contexts directory)
function loadContextMap() {
  const file = path.join(HERE, 'contexts.json');
  const {contexts} = JSON.parse(readFileSync(file, 'utf8'));
  return contexts;
}

// `| URL | \`file\` | ... |` rows of a README.md table in a contexts dir
function readmeContextMap(dir) {
  const readme = path.join(dir, 'README.md');
  const map = {};
  if(!existsSync(readme)) {
    return map;
  }
  for(const line of readFileSync(readme, 'utf8').split('\n')) {
    const m = line.match(/^\|\s*(https?:\/\/\S+?)\s*\|\s*`?([^|`]+?)`?\s*\|/);
    if(m) {
      map[m[1]] = m[2];
    }
  }
  return map;
}

// the naming convention of shared/contexts: host + path, '/' -> '_'
function conventionalFileName(url) {
  return url.replace(/^https?:\/\//, '').replace(/\/$/, '')
    .replace(/\//g, '_') + '.jsonld';
}

function defaultVectorsDir() {
  return process.env.CIVITAS_VECTORS ||
    path.resolve(REPO_ROOT, '..', 'shared', 'vectors');
}

function defaultContextDirs() {
  const vectors = defaultVectorsDir();
  return [
    path.resolve(vectors, '..', 'contexts'),
    path.join(vectors, 'vc-di-bbs', 'contexts')
  ].filter(d => existsSync(d));
}

function createDocumentLoader({contextDirs}) {
  const table = loadContextMap();
  const readmeTables = contextDirs.map(readmeContextMap);
  const cache = new Map();

  function findContextFile(url) {
    for(const [i, dir] of contextDirs.entries()) {
      const candidates = [
        ...(table[url] || []),
        ...(readmeTables[i][url] ? [readmeTables[i][url]] : []),
        conventionalFileName(url)
      ];
      for(const name of candidates) {
        const file = path.join(dir, name);
        if(existsSync(file) && statSync(file).isFile()) {
          return file;
        }
      }
    }
    return null;
  }

  const loader = async url => {
    if(typeof url !== 'string') {
      throw new LoaderError(String(url), 'URL is not a string');
    }
    if(cache.has(url)) {
      return cache.get(url);
    }
    let document;
    if(url.startsWith('did:key:')) {
      const [did, fragment] = url.split('#');
      const {didDocument, vmDocument} = didKeyDocuments(did);
      if(fragment === undefined) {
        document = didDocument;
      } else if(`${did}#${fragment}` === vmDocument.id) {
        document = vmDocument;
      } else {
        throw new LoaderError(url, 'unknown did:key fragment');
      }
    } else if(url.startsWith('did:')) {
      throw new LoaderError(url, 'only did:key (BLS12-381 G2) is resolved');
    } else {
      const file = findContextFile(url);
      if(!file) {
        throw new LoaderError(url,
          `no context file for this URL in [${contextDirs.join(', ')}]`);
      }
      try {
        document = JSON.parse(readFileSync(file, 'utf8'));
      } catch(e) {
        throw new LoaderError(url, `bad JSON in ${file}: ${e.message}`);
      }
    }
    const result = {contextUrl: null, documentUrl: url, document};
    cache.set(url, result);
    return result;
  };
  return loader;
}

// ------------------------------------------------------------- helpers --

function readJson(file, what) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch(e) {
    throw new HarnessError(`cannot read ${what} "${file}": ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch(e) {
    throw new HarnessError(`${what} "${file}" is not JSON: ${e.message}`);
  }
}

async function writeJson(file, value) {
  await writeFile(file, JSON.stringify(value, null, 2) + '\n');
}

function hexToBytes(hex, what) {
  if(typeof hex !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(hex)) {
    throw new HarnessError(`${what} must be an even-length hex string`);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

const bytesToHex = b => Buffer.from(b).toString('hex');

function equalBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function pointerList(value, what, keys) {
  let list = value;
  if(value && !Array.isArray(value) && typeof value === 'object') {
    const key = keys.find(k => Array.isArray(value[k]));
    list = key ? value[key] : undefined;
  }
  if(!Array.isArray(list) || !list.every(
    p => typeof p === 'string' && (p === '' || p.startsWith('/')))) {
    throw new HarnessError(
      `${what} must be a JSON array of JSON pointers, or an object with ` +
      `one of ${keys.map(k => `"${k}"`).join(', ')} holding such an array`);
  }
  return list;
}

// bbs-2023 proofValue header byte (third byte of the CBOR tag) -> kind
const PROOF_HEADERS = {
  0x02: {proofKind: 'base', feature: 'baseline'},
  0x03: {proofKind: 'derived', feature: 'baseline'},
  0x04: {proofKind: 'base', feature: 'anonymous_holder_binding'},
  0x05: {proofKind: 'derived', feature: 'anonymous_holder_binding'},
  0x06: {proofKind: 'base', feature: 'pseudonym'},
  0x07: {proofKind: 'derived', feature: 'pseudonym'},
  0x08: {proofKind: 'base', feature: 'pseudonym (hidden pid)'},
  0x09: {proofKind: 'derived', feature: 'pseudonym (hidden pid)'}
};

// find the single bbs-2023 proof of a document and classify it
function findBbsProof(doc) {
  if(!doc || typeof doc !== 'object' || !doc.proof) {
    throw new HarnessError('document has no "proof"');
  }
  const proofs = Array.isArray(doc.proof) ? doc.proof : [doc.proof];
  const matching = proofs.filter(p => p && p.type === 'DataIntegrityProof' &&
    p.cryptosuite === 'bbs-2023');
  if(matching.length !== 1) {
    throw new HarnessError(
      `expected exactly one DataIntegrityProof with cryptosuite "bbs-2023", ` +
      `found ${matching.length}`);
  }
  const proof = matching[0];
  if(typeof proof.proofValue !== 'string' || proof.proofValue[0] !== 'u') {
    throw new HarnessError('"proofValue" must be a base64url ("u") multibase string');
  }
  const bytes = Buffer.from(proof.proofValue.slice(1), 'base64url');
  if(bytes.length < 3 || bytes[0] !== 0xd9 || bytes[1] !== 0x5d) {
    throw new HarnessError('"proofValue" does not start with a bbs-2023 CBOR tag (0xd95d..)');
  }
  const kind = PROOF_HEADERS[bytes[2]];
  if(!kind) {
    throw new HarnessError(`unknown bbs-2023 proofValue header 0xd95d${bytes[2].toString(16).padStart(2, '0')}`);
  }
  return {proof, bytes, header: bytes[2], ...kind};
}

// CBOR decoding as bbs-2023 allows: byte strings, or tag 64 byte arrays
const CBOR_TAGS = [];
CBOR_TAGS[64] = b => Uint8Array.from(b);

function decodeProofPayload(bytes) {
  return cborg.decode(bytes.subarray(3), {useMaps: true, tags: CBOR_TAGS});
}

function assertBaseline(info) {
  if(info.feature !== 'baseline') {
    throw new HarnessError(
      `proof is a ${info.proofKind} proof with feature "${info.feature}" ` +
      `(header 0xd95d${info.header.toString(16).padStart(2, '0')}); ` +
      'the Digital Bazaar bbs-2023 library supports the baseline feature only');
  }
}

// ---------------------------------------------------- key pair loading --

// Accepts {publicKeyMultibase, secretKeyMultibase} (Multikey, as exported by
// @digitalbazaar/bls12-381-multikey) or the W3C vector form
// {publicKeyHex, privateKeyHex}; optional `controller` / `id`.
async function loadKeyPair(file) {
  const k = readJson(file, 'key file');
  let {publicKeyMultibase, secretKeyMultibase} = k;
  if(!publicKeyMultibase && (k.publicKeyHex || k.privateKeyHex)) {
    if(!(k.publicKeyHex && k.privateKeyHex)) {
      throw new HarnessError('key file needs both publicKeyHex and privateKeyHex');
    }
    const raw = await Bls12381Multikey.fromRaw({
      algorithm: Bls12381Multikey.ALGORITHMS.BBS_BLS12381_SHA256,
      publicKey: hexToBytes(k.publicKeyHex, 'publicKeyHex'),
      secretKey: hexToBytes(k.privateKeyHex, 'privateKeyHex')
    });
    ({publicKeyMultibase, secretKeyMultibase} = raw);
  }
  if(!publicKeyMultibase || !secretKeyMultibase) {
    throw new HarnessError(
      'key file must hold publicKeyMultibase + secretKeyMultibase ' +
      '(or publicKeyHex + privateKeyHex)');
  }
  g2PublicKeyFromMultibase(publicKeyMultibase);
  const controller = k.controller || `did:key:${publicKeyMultibase}`;
  const id = k.id || `${controller}#${publicKeyMultibase}`;
  const keyPair = await Bls12381Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey', id, controller, publicKeyMultibase, secretKeyMultibase
  });
  // the library derives nothing from the secret key: make sure they match
  const derivedPublic = await bbs.secretKeyToPublicKey({
    secretKey: (await keyPair.export({secretKey: true, raw: true})).secretKey,
    ciphersuite: BBS_CIPHERSUITE
  });
  if(!equalBytes(derivedPublic, g2PublicKeyFromMultibase(publicKeyMultibase))) {
    throw new HarnessError('key file: public key does not match secret key');
  }
  return keyPair;
}

// -------------------------------------------------------------- commands --

async function cmdSign({positional, opts, documentLoader}) {
  const [input] = positional;
  if(!input || !opts.key || !opts.mandatory || !opts.o) {
    throw new UsageError('sign UNSIGNED.json --key KEY.json --mandatory POINTERS.json -o OUT.json');
  }
  const document = readJson(input, 'unsigned document');
  if(document.proof) {
    throw new HarnessError('input document already has a "proof"');
  }
  const mandatoryPointers = pointerList(readJson(opts.mandatory, 'mandatory pointers'),
    'mandatory pointers file', ['mandatoryPointers', 'pointers']);
  const keyPair = await loadKeyPair(opts.key);
  const t0 = performance.now();
  const signed = await signDocument({document, keyPair, mandatoryPointers, documentLoader});
  const ms = performance.now() - t0;
  await writeJson(opts.o, signed);
  return {exit: 0, result: {command: 'sign', ok: true, output: opts.o,
    verificationMethod: signed.proof.verificationMethod,
    mandatoryPointers, ms: round(ms)}};
}

async function signDocument({document, keyPair, mandatoryPointers, documentLoader}) {
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(),
    cryptosuite: createSignCryptosuite({mandatoryPointers})
  });
  return jsigs.sign(structuredClone(document), {
    suite, purpose: new AssertionProofPurpose(), documentLoader
  });
}

async function cmdDerive({positional, opts, documentLoader}) {
  const [input] = positional;
  if(!input || !opts.reveal || !opts.o) {
    throw new UsageError('derive SIGNED.json --reveal POINTERS.json [--presentation-header HEX] -o OUT.json');
  }
  const document = readJson(input, 'signed document');
  const info = findBbsProof(document);
  assertBaseline(info);
  if(info.proofKind !== 'base') {
    throw new HarnessError('input has a derived proof; derive needs a base proof');
  }
  const reveal = readJson(opts.reveal, 'reveal file');
  const selectivePointers = pointerList(reveal, 'reveal file',
    ['selectivePointers', 'pointers']);
  let phHex = opts['presentation-header'];
  if(phHex === undefined && reveal && typeof reveal === 'object' &&
    typeof reveal.presentationHeaderHex === 'string') {
    phHex = reveal.presentationHeaderHex;
  }
  const presentationHeader = hexToBytes(phHex ?? '', 'presentation header');
  const t0 = performance.now();
  const derived = await deriveDocument({document, selectivePointers,
    presentationHeader, documentLoader});
  const ms = performance.now() - t0;
  await writeJson(opts.o, derived);
  return {exit: 0, result: {command: 'derive', ok: true, output: opts.o,
    selectivePointers, presentationHeader: bytesToHex(presentationHeader),
    ms: round(ms)}};
}

async function deriveDocument({document, selectivePointers, presentationHeader, documentLoader}) {
  const suite = new DataIntegrityProof({
    cryptosuite: createDiscloseCryptosuite({selectivePointers, presentationHeader})
  });
  return jsigs.derive(structuredClone(document), {
    suite, purpose: new AssertionProofPurpose(), documentLoader
  });
}

async function verifyDerived({document, expectedPresentationHeader, documentLoader}) {
  const cryptosuite = createVerifyCryptosuite(
    expectedPresentationHeader ? {expectedPresentationHeader} : {});
  const suite = new DataIntegrityProof({cryptosuite});
  return jsigs.verify(structuredClone(document), {
    suite, purpose: new AssertionProofPurpose(), documentLoader
  });
}

// Base proofs are not verifiable through the library's public API (they are
// the holder's input to `derive`). This check is implemented here from the
// library's building blocks (di-sd-primitives, bbs-signatures), following
// the same steps as its sign path: it recomputes proofHash and mandatoryHash,
// compares them with the bbsHeader stored in the proof, and verifies the BBS
// signature over the HMAC-relabelled non-mandatory N-Quads.
async function checkBaseProof({document, info, documentLoader}) {
  const [bbsSignature, bbsHeader, publicKey, hmacKey, mandatoryPointers] =
    decodeProofPayload(info.bytes);
  const problems = [];
  const {proof} = info;
  const vmUrl = typeof proof.verificationMethod === 'object' ?
    proof.verificationMethod.id : proof.verificationMethod;
  const {document: vm} = await documentLoader(vmUrl);
  if(!equalBytes(publicKey, g2PublicKeyFromMultibase(vm.publicKeyMultibase))) {
    problems.push('public key in proofValue differs from the verification method key');
  }
  if(proof.proofPurpose !== 'assertionMethod') {
    problems.push(`proofPurpose is "${proof.proofPurpose}", not "assertionMethod"`);
  }
  const unsecured = {...document};
  delete unsecured.proof;
  const options = {documentLoader};
  const proofHash = await sd.hashCanonizedProof({document: unsecured, proof, options});
  const hmac = await sd.createHmac({key: hmacKey});
  const labelMapFactoryFunction = shuffledLabelMapFunction({hmac});
  const {groups: {mandatory}} = await sd.canonicalizeAndGroup({
    document: unsecured, labelMapFactoryFunction,
    groups: {mandatory: mandatoryPointers}, options
  });
  const {mandatoryHash} = await sd.hashMandatory(
    {mandatory: [...mandatory.matching.values()]});
  if(!equalBytes(bbsHeader.subarray(0, 32), proofHash)) {
    problems.push('bbsHeader[0..32] != proofHash (proof options changed?)');
  }
  if(!equalBytes(bbsHeader.subarray(32), mandatoryHash)) {
    problems.push('bbsHeader[32..64] != mandatoryHash (mandatory data changed?)');
  }
  const messages = [...mandatory.nonMatching.values()].map(sd.stringToUtf8Bytes);
  const signatureOk = await bbs.verifySignature({
    publicKey, signature: bbsSignature, header: bbsHeader, messages,
    ciphersuite: BBS_CIPHERSUITE
  });
  if(!signatureOk) {
    problems.push('BBS signature does not verify over header and non-mandatory N-Quads');
  }
  return {verified: problems.length === 0, problems, mandatoryPointers,
    messages: messages.length, mandatory: mandatory.matching.size};
}

// bbs-2023 "createShuffledIdLabelMapFunction": HMAC the canonical blank
// node ids, sort the HMAC values, label each node b<rank>
function shuffledLabelMapFunction({hmac}) {
  const hmacIds = sd.createHmacIdLabelMapFunction({hmac});
  return async ({canonicalIdMap}) => {
    const map = await hmacIds({canonicalIdMap});
    const sorted = [...map.values()].sort();
    for(const [k, v] of map) {
      map.set(k, 'b' + sorted.indexOf(v));
    }
    return map;
  };
}

async function cmdVerify({positional, opts, documentLoader}) {
  const [input] = positional;
  if(!input) {
    throw new UsageError('verify DOC.json [--presentation-header HEX]');
  }
  const document = readJson(input, 'document');
  const info = findBbsProof(document);
  assertBaseline(info);
  const base = {command: 'verify', proofKind: info.proofKind, feature: info.feature,
    verificationMethod: info.proof.verificationMethod};
  const t0 = performance.now();
  if(info.proofKind === 'base') {
    const r = await checkBaseProof({document, info, documentLoader});
    return {exit: r.verified ? 0 : 1, result: {...base, verified: r.verified,
      note: 'base proof: checked by the harness (BBS signature + header ' +
        'recomputation), not by a library verify API; derive to get a ' +
        'verifiable presentation',
      mandatoryPointers: r.mandatoryPointers, problems: r.problems,
      ms: round(performance.now() - t0)}};
  }
  const [, , mandatoryIndexes, selectiveIndexes, presentationHeader] =
    decodeProofPayload(info.bytes);
  const expected = opts['presentation-header'] === undefined ? undefined :
    hexToBytes(opts['presentation-header'], 'presentation header');
  const res = await verifyDerived({document, expectedPresentationHeader: expected,
    documentLoader});
  const ms = round(performance.now() - t0);
  const harnessErr = findHarnessError(res.error);
  if(harnessErr) {
    throw harnessErr;
  }
  const result = {...base, verified: !!res.verified,
    presentationHeader: bytesToHex(presentationHeader || new Uint8Array()),
    mandatoryIndexes: mandatoryIndexes?.length,
    selectiveIndexes: selectiveIndexes?.length, ms};
  if(!res.verified) {
    result.errors = errorMessages(res.error);
    if(expected && !equalBytes(expected, presentationHeader || new Uint8Array())) {
      // the library reports this as an internal TypeError; say it plainly
      result.errors.unshift(
        `presentation header ${bytesToHex(presentationHeader)} differs from ` +
        `expected ${bytesToHex(expected)}`);
    }
  }
  return {exit: res.verified ? 0 : 1, result};
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = x => Math.round(x * 10) / 10;

async function cmdBench({opts, documentLoader}) {
  const n = Number(opts.iterations ?? 5);
  if(!Number.isInteger(n) || n < 1) {
    throw new UsageError('bench [--iterations N] [--vectors DIR]');
  }
  const dir = path.join(opts.vectors || defaultVectorsDir(), 'vc-di-bbs', 'TestVectors');
  const document = readJson(path.join(dir, 'windDoc.json'), 'vector');
  const mandatoryPointers = readJson(path.join(dir, 'windMandatory.json'), 'vector');
  const selectivePointers = readJson(path.join(dir, 'windSelective.json'), 'vector');
  const {presentationHeaderHex} = readJson(path.join(dir, 'BBSDeriveMaterial.json'), 'vector');
  const presentationHeader = hexToBytes(presentationHeaderHex, 'presentation header');
  const keyPair = await loadKeyPair(path.join(dir, 'BBSKeyMaterial.json'));
  const times = {sign: [], derive: [], verify: []};
  // iteration 0 warms up (JIT, context cache) and is not counted
  for(let i = 0; i <= n; i++) {
    let t = performance.now();
    const signed = await signDocument({document, keyPair, mandatoryPointers, documentLoader});
    const tSign = performance.now() - t;
    t = performance.now();
    const derived = await deriveDocument({document: signed, selectivePointers,
      presentationHeader, documentLoader});
    const tDerive = performance.now() - t;
    t = performance.now();
    const res = await verifyDerived({document: derived, documentLoader});
    const tVerify = performance.now() - t;
    if(!res.verified) {
      throw new HarnessError(`bench: derived document did not verify: ${errorMessages(res.error).join('; ')}`);
    }
    if(i > 0) {
      times.sign.push(tSign);
      times.derive.push(tDerive);
      times.verify.push(tVerify);
    }
  }
  return {exit: 0, result: {
    sign_ms: round(median(times.sign)), derive_ms: round(median(times.derive)),
    verify_ms: round(median(times.verify)), iterations: n,
    vector: 'vc-di-bbs windsurf (baseline)', node: process.version}};
}

// ------------------------------------------------------------------ main --

class UsageError extends HarnessError {
  // `usage` is a command synopsis; a message starting with ':' is a
  // complaint instead
  constructor(usage) {
    super(usage.startsWith(':') ? usage.slice(2) :
      `usage: node bbs2023.mjs ${usage}`);
    this.name = 'UsageError';
  }
}

const HELP = `usage: node bbs2023.mjs COMMAND [options]
  verify DOC.json [--presentation-header HEX]
  derive SIGNED.json --reveal POINTERS.json [--presentation-header HEX] -o OUT.json
  sign UNSIGNED.json --key KEY.json --mandatory POINTERS.json -o OUT.json
  bench [--iterations N] [--vectors DIR]
common options:
  --contexts DIR   directory of JSON-LD context files (repeatable; default:
                   $CIVITAS_CONTEXTS, ':'-separated, else ../shared/contexts
                   and ../shared/vectors/vc-di-bbs/contexts beside the repo)
  --debug          print stack traces on stderr
exit: 0 ok/verified, 1 not verified, 2 error; stdout: one line of JSON`;

const VALUE_OPTS = new Set(['key', 'mandatory', 'reveal', 'presentation-header',
  'o', 'output', 'contexts', 'iterations', 'vectors']);

function parseArgs(argv) {
  const positional = [];
  const opts = {contexts: []};
  for(let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if(a === '--debug' || a === '-h' || a === '--help') {
      opts[a.replace(/^-+/, '')] = true;
      continue;
    }
    if(a.startsWith('-') && a !== '-') {
      let name = a.replace(/^-+/, '');
      let value;
      const eq = name.indexOf('=');
      if(eq >= 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      if(!VALUE_OPTS.has(name)) {
        throw new UsageError(`: unknown option ${a}\n${HELP}`);
      }
      if(value === undefined) {
        if(i + 1 >= argv.length) {
          throw new UsageError(`: option ${a} needs a value`);
        }
        value = argv[++i];
      }
      if(name === 'output') {
        name = 'o';
      }
      if(name === 'contexts') {
        opts.contexts.push(value);
      } else {
        opts[name] = value;
      }
      continue;
    }
    positional.push(a);
  }
  return {positional, opts};
}

async function main(argv) {
  let debug = argv.includes('--debug');
  let command = argv[0];
  try {
    if(!command || command === 'help' || command === '--help' || command === '-h') {
      process.stderr.write(HELP + '\n');
      return command ? 0 : 2;
    }
    const {positional, opts} = parseArgs(argv.slice(1));
    debug = !!opts.debug;
    let contextDirs = opts.contexts;
    if(contextDirs.length === 0 && process.env.CIVITAS_CONTEXTS) {
      contextDirs = process.env.CIVITAS_CONTEXTS.split(path.delimiter).filter(Boolean);
    }
    if(contextDirs.length === 0) {
      contextDirs = defaultContextDirs();
    }
    for(const d of contextDirs) {
      if(!existsSync(d) || !statSync(d).isDirectory()) {
        throw new HarnessError(`contexts directory "${d}" does not exist`);
      }
    }
    const documentLoader = createDocumentLoader({contextDirs});
    const commands = {sign: cmdSign, derive: cmdDerive, verify: cmdVerify, bench: cmdBench};
    const fn = commands[command];
    if(!fn) {
      throw new UsageError(`: unknown command "${command}"\n${HELP}`);
    }
    const {exit, result} = await fn({positional, opts, documentLoader});
    process.stdout.write(JSON.stringify(result) + '\n');
    return exit;
  } catch(e) {
    const harness = findHarnessError(e);
    const err = harness || e;
    const out = {command: command ?? null, ok: false,
      error: err.message || String(err), errorType: err.name || 'Error'};
    const more = errorMessages(e).filter(m => m !== out.error);
    if(more.length) {
      out.causes = more;
    }
    if(err.url) {
      out.url = err.url;
    }
    process.stdout.write(JSON.stringify(out) + '\n');
    if(debug) {
      process.stderr.write((e.stack || String(e)) + '\n');
    }
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
