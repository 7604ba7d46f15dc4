// The console in a real browser: Debian's chromium driven by puppeteer-core against a real
// `storyreel serve` on loopback. Run by ctest (tests/tests.cmake) with SR_BINARY and SR_BUILD_DIR set;
// screenshots of each step go to $SR_BUILD_DIR/console-shots/. Never skips: a missing browser fails.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import {startServer, sleep} from './server.mjs';

const shots = path.join(process.env.SR_BUILD_DIR || '.', 'console-shots');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
let srv, base, key, api, browser, page;
const pageErrors = [];
const shot = (name) => page.screenshot({path: path.join(shots, name + '.png'), fullPage: true});

before(async () => {
  assert.ok(fs.existsSync(browserPath), `no browser at ${browserPath} (scripts/install-deps installs chromium)`);
  fs.mkdirSync(shots, {recursive: true});
  srv = await startServer();
  ({base, key, api} = srv);
  browser = await puppeteer.launch({executablePath: browserPath, headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-gpu']});
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'the console threw in the page');
  if (browser) await browser.close();
  if (srv) srv.stop();
});

// A fresh browser context (empty session storage) with the console open, signing in with k.
let context;
const openConsole = async () => {
  if (context) await context.close();
  context = await browser.createBrowserContext();
  page = await context.newPage();
  await page.setViewport({width: 1200, height: 900});
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(base + '/console', {waitUntil: 'load'});
};
const signIn = async (k) => {
  await openConsole();
  await page.type('#apikey', k);
  await page.click('#signin-form button[type=submit]');
};

test('a wrong key is refused on the sign-in form', async () => {
  await signIn('pictai_' + '0'.repeat(48));
  await page.waitForSelector('#signin-error:not([hidden])', {timeout: 10000});
  const msg = await page.$eval('#signin-error', (e) => e.textContent);
  assert.match(msg, /401/);
  assert.equal(await page.$eval('#nav', (e) => e.hidden), true);
  await shot('01-wrong-key');
});

test('sign in, write two scenes, preview them, render, watch, download the SRT', async () => {
  await signIn(key);
  await page.waitForSelector('#nav:not([hidden])', {timeout: 10000});
  assert.equal(await page.evaluate(() => sessionStorage.getItem('storyreel.key')), key);
  await page.waitForFunction(() => document.querySelectorAll('#f-voice option').length > 0, {timeout: 10000});
  await page.$eval('#f-script', (e) => { e.value = ''; });
  await page.type('#f-script', 'The first scene says hello.\n\nThe second scene waves goodbye.');
  await page.$eval('#f-name', (e) => { e.value = 'console test'; });
  assert.equal(await page.$$eval('#f-scenes .scene', (s) => s.length), 2);
  await shot('02-write');

  await page.click('#btn-preview');
  await page.waitForFunction(() => document.querySelectorAll('#strip li').length === 2 &&
                             !document.querySelector('#btn-render').disabled, {timeout: 60000});
  const durations = await page.$$eval('#strip .dur', (d) => d.map((x) => parseFloat(x.textContent)));
  assert.ok(durations.every((d) => d > 0.5), `scene durations ${durations}`);
  const cues = await page.$$eval('#cues li', (l) => l.map((x) => x.textContent).join(' '));
  assert.match(cues, /first scene/);
  assert.match(cues, /waves goodbye/);
  await shot('03-preview');

  await page.click('#btn-render');
  // progress moves: the bar's value is seen between 0 and 100, or the stage text changes
  const seen = new Set();
  for (let i = 0; i < 600; i++) {
    seen.add(await page.$eval('#bar', (b) => b.getAttribute('aria-valuenow')));
    if (await page.$('#downloads a[data-kind=srt]')) break;
    await sleep(100);
  }
  assert.ok(await page.$('#downloads a[data-kind=srt]'), 'the render did not complete: ' +
            await page.$eval('#render', (e) => e.textContent));
  assert.ok(seen.size >= 2, `progress never moved: ${[...seen]}`);
  const playing = await page.waitForFunction(() => document.querySelector('#player').currentTime > 0.3, {timeout: 20000})
    .then(() => true, () => false);
  assert.ok(playing, 'the video does not play: ' + await page.$eval('#player', (v) =>
    JSON.stringify({src: v.currentSrc, t: v.currentTime, ready: v.readyState, net: v.networkState, paused: v.paused,
                    err: v.error && v.error.message})));
  // the player streams the job's HLS (hlsURL, through hls.js), which plays while the render runs
  assert.match(await page.$eval('#player', (v) => v.dataset.src || ''), /\/index\.m3u8$/);
  await shot('04-rendered');
  const links = await page.$$eval('#downloads a', (as) => as.map((a) => a.dataset.kind));
  for (const k of ['mp4', 'srt', 'vtt', 'txt', 'jpg', 'mp3']) assert.ok(links.includes(k), `no ${k} link in ${links}`);
  const srt = await page.$eval('#downloads a[data-kind=srt]', async (a) => (await fetch(a.href)).text());
  assert.match(srt, /00:00:0\d,\d{3} --> /);
  assert.match(srt, /first scene/);
});

test('a bad field shows its error at the field', async () => {
  await signIn(key);
  await page.waitForSelector('#nav:not([hidden])', {timeout: 10000});
  await page.$eval('#f-name', (e) => { e.value = ''; });
  await page.click('#btn-preview');
  await page.waitForSelector('.field-error[data-for=videoName]', {timeout: 10000});
  const next = await page.$eval('.field-error[data-for=videoName]', (e) => e.previousElementSibling.id);
  assert.equal(next, 'f-name');
  assert.equal(await page.$eval('#f-name', (e) => e.getAttribute('aria-invalid')), 'true');
  await shot('05-field-error');

  await page.click('#mode-json');
  await page.$eval('#sb-json', (e) => {
    e.value = JSON.stringify({videoName: 'x', aspectRatio: '7:3', scenes: [{story: 'Hi.'}]});
  });
  await page.click('#btn-preview');
  await page.waitForSelector('.field-error', {timeout: 30000});
  const msg = await page.$eval('.field-error', (e) => e.textContent);
  assert.match(msg, /aspectRatio/);
  await shot('06-json-field-error');
});

test('a failed render shows its error code and message', async () => {
  const rp = {version: 1, output: {width: 320, height: 180, fps: 30, duration: 1},
              sceneMarkers: [{sceneIndex: 0, startTime: 0, duration: 1}],
              elements: [{id: 'b', elementType: 'backgroundElement', type: 'image', sceneIndex: 0, startTime: 0,
                          duration: 1, url: '/no/such/picture.png'}], subtitles: []};
  const r = await api('POST', '/v2/video/render', {renderParams: rp});
  assert.equal(r.status, 200);
  await signIn(key);
  await page.waitForSelector('#nav:not([hidden])', {timeout: 10000});
  await page.evaluate((id) => { location.hash = 'job=' + id; }, r.body.data.jobId);
  await page.waitForSelector('#render-error:not([hidden])', {timeout: 30000});
  const msg = await page.$eval('#render-error', (e) => e.textContent);
  assert.match(msg, /^MEDIA_[A-Z_]+: .*picture\.png/);
  await shot('07-failed-render');
});

test('a preview job links to the console view of it', async () => {
  const r = await api('POST', '/v2/video/storyboard', {videoName: 'linked', scenes: [{story: 'One scene only.'}]});
  const id = r.body.data.jobId;
  const job = await srv.waitJob(id);
  assert.equal(job.data.status, 'completed');
  assert.equal(job.data.preview, `${base}/console#preview=${id}`);
  await page.goto(job.data.preview, {waitUntil: 'load'});
  await page.waitForFunction(() => document.querySelectorAll('#strip li').length === 1, {timeout: 20000});
  await shot('08-preview-link');
});
