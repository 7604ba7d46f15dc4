/* storyreel console: a plain page over the Pictory-shaped API (docs/api.md).
 * No build step, no network beyond this server: hls.js is served from /console/vendor. */
'use strict';

const API = '/pictoryapis';
const POLL_MS = 500;
const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};

const state = {key: sessionStorage.getItem('storyreel.key') || '', previewJob: null, renderJob: null,
               hls: null, polling: 0, voices: []};

/* One API call: {status, body} (body: parsed JSON or null). Never throws on HTTP errors. */
async function call(method, path, body) {
  const opts = {method, headers: {Authorization: state.key}};
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(API + path, opts);
  } catch (e) {
    return {status: 0, body: {message: 'the server cannot be reached: ' + e.message}};
  }
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = {message: text}; }
  if (r.status === 401 && state.key) signOut('Your key is no longer accepted (401). Sign in again.');
  return {status: r.status, body: json};
}
const dataOf = (b) => (b && b.data !== undefined ? b.data : b);
const listOf = (b) => { const d = dataOf(b); return Array.isArray(d) ? d : (d && (d.items || d.searchResults)) || []; };

/* ------------------------------------------------------------ navigation */

function show(view) {
  for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== 'view-' + view;
  for (const b of document.querySelectorAll('#nav [data-view]'))
    b.toggleAttribute('aria-current', b.dataset.view === view);
  const loaders = {jobs: loadJobs, projects: loadProjects, templates: loadTemplates, brands: loadBrands,
                   voices: loadVoiceList};
  if (loaders[view]) loaders[view]();
}

function signOut(msg) {
  state.key = '';
  sessionStorage.removeItem('storyreel.key');
  $('#nav').hidden = true;
  show('signin');
  const e = $('#signin-error');
  e.hidden = !msg;
  e.textContent = msg || '';
}

async function signIn(k) {
  state.key = k.trim();
  const r = await call('GET', '/v1/jobs');
  if (r.status !== 200) {
    const why = r.status === 401 ? 'That key was not accepted (401 Unauthorized).' : (r.body && r.body.message) || 'error ' + r.status;
    signOut(why);
    return false;
  }
  sessionStorage.setItem('storyreel.key', state.key);
  $('#nav').hidden = false;
  $('#signin-error').hidden = true;
  show('write');
  loadVoices();
  loadStyles();
  openFromHash();
  return true;
}

/* #preview=ID (a preview job's data.preview link) or #job=ID (watch a render job). */
function openFromHash() {
  const m = location.hash.match(/^#(preview|job)=([\w-]+)/);
  if (!m || !state.key) return;
  show('write');
  if (m[1] === 'preview') openPreview(m[2]); else watch(m[2]);
}
window.addEventListener('hashchange', openFromHash);

/* --------------------------------------------------------------- writing */

function paragraphs() {
  return $('#f-script').value.split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean);
}

/* One row per scene (its visual), keeping what was typed when the script changes. */
function syncScenes() {
  const box = $('#f-scenes');
  const old = [...box.querySelectorAll('input')].map((i) => i.value);
  box.replaceChildren();
  paragraphs().forEach((p, i) => {
    const input = el('input', {'data-field': `scenes[${i}].background.visualUrl`, id: `f-visual-${i}`,
                               placeholder: 'visual URL (empty: picked for you)'});
    input.value = old[i] || '';
    box.append(el('div', {class: 'scene'}, el('span', {class: 'n', text: `Scene ${i + 1}`}),
                  el('span', {class: 'story', text: p.length > 90 ? p.slice(0, 87) + '…' : p}),
                  el('label', {}, 'Visual ', input)));
  });
}

const guessType = (url) => (/\.(mp4|mov|webm|mkv|m4v)(\?|$)/i.test(url) ? 'video' : 'image');

