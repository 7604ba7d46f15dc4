// A real `storyreel serve` on a free loopback port with a fresh data folder and one API key, for the
// node tests of this folder (SR_BINARY names the binary). Fails, never skips, when it cannot start.
import {spawn, execFileSync} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  s.on('error', reject);
});

export async function startServer(extraArgs = []) {
  const bin = process.env.SR_BINARY;
  if (!bin) throw new Error('SR_BINARY is not set');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storyreel-node-'));
  const data = path.join(dir, 'data');
  const key = JSON.parse(execFileSync(bin, ['keys', 'create', '--data', data, '--name', 'node', '--json'])).key;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logPath = path.join(dir, 'server.log');
  const log = fs.openSync(logPath, 'a');
  const proc = spawn(bin, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--workers', '1', ...extraArgs],
                     {stdio: ['ignore', log, log]});
  for (let i = 0; ; i++) {
    try { if ((await fetch(base + '/healthz')).ok) break; } catch (e) { /* not up yet */ }
    if (i > 100 || proc.exitCode !== null) throw new Error('the server did not start: ' + fs.readFileSync(logPath, 'utf8'));
    await sleep(100);
  }
  // One API call: {status, body (parsed JSON or null), headers}.
  const api = async (method, p, body) => {
    const r = await fetch(base + '/pictoryapis' + p, {method, headers: {Authorization: key, 'Content-Type': 'application/json'},
                                                      body: body === undefined ? undefined : JSON.stringify(body)});
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    return {status: r.status, body: json, headers: r.headers};
  };
  // Polls a job until it ends; its JSON.
  const waitJob = async (id, seconds = 120) => {
    for (let i = 0; i < seconds * 10; i++) {
      const j = (await api('GET', '/v1/jobs/' + id)).body;
      if (j && j.data && (j.data.status === 'completed' || j.data.status === 'failed')) return j;
      await sleep(100);
    }
    throw new Error(`job ${id} did not end`);
  };
  const stop = () => { proc.kill('SIGTERM'); fs.rmSync(dir, {recursive: true, force: true}); };
  return {base, key, dir, api, waitJob, stop};
}
