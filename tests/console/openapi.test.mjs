// docs/openapi.yaml against the real thing: the document lints clean with Redocly's OpenAPI linter
// (npm @redocly/cli, rules in redocly.yaml), GET /openapi.json serves it, and every operation's
// example request is sent to a real server on loopback and its answer is checked against the schema
// the document gives for that status (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it).
// An example value "$name" stands for a resource made here first (the document's info says which).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {startServer} from './server.mjs';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const src = process.env.SR_SOURCE_DIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let srv, doc;
const vars = {};
// A 1x1 PNG, the example upload.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

before(async () => {
  srv = await startServer();
  const r = await fetch(srv.base + '/openapi.json');
  assert.equal(r.status, 200);
  doc = await r.json();
  vars.apiKey = srv.key;
  // the resources the examples name
  const sb = {videoName: 'openapi', saveProject: true,
              scenes: [{story: 'A scene for the examples.', elements: [{type: 'text', text: 'Title', position: 'center'}]}]};
  const prev = await srv.api('POST', '/v2/video/storyboard', sb);
  const pj = await srv.waitJob(prev.body.data.jobId);
  assert.equal(pj.data.status, 'completed', JSON.stringify(pj));
  vars.previewJobId = pj.job_id;
  vars.projectId = pj.data.projectId;
  const text = (pj.data.renderParams.elements || []).find((e) => e.elementType === 'textElement' || e.type === 'text');
  assert.ok(text, 'the preview has a text element');
  vars.textElementId = text.id;
  const rj = await srv.api('POST', '/v2/video/render', {renderParams: {version: 1,
    output: {width: 320, height: 180, fps: 30, duration: 1}, sceneMarkers: [{sceneIndex: 0, startTime: 0, duration: 1}],
    elements: [], subtitles: []}});
  const done = await srv.waitJob(rj.body.data.jobId);
  assert.equal(done.data.status, 'completed', JSON.stringify(done));
  vars.renderJobId = done.job_id;
  [vars.fileDir, vars.fileName] = new URL(done.data.videoURL).pathname.split('/').slice(2);
  const tpl = await srv.api('POST', '/v1/templates', {name: 't', storyboard: {scenes: [{story: 'Hi {{who}}.'}]}});
  vars.templateId = tpl.body.data.id;
  const up = await srv.api('POST', '/v1/media/generateurl', {fileName: 'x.png', contentType: 'image/png'});
  const su = new URL(up.body.data.signedUrl);
  vars.uploadId = su.pathname.split('/').pop();
  vars.uploadExpires = su.searchParams.get('expires');
  vars.uploadSignature = su.searchParams.get('signature');
});

after(() => srv && srv.stop());

test('docs/openapi.yaml lints clean with Redocly', () => {
  const out = execFileSync(path.join(src, 'node_modules/.bin/redocly'),
                           ['lint', '--config', path.join(src, 'redocly.yaml'), '--format', 'json', path.join(src, 'docs/openapi.yaml')],
                           {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
                            env: {...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true'}});
  const res = JSON.parse(out);
  assert.deepEqual(res.problems.map((p) => `${p.ruleId} ${p.location[0].pointer}: ${p.message}`), []);
});

// "$name" → vars.name, recursively.
const subst = (v) => {
  if (typeof v === 'string' && v.startsWith('$') && v.slice(1) in vars) return vars[v.slice(1)];
  if (Array.isArray(v)) return v.map(subst);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, subst(x)]));
  return v;
};

const deref = (o) => {
  while (o && o.$ref) o = o.$ref.slice(2).split('/').reduce((a, k) => a[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  return o;
};

test('every example request answers as the document says', async () => {
  const ajv = new Ajv2020({strict: false, allErrors: true});
  ajv.addSchema({...doc, $id: 'openapi.json'});
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths))
    for (const m of ['get', 'put', 'post', 'delete', 'head'])
      if (item[m]) ops.push({p, m, item, op: item[m]});
  ops.sort((a, b) => Boolean(a.op['x-storyreel-example-last']) - Boolean(b.op['x-storyreel-example-last']));
  const failures = [];
  for (const {p, m, item, op} of ops) {
    const params = [...(item.parameters || []), ...(op.parameters || [])].map(deref);
    let url = p;
    const q = new URLSearchParams();
    const headers = {};
    for (const prm of params) {
      if (prm.example === undefined) continue;
      const v = String(subst(prm.example));
      if (prm.in === 'path') url = url.replace(`{${prm.name}}`, encodeURIComponent(v));
      else if (prm.in === 'query') q.set(prm.name, v);
      else if (prm.in === 'header') headers[prm.name] = v;
    }
    const server = (item.servers || doc.servers)[0].url.replace(/\/$/, '');
    const full = srv.base + server + url + (q.size ? '?' + q : '');
    const auth = op.security && op.security.length === 0 ? {} : {Authorization: srv.key};
    let body;
    const rb = op.requestBody && deref(op.requestBody);
    if (rb) {
      const [ctype, media] = Object.entries(rb.content)[0];
      headers['Content-Type'] = ctype;
      if (media.example === '$uploadBytes') body = PNG;
      else if (media.example !== undefined) body = JSON.stringify(subst(media.example));
    }
    const r = await fetch(full, {method: m.toUpperCase(), headers: {...auth, ...headers}, body});
    const want = String(op['x-storyreel-example-status'] || '');
    const status = String(r.status);
    const text = m === 'head' ? '' : await r.text();
    const label = `${m.toUpperCase()} ${p} → ${status}`;
    const resp = op.responses[status] && deref(op.responses[status]);
    if (want ? status !== want : !status.startsWith('2')) { failures.push(`${label}: not the example's answer: ${text.slice(0, 200)}`); continue; }
    if (!resp) { failures.push(`${label}: status not documented`); continue; }
    const json = resp.content && resp.content['application/json'];
    if (!json || !json.schema) continue;
    let parsed;
    try { parsed = JSON.parse(text); } catch (e) { failures.push(`${label}: not JSON`); continue; }
    const ptr = `openapi.json#/paths/${p.replace(/~/g, '~0').replace(/\//g, '~1')}/${m}/responses/${status}`;
    const schemaRef = op.responses[status].$ref ? op.responses[status].$ref.replace('#', 'openapi.json#') : ptr;
    const validate = ajv.getSchema(`${schemaRef}/content/application~1json/schema`);
    if (!validate(parsed)) failures.push(`${label}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 200)}`);
  }
  assert.deepEqual(failures, []);
  assert.ok(ops.length > 30, `only ${ops.length} operations`);
});