function storyboardFromForm() {
  const sb = {videoName: $('#f-name').value, aspectRatio: $('#f-aspect').value, saveProject: true,
              voiceOver: {enabled: true, aiVoices: [{speaker: $('#f-voice').value || 'en-us', speed: 100}]},
              scenes: []};
  paragraphs().forEach((story, i) => {
    const sc = {story, createSceneOnEndOfSentence: false};
    const v = ($(`#f-visual-${i}`) || {}).value;
    if (v) sc.background = {visualUrl: v, type: guessType(v)};
    if (i) sc.sceneTransition = 'fade';
    sb.scenes.push(sc);
  });
  if ($('#f-music').value)
    sb.backgroundMusic = {enabled: true, musicUrl: $('#f-music').value, volume: Number($('#f-music-vol').value)};
  if ($('#f-logo').value) sb.logo = {url: $('#f-logo').value, position: 'top-right', width: '12%'};
  if ($('#f-style').value) sb.subtitleStyleName = $('#f-style').value;
  return sb;
}

function jsonMode() { return !$('#sb-json-wrap').hidden; }

function setMode(json) {
  if (json) $('#sb-json').value = JSON.stringify(storyboardFromForm(), null, 2);
  $('#sb-json-wrap').hidden = !json;
  $('#sb-form').hidden = json;
  $('#mode-json').setAttribute('aria-selected', String(json));
  $('#mode-form').setAttribute('aria-selected', String(!json));
}

/* The storyboard to send, or null with the JSON syntax error shown at the field. */
function currentStoryboard() {
  if (!jsonMode()) return storyboardFromForm();
  try {
    return JSON.parse($('#sb-json').value);
  } catch (e) {
    showFieldErrors([{name: 'body', errors: 'not valid JSON: ' + e.message}]);
    return null;
  }
}

