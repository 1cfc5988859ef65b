#!/usr/bin/env node
// Signs and verifies credentials with Digital Bazaar's libraries, offline, for the interop tests.
//
//   node interop.mjs sign   < {credential, secretKeyMultibase | seedHex, publicKeyMultibase,
//                              verificationMethod, suite, created?}      > signed credential
//   node interop.mjs sign-all < {requests: [sign request, ...]}         > [signed credential, ...]
//   node interop.mjs verify < {credential, now?}                        > {verified, error, ...}
//
// The document loader is static: it serves the contexts pinned in app/credentials/contexts
// (checked against their SHA-256 pins), builds did:key documents itself, and throws for anything
// else, so nothing here can reach the network. Every URL it was asked for is reported back in
// `loadedUrls` (verify) so a test can see what the library looked up.
//
// Exit status: 0 with JSON on stdout when the request was carried out (a credential that fails
// verification is still a carried-out request: `verified: false`); 2 with a message on stderr for
// a bad request or any unexpected error.

import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = join(HERE, '..', '..', '..', 'app', 'credentials', 'contexts');

const DID_CONTEXT_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT_V1 = 'https://w3id.org/security/multikey/v1';
const DID_KEY_PREFIX = 'did:key:';
const SUITES = new Set(['eddsa-rdfc-2022', 'Ed25519Signature2020']);

class RequestError extends Error {}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

// -- the static document loader -------------------------------------------------------------

function pinnedContexts() {
  const files = readJson(join(CONTEXTS_DIR, 'urls.json'));
  const pins = readJson(join(CONTEXTS_DIR, 'pins.json'));
  const contexts = new Map();
  for(const [url, name] of Object.entries(files)) {
    if(name.includes('/') || name.includes('\\')) {
      throw new Error(`urls.json maps ${url} outside its directory`);
    }
    const raw = readFileSync(join(CONTEXTS_DIR, name));
    const digest = createHash('sha256').update(raw).digest('hex');
    if(digest !== pins[url]) {
      throw new Error(`${name} does not match its SHA-256 pin for ${url}`);
    }
    contexts.set(url, raw.toString('utf8'));
  }
  return contexts;
}

async function didKeyDocument(url) {
  const [did, fragment] = url.split('#', 2);
  const multibase = did.slice(DID_KEY_PREFIX.length);
  // Let Digital Bazaar's own Multikey code read the key: a malformed did:key fails here.
  const key = await Ed25519Multikey.from({
    '@context': MULTIKEY_CONTEXT_V1,
    type: 'Multikey',
    id: `${did}#${multibase}`,
    controller: did,
    publicKeyMultibase: multibase
  });
  const method = await key.export({publicKey: true, includeContext: true});
  if(fragment !== undefined) {
    if(fragment !== multibase) {
      throw new Error(`${url} names no verification method of its did:key`);
    }
    return method;
  }
  const {'@context': _ignored, ...embedded} = method;
  return {
    '@context': [DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1],
    id: did,
    verificationMethod: [embedded],
    authentication: [method.id],
    assertionMethod: [method.id],
    capabilityDelegation: [method.id],
    capabilityInvocation: [method.id]
  };
}

function staticDocumentLoader(requested) {
  const contexts = pinnedContexts();
  return async url => {
    requested.push(url);
    if(contexts.has(url)) {
      // A fresh parse each time: jsonld.js may change what it is handed.
      return {contextUrl: null, documentUrl: url, document: JSON.parse(contexts.get(url))};
    }
    if(typeof url === 'string' && url.startsWith(DID_KEY_PREFIX)) {
      return {contextUrl: null, documentUrl: url, document: await didKeyDocument(url)};
    }
    throw new Error(`static document loader: ${url} is not allowed (offline, pinned only)`);
  };
}

// -- sign -----------------------------------------------------------------------------------

