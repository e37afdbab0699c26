// The independent side of berth's ASAP interop tests: npm jose and
// Atlassian's jwt-authentication, driven by a JSON request on stdin (so no
// key or token ever sits in argv). Prints one JSON line.
//
//   node asap_peer.mjs jose-verify        {token, publicKeyPem, audience, alg?}
//   node asap_peer.mjs atlassian-validate {token, publicKeyBaseUrl, audience, authorizedSubjects}
//   node asap_peer.mjs jose-sign          {privateKeyPem, alg, header, claims}
//   node asap_peer.mjs atlassian-sign     {privateKey, kid, claims, expiresInSeconds?, iat?, notBefore?}
//   node asap_peer.mjs batch              [{command, request}, ...]  -> [answer, ...] (one node start for many)
//
// Exit 0 with {"ok": true, ...}, 1 with {"ok": false, "error": "..."} when the
// library rejects, 2 for a broken request.
import { createRequire } from 'node:module';
import * as jose from 'jose';

const require = createRequire(import.meta.url);
// Loaded on first use: it takes a quarter of a second to require.
let jwtAuthenticationModule;
function jwtAuthentication() {
  jwtAuthenticationModule ??= require('jwt-authentication');
  return jwtAuthenticationModule;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function callback(fn) {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));
}

const commands = {
  async 'jose-verify'(request) {
    const alg = request.alg || 'RS256';
    const key = await jose.importSPKI(request.publicKeyPem, alg);
    const { payload, protectedHeader } = await jose.jwtVerify(request.token, key, { audience: request.audience, algorithms: [alg] });
    return { payload, header: protectedHeader };
  },
  async 'atlassian-validate'(request) {
    const validator = jwtAuthentication().server.create({
      publicKeyBaseUrl: request.publicKeyBaseUrl,
      resourceServerAudience: request.audience,
    });
    const claims = await callback((done) => validator.validate(request.token, request.authorizedSubjects, done));
    return { payload: claims };
  },
  async 'jose-sign'(request) {
    const alg = request.alg || 'RS256';
    const key = await jose.importPKCS8(request.privateKeyPem, alg);
    const token = await new jose.SignJWT(request.claims).setProtectedHeader({ ...request.header, alg }).sign(key);
    return { token };
  },
  async 'atlassian-sign'(request) {
    const generator = jwtAuthentication().client.create();
    const options = { privateKey: request.privateKey, kid: request.kid, expiresInSeconds: request.expiresInSeconds };
    if (request.iat !== undefined) options.iat = request.iat;
    if (request.notBefore !== undefined) options.notBefore = request.notBefore;
    const token = await callback((done) => generator.generateToken(request.claims, options, done));
    return { token };
  },
};

async function answer(command, request) {
  try {
    return { ok: true, ...(await commands[command](request)) };
  } catch (error) {
    return { ok: false, error: `${error.code ? error.code + ': ' : ''}${error.message}` };
  }
}

commands.batch = async (requests) => ({
  answers: await Promise.all(requests.map((item) => (commands[item.command] ? answer(item.command, item.request)
                                                                               : { ok: false, error: `unknown command ${item.command}` }))),
});

const command = commands[process.argv[2]];
if (!command) {
  console.log(JSON.stringify({ ok: false, error: `unknown command ${process.argv[2]}` }));
  process.exit(2);
}
let request;
try {
  request = await readStdin();
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: `bad request: ${error.message}` }));
  process.exit(2);
}
const result = await answer(process.argv[2], request);
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