function clearFieldErrors() {
  for (const e of document.querySelectorAll('.field-error')) e.remove();
  for (const e of document.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  $('#field-errors').hidden = true;
}

/* scenes[0].background → scenes[0] → scenes → '' */
function parentField(n) {
  const p = n.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
  return p === n ? '' : p;
}

/* Shows each {name, errors} next to the control whose data-field is that name (or its nearest
 * enclosing field: scenes[0].background.visualUrl → scenes), else in the list under the editor. */
function showFieldErrors(fields) {
  clearFieldErrors();
  const rest = [];
  for (const f of fields) {
    let name = f.name || 'body', target = null;
    if (jsonMode()) target = $('#sb-json');
    while (!target && name) {
      target = document.querySelector(`[data-field="${CSS.escape(name)}"]`);
      if (!target) name = parentField(name);
    }
    const msg = String(f.errors).includes(f.name) ? String(f.errors) : `${f.name}: ${f.errors}`;
    if (target && !target.closest('[hidden]')) {
      target.setAttribute('aria-invalid', 'true');
      target.insertAdjacentElement('afterend', el('span', {class: 'field-error', role: 'alert', 'data-for': f.name, text: msg}));
    } else rest.push(msg);
  }
  const box = $('#field-errors');
  box.textContent = rest.join('\n');
  box.hidden = !rest.length;
}

/* A field name at the start of a job's error message ("scenes[1].background.visualUrl: ..."). */
function fieldOfMessage(msg) {
  const m = /^([A-Za-z_][\w]*(?:\[\d+\]|\.[A-Za-z_]\w*)*)[: ]/.exec(msg || '');
  return m ? m[1] : 'body';
}

/* -------------------------------------------------------------- jobs */

function poll(jobId, onUpdate) {
  const token = ++state.polling;
  const tick = async () => {
    if (token !== state.polling) return;
    const r = await call('GET', `/v1/jobs/${encodeURIComponent(jobId)}`);
    const d = dataOf(r.body) || {};
    const done = onUpdate(r, d);
    if (!done && token === state.polling) setTimeout(tick, POLL_MS);
  };
  tick();
}

async function preview() {
  clearFieldErrors();
  const sb = currentStoryboard();
  if (!sb) return;
  $('#btn-render').disabled = true;
  $('#write-status').textContent = 'compiling…';
  const r = await call('POST', '/v2/video/storyboard', sb);
  if (r.status !== 200) {
    $('#write-status').textContent = 'not accepted';
    showFieldErrors((r.body && r.body.fields) || [{name: 'body', errors: (r.body && r.body.message) || 'error ' + r.status}]);
    return;
  }
  openPreview(dataOf(r.body).jobId);
}

function openPreview(jobId) {
  state.previewJob = jobId;
  $('#write-status').textContent = 'compiling…';
  poll(jobId, (r, d) => {
    if (r.status !== 200) { $('#write-status').textContent = (r.body && r.body.message) || 'error'; return true; }
    if (d.status !== 'completed' && d.status !== 'failed') return false; /* queued or rendering */
    if (d.status === 'failed') {
      $('#write-status').textContent = `preview failed: ${d.error_code}`;
      showFieldErrors([{name: fieldOfMessage(d.error_message), errors: `${d.error_code}: ${d.error_message}`}]);
      return true;
    }
    $('#write-status').textContent = 'preview ready';
    drawPreview(d);
    $('#btn-render').disabled = false;
    return true;
  });
}

const fmt = (s) => (Math.round(s * 10) / 10).toFixed(1) + ' s';

function thumbOf(rp, i) {
  const bg = (rp.elements || []).find((e) => e.sceneIndex === i && e.elementType === 'backgroundElement');
  const url = bg && (bg.url || bg.src || bg.visualUrl);
  if (url && /^(https?:|\/files\/)/.test(url) && (bg.type || 'image') === 'image')
    return el('img', {src: url, alt: `scene ${i + 1} visual`, loading: 'lazy'});
  const colours = (bg && (bg.colors || bg.gradient)) || [];
  const box = el('div', {class: 'thumb-fill', role: 'img', 'aria-label': `scene ${i + 1}: ${bg ? bg.type || 'background' : 'no visual'}`});
  if (Array.isArray(colours) && colours.length) box.style.background = `linear-gradient(135deg, ${colours.join(',')})`;
  return box;
}

function drawPreview(d) {
  const rp = d.timeline || d.renderParams || {}; /* a v1 preview: timeline is storyreel's own */
  const scenes = rp.sceneMarkers || [];
  $('#preview').hidden = false;
  $('#preview-summary').textContent = `${scenes.length} scene${scenes.length === 1 ? '' : 's'}, ` +
      `${fmt((rp.output || {}).duration || 0)}, ${(rp.output || {}).width}×${(rp.output || {}).height}`;
  const texts = (rp.subtitles || []);
  $('#strip').replaceChildren(...scenes.map((s, i) => el('li', {class: 'card', 'data-scene': String(i)},
      thumbOf(rp, s.sceneIndex !== undefined ? s.sceneIndex : i),
      el('span', {class: 'dur', text: fmt(s.duration)}),
      el('span', {class: 'txt', text: texts.filter((c) => c.sceneIndex === i).map((c) => c.text).join(' ').slice(0, 120)}))));
  $('#cues').replaceChildren(...texts.map((c) => el('li', {},
      el('time', {text: `${fmt(c.startTime)} → ${fmt(c.endTime)}`}), ' ', c.text)));
  const warn = d.warnings || rp.warnings || [];
  $('#warnings').replaceChildren(...warn.map((w) => el('li', {class: 'warning', text: typeof w === 'string' ? w : JSON.stringify(w)})));
}

async function render() {
  if (!state.previewJob) return;
  const r = await call('PUT', `/v2/video/render/${encodeURIComponent(state.previewJob)}`, {});
  if (r.status !== 200) { showFieldErrors([{name: 'body', errors: (r.body && r.body.message) || 'error ' + r.status}]); return; }
  watch(dataOf(r.body).jobId || dataOf(r.body).job_id);
}

function attachStream(url, isHls) {
  const v = $('#player');
  if (isHls && window.Hls && window.Hls.isSupported()) {
    if (state.hls) state.hls.destroy();
    state.hls = new window.Hls({liveDurationInfinity: false});
    state.hls.loadSource(url);
    state.hls.attachMedia(v);
  } else {
    if (state.hls) { state.hls.destroy(); state.hls = null; }
    v.src = url;
  }
  v.dataset.src = url;
  v.play().catch(() => {});
}

function watch(jobId) {
  state.renderJob = jobId;
  $('#render').hidden = false;
  $('#render-error').hidden = true;
  $('#downloads').replaceChildren();
  $('#btn-cancel').disabled = false;
  const t0 = Date.now();
  let streaming = false;
  poll(jobId, (r, d) => {
    const pct = Math.max(0, Math.min(100, d.renderProgress || 0));
    $('#bar').style.width = pct + '%';
    $('#bar').setAttribute('aria-valuenow', String(pct));
    $('#render-pct').textContent = pct + '%';
    $('#render-stage').textContent = d.renderProgressMessage || (d.renderState || d.status || '').toLowerCase();
    const el_s = (Date.now() - t0) / 1000;
    $('#render-eta').textContent = pct > 0 && pct < 100 ? `ETA ${Math.round(el_s * (100 - pct) / pct)} s` : '';
    if (d.hlsURL && !streaming) { streaming = true; attachStream(d.hlsURL, true); }
    if (d.status !== 'completed' && d.status !== 'failed') return false; /* queued or rendering */
    $('#btn-cancel').disabled = true;
    if (d.status === 'failed') {
      const e = $('#render-error');
      e.hidden = false;
      e.textContent = `${d.error_code}: ${d.error_message}`;
      return true;
    }
    $('#render-stage').textContent = 'completed';
    $('#render-eta').textContent = '';
    if (!streaming && d.videoURL) attachStream(d.videoURL, false);
    const outs = [['MP4', d.videoURL], ['SRT', d.srtFile], ['VTT', d.vttFile], ['TXT', d.txtFile],
                  ['JPG', d.thumbnail], ['MP3', d.audioURL]];
    $('#downloads').replaceChildren(...outs.filter(([, u]) => u).map(([n, u]) =>
        el('li', {}, el('a', {href: u, download: '', 'data-kind': n.toLowerCase(), text: `Download ${n}`}))));
    return true;
  });
}

async function cancel() {
  if (!state.renderJob) return;
  await call('DELETE', `/v1/jobs/${encodeURIComponent(state.renderJob)}`);
}

/* ------------------------------------------------------- voices, styles */

async function loadVoices() {
  const r = await call('GET', '/v1/voiceovers/tracks');
  state.voices = listOf(r.body);
  const sel = $('#f-voice');
  sel.replaceChildren(...state.voices.map((v) => el('option', {value: v.voice || v.id,
      text: `${v.name || v.id} (${[v.language, v.gender, v.engine].filter(Boolean).join(', ')})`})));
  const en = state.voices.findIndex((v) => (v.voice || v.id) === 'en-us');
  if (en >= 0) sel.selectedIndex = en;
}

function playSample() {
  const v = state.voices.find((x) => (x.voice || x.id) === $('#f-voice').value);
  if (!v || !v.sample) return;
  const a = $('#sample-player');
  a.src = v.sample;
  a.play().catch(() => {});
}

async function loadStyles() {
  const r = await call('GET', '/v1/styles');
  const sel = $('#f-style');
  sel.replaceChildren(el('option', {value: '', text: 'default'}),
      ...listOf(r.body).map((s) => el('option', {value: s.name, text: s.name})));
}

async function upload(file) {
  const out = $('#f-upload-result');
  out.textContent = 'uploading…';
  const r = await call('POST', '/v1/media/generateurl', {fileName: file.name, contentType: file.type || 'application/octet-stream'});
  if (r.status !== 200) { out.textContent = (r.body && r.body.message) || 'upload refused'; return; }
  const d = dataOf(r.body);
  const put = await fetch(d.signedUrl, {method: 'PUT', body: file, headers: {'Content-Type': file.type || 'application/octet-stream'}});
  if (!put.ok) { out.textContent = `upload failed (${put.status})`; return; }
  out.replaceChildren('uploaded: ', el('code', {text: d.url}), ' — paste it as a visual, music or logo URL');
}

/* ------------------------------------------------------------ the lists */

let jobsPage = null;
async function loadJobs(more) {
  const r = await call('GET', '/v1/jobs' + (more && jobsPage ? `?nextPageKey=${encodeURIComponent(jobsPage)}` : ''));
  const body = $('#jobs-table tbody');
  if (!more) body.replaceChildren();
  for (const j of (r.body && r.body.items) || []) {
    const d = j.data || {};
    body.append(el('tr', {}, el('td', {}, el('code', {text: j.job_id})), el('td', {text: d.jobType || ''}),
        el('td', {text: d.status === 'failed' ? `failed: ${d.error_code}` : d.status}),
        el('td', {text: (d.renderProgress || 0) + '%'}),
        el('td', {}, d.videoURL ? el('a', {href: d.videoURL, text: 'video'}) :
            d.jobType === 'preview' && d.status === 'completed' ? el('a', {href: `#preview=${j.job_id}`, text: 'open preview'}) : '')));
  }
  jobsPage = r.body && r.body.nextPageKey;
  $('#jobs-more').hidden = !jobsPage;
}

function fillList(sel, items, label, onOpen) {
  $(sel).replaceChildren(...(items.length ? items.map((it) => el('li', {},
      onOpen ? el('button', {type: 'button', class: 'link', text: label(it), onclick: () => onOpen(it)}) : label(it)))
    : [el('li', {class: 'empty', text: 'nothing yet'})]));
}

async function loadProjects() {
  const r = await call('GET', '/v2/projects');
  fillList('#projects-list', listOf(r.body), (p) => `${p.name || p.id} — ${p.savedDate || ''}`, async (p) => {
    const g = await call('GET', `/v2/projects/${encodeURIComponent(p.id)}`);
    const sb = dataOf(g.body);
    setMode(true);
    $('#sb-json').value = JSON.stringify(sb.storyboard || sb, null, 2);
    show('write');
  });
}
async function loadTemplates() {
  const r = await call('GET', '/v1/templates');
  fillList('#templates-list', listOf(r.body), (t) => `${t.name} (${(t.variables || []).join(', ') || 'no variables'})`);
}
async function loadBrands() {
  const r = await call('GET', '/v1/brands/video');
  fillList('#brands-list', listOf(r.body), (b) => b.name || b.id);
}
async function loadVoiceList() {
  if (!state.voices.length) await loadVoices();
  fillList('#voices-list', state.voices, (v) => `${v.name || v.id} — ${v.language || ''} ${v.gender || ''} (${v.engine || ''})`,
           (v) => { if (v.sample) { const a = $('#sample-player'); a.src = v.sample; a.play().catch(() => {}); } });
}

/* ------------------------------------------------------------ wiring */

window.addEventListener('DOMContentLoaded', () => {
  $('#signin-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('#apikey').value); });
  $('#signout').addEventListener('click', () => signOut());
  for (const b of document.querySelectorAll('#nav [data-view]')) b.addEventListener('click', () => show(b.dataset.view));
  $('#mode-form').addEventListener('click', () => setMode(false));
  $('#mode-json').addEventListener('click', () => setMode(true));
  $('#f-script').addEventListener('input', syncScenes);
  $('#f-voice-play').addEventListener('click', playSample);
  $('#f-upload').addEventListener('change', (e) => e.target.files[0] && upload(e.target.files[0]));
  $('#btn-preview').addEventListener('click', preview);
  $('#btn-render').addEventListener('click', render);
  $('#btn-cancel').addEventListener('click', cancel);
  $('#jobs-more').addEventListener('click', () => loadJobs(true));
  syncScenes();
  if (state.key) signIn(state.key); else show('signin');
});
