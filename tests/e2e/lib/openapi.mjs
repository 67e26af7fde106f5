// Checks answers against the OpenAPI document (build/openapi.json, made
// from docs/openapi.yaml by `make all`): every JSON or problem answer must
// match the schema of its path, method, status and content type, and every
// answer's status must be one the document lists for the operation. The
// e2e helpers call checkAnswer() on each answer, so the whole suite holds
// the document to what the server really says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

let state;

function load(repoRoot) {
  const file = join(repoRoot, 'build/openapi.json');
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file} (make all writes it): ${e.message}`);
  }
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  // the document's schemas under one id, so "#/components/schemas/X" refs resolve
  ajv.addSchema(rebase({ $id: 'oa', $defs: doc.components.schemas }), 'oa');
  const paths = Object.keys(doc.paths).map((p) => ({
    path: p,
    re: new RegExp('^' + p.split('/').map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/') + '$'),
    literal: p.split('/').filter((s) => !s.startsWith('{')).length,
  }));
  return { doc, ajv, paths, compiled: new Map() };
}

/** The document-level object at `ref` ("#/components/responses/X"). */
function deref(doc, obj) {
  for (let i = 0; obj && obj.$ref && i < 8; i++) {
    obj = obj.$ref.slice(2).split('/').reduce((o, k) => o && o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return obj;
}

/** Rewrites schema refs into the 'oa' schema's $defs. */
function rebase(schema) {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"oa#/$defs/'));
}

/** The documented path an actual request path falls under: the most literal match. */
function findPath(paths, raw) {
  let path = raw.split('?')[0];
  try {
    path = decodeURIComponent(path);
  } catch {
    /* the router then sees it undecoded too: no match */
  }
  let best;
  for (const p of paths) if (p.re.test(path) && (!best || p.literal > best.literal)) best = p;
  return best;
}

/** Throws when the answer (status, content type, parsed body) to `method
 *  path` is not what docs/openapi.yaml says. A path the document does not
 *  have may only be answered 404 (or 400 bad-path); a method it does not
 *  list for a path, only 405. `requestHeaders` (the request's, any case)
 *  tell a CORS preflight and X-HTTP-Method-Override apart. */
export function checkAnswer(repoRoot, method, rawPath, status, contentType, json, requestHeaders = {}) {
  state ??= load(repoRoot);
  const { doc, ajv, paths } = state;
  const sent = (name) => Object.entries(requestHeaders).find(([k]) => k.toLowerCase() === name)?.[1];
  const where = `${method} ${rawPath} → ${status}`;
  const isProblem = /^application\/problem\+json/.test(contentType || '');
  const isJson = /^application\/json/.test(contentType || '');
  // like the server: an encoded '/' or NUL in the path is refused before routing
  const rawOnly = rawPath.split('?')[0];
  const found = /%00|%2f/i.test(rawOnly) ? undefined : findPath(paths, rawPath);
  const problemSchema = () => validate(`#/components/schemas/Problem`, { $ref: '#/components/schemas/Problem' });
  const validate = (key, schema) => {
    let v = state.compiled.get(key);
    if (!v) state.compiled.set(key, (v = ajv.compile(rebase(schema))));
    return v;
  };
  const fail = (why) => {
    throw new Error(`${where} does not match docs/openapi.yaml: ${why}\nbody: ${JSON.stringify(json)?.slice(0, 600)}`);
  };
  // A CORS preflight (OPTIONS with Access-Control-Request-Method on an /api
  // or /media path) is answered by the CORS layer (src/http/cors.c) before
  // routing, for every such path, so it is no operation of the document (its
  // info.description says how it is answered): 204, or a 403 cors-origin or
  // 404 not-found problem, is all that is checked.
  if (method === 'OPTIONS' && sent('access-control-request-method') !== undefined && /^\/(api|media)\//.test(rawOnly)) {
    if (status === 204) return;
    if ((status !== 403 && status !== 404) || !isProblem) fail('a preflight gets 204, or a 403 or 404 problem');
    const v = problemSchema();
    if (!v(json)) fail(ajv.errorsText(v.errors));
    return;
  }
  // a POST with X-HTTP-Method-Override is served as the method it names on
  // the paths the document marks (the tus routes); the name is compared
  // exactly, as the router does ("patch" is no method of theirs)
  const override = sent('x-http-method-override');
  if (method === 'POST' && override && found && doc.paths[found.path]['x-casereel-method-override']) method = override;
  const opOf = (p) => method !== method.toUpperCase() && override === method ? undefined
    : doc.paths[p][method.toLowerCase()] ?? (method === 'HEAD' ? doc.paths[p].get : undefined);
  if (!found || !opOf(found.path)) {
    const allowed = !found ? status === 404 || status === 400 : status === 405;
    if (!allowed) fail(!found ? 'no such path in the document' : `the document has no ${method} for ${found.path}`);
    if (!isProblem) fail('an unrouted request must get a problem');
    const v = problemSchema();
    if (!v(json)) fail(ajv.errorsText(v.errors));
    return;
  }
  const op = opOf(found.path);
  const response = deref(doc, op.responses?.[String(status)]);
  if (!response) fail(`status ${status} is not documented for ${method} ${found.path}`);
  if (method === 'HEAD') return; // the status is documented; a HEAD answer has no body
  if (!isJson && !isProblem) {
    // media, HTML, CSV, text: the status is what is checked, and that the document expects no JSON
    const types = Object.keys(response.content ?? {});
    if (types.length && types.every((t) => /json$/.test(t))) fail(`the document says ${types.join(', ')}, the answer is ${contentType || 'empty'}`);
    return;
  }
  const media = response.content?.[isProblem ? 'application/problem+json' : 'application/json'];
  if (!media || !media.schema) fail(`no ${isProblem ? 'problem' : 'JSON'} content documented for ${status}`);
  const v = validate(`${method} ${found.path} ${status} ${isProblem}`, media.schema);
  if (!v(json)) fail(ajv.errorsText(v.errors, { separator: '; ' }));
}