async function signingKey(request) {
  const {secretKeyMultibase, seedHex, publicKeyMultibase, verificationMethod} = request;
  if(typeof verificationMethod !== 'string' || !verificationMethod.includes('#')) {
    throw new RequestError('"verificationMethod" must be a DID URL with a fragment');
  }
  const controller = verificationMethod.split('#')[0];
  let seed;
  if(typeof seedHex === 'string') {
    if(!/^[0-9a-fA-F]{64}$/.test(seedHex)) {
      throw new RequestError('"seedHex" must be 32 bytes in hex');
    }
    seed = Uint8Array.from(Buffer.from(seedHex, 'hex'));
  } else if(typeof secretKeyMultibase === 'string') {
    if(typeof publicKeyMultibase !== 'string') {
      throw new RequestError('"secretKeyMultibase" needs "publicKeyMultibase" beside it');
    }
    const imported = await Ed25519Multikey.from({publicKeyMultibase, secretKeyMultibase});
    const {secretKey, publicKey} = await imported.export(
      {publicKey: true, secretKey: true, raw: true});
    // 32 bytes is the Multikey form; 64 (seed, then public key) is what the Open Badges
    // implementation guide prints, accepted only when its second half is the public key.
    if(secretKey.length === 64 &&
      Buffer.from(secretKey.subarray(32)).equals(Buffer.from(publicKey))) {
      seed = secretKey.slice(0, 32);
    } else if(secretKey.length === 32) {
      seed = secretKey;
    } else {
      throw new RequestError('"secretKeyMultibase" is neither a seed nor seed and public key');
    }
  } else {
    throw new RequestError('give "secretKeyMultibase" or "seedHex"');
  }
  const key = await Ed25519Multikey.generate({seed, id: verificationMethod, controller});
  if(publicKeyMultibase !== undefined && key.publicKeyMultibase !== publicKeyMultibase) {
    throw new RequestError(
      `the secret key's public key is ${key.publicKeyMultibase}, not ${publicKeyMultibase}`);
  }
  return key;
}

async function sign(request) {
  const {credential, suite: suiteName, created} = request;
  if(!credential || typeof credential !== 'object') {
    throw new RequestError('"credential" must be a JSON object');
  }
  if(!SUITES.has(suiteName)) {
    throw new RequestError(`"suite" must be one of ${[...SUITES].join(', ')}`);
  }
  const key = await signingKey(request);
  const signer = key.signer();
  const suite = suiteName === 'eddsa-rdfc-2022' ?
    new DataIntegrityProof({signer, date: created, cryptosuite: eddsaRdfc2022}) :
    new Ed25519Signature2020({signer, date: created});
  const requested = [];
  return vc.issue({
    credential: structuredClone(credential),
    suite,
    documentLoader: staticDocumentLoader(requested)
  });
}

// Many documents in one process: loading the libraries costs far more than signing.
async function signAll(request) {
  const {requests} = request;
  if(!Array.isArray(requests)) {
    throw new RequestError('"requests" must be an array of sign requests');
  }
  const signed = [];
  for(const each of requests) {
    signed.push(await sign(each));
  }
  return signed;
}

// -- verify ---------------------------------------------------------------------------------

function describe(error) {
  if(!error) {
    return null;
  }
  const nested = Array.isArray(error.errors) ? error.errors.map(describe) : [];
  const message = error.message || String(error);
  return nested.length ? `${message}: ${nested.join('; ')}` : message;
}

async function verify(request) {
  const {credential, now} = request;
  if(!credential || typeof credential !== 'object') {
    throw new RequestError('"credential" must be a JSON object');
  }
  const requested = [];
  const result = await vc.verifyCredential({
    credential,
    suite: [new DataIntegrityProof({cryptosuite: eddsaRdfc2022}), new Ed25519Signature2020()],
    documentLoader: staticDocumentLoader(requested),
    ...(now === undefined ? {} : {now})
  });
  return {
    verified: result.verified === true,
    error: describe(result.error),
    results: (result.results || []).map(entry => ({
      verified: entry.verified === true,
      proofType: entry.proof?.type ?? null,
      cryptosuite: entry.proof?.cryptosuite ?? null,
      verificationMethod: entry.verificationMethod?.id ?? entry.proof?.verificationMethod ?? null,
      error: describe(entry.error) ?? describe(entry.purposeResult?.error)
    })),
    loadedUrls: [...new Set(requested)]
  };
}

// -- main -----------------------------------------------------------------------------------

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch(error) {
    throw new RequestError(`standard input is not JSON: ${error.message}`);
  }
}

const COMMANDS = {sign, 'sign-all': signAll, verify};

async function main(argv) {
  const command = COMMANDS[argv[2]];
  if(argv.length !== 3 || !command) {
    throw new RequestError(`usage: node interop.mjs ${Object.keys(COMMANDS).join('|')} < request`);
  }
  const request = await readStdin();
  if(!request || typeof request !== 'object' || Array.isArray(request)) {
    throw new RequestError('the request must be a JSON object');
  }
  process.stdout.write(JSON.stringify(await command(request)) + '\n');
}

main(process.argv).catch(error => {
  const text = error instanceof RequestError ?
    `bad request: ${error.message}` : `unexpected error: ${error?.stack || error}`;
  process.stderr.write(`interop.mjs: ${text}\n`);
  process.exitCode = 2;
});
