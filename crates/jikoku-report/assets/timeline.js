(function () {
  'use strict';
  // jikoku interactive timeline. Log text is attacker-controlled: it is only ever put in the
  // page with textContent / option.text, never as markup. State lives in the URL hash
  // (#host=…&user=…&kind=…&q=…&from=…&to=…&ev=…) so a view can be bookmarked or shared.
  var MAX_ROWS = 1000, MAX_DOTS = 4000;
  var FAMILIES = ['auth', 'login', 'sudo', 'acct', 'mail', 'http', 'syslog', 'pipeline'];
  var doc = document;
  var root = doc.documentElement;
  window.addEventListener('error', function (e) { root.setAttribute('data-error', String(e.message)); });

  var data = JSON.parse(doc.getElementById('jikoku-data').textContent);
  var evs = data.events.map(function (x, i) {
    var e = x.e || {};
    return {
      i: i, x: x, e: e, ms: (typeof x.ms === 'number') ? x.ms : NaN,
      host: str(get(e, 'host.name')) || '(no host)',
      user: str(get(e, 'user.name')),
      kind: str(get(e, 'event.dataset')) || '(none)',
      text: (str(get(e, 'message')) + '\n' + str(get(e, 'event.original')) + '\n' + str(x.summary)).toLowerCase()
    };
  });
  var timed = evs.filter(function (v) { return isFinite(v.ms); });
  var lo = Infinity, hi = -Infinity;
  timed.forEach(function (v) { if (v.ms < lo) lo = v.ms; if (v.ms > hi) hi = v.ms; });
  if (typeof data.t_ms === 'number') { lo = Math.min(lo, data.t_ms); hi = Math.max(hi, data.t_ms); }
  if (!isFinite(lo)) { lo = 0; hi = 1000; }
  if (hi - lo < 1000) { lo -= 500; hi += 500; }
  var pad = (hi - lo) * 0.02; lo -= pad; hi += pad;
  var full = { from: lo, to: hi };

  var state = { host: '', user: '', kind: '', q: '', from: full.from, to: full.to, ev: -1 };

  function get(o, dotted) {
    if (dotted === '@timestamp') return o['@timestamp'];
    var parts = dotted.split('.');
    for (var k = 0; k < parts.length; k++) {
      if (o === null || typeof o !== 'object' || !Object.prototype.hasOwnProperty.call(o, parts[k])) return undefined;
      o = o[parts[k]];
    }
    return o;
  }
  function str(v) {
    if (v === undefined || v === null) return '';
    if (Array.isArray(v)) return v.map(str).join(',');
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  function el(tag, cls, text) {
    var n = doc.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function family(kind) {
    var f = kind.split('.')[0];
    if (kind === 'pipeline_error' || f === 'jikoku') return 'pipeline';
    return FAMILIES.indexOf(f) >= 0 ? f : 'other';
  }
  function iso(ms) {
    if (!isFinite(ms)) return '';
    try { return new Date(ms).toISOString().replace('.000Z', 'Z'); } catch (err) { return ''; }
  }
  function parseTime(s) {
    if (s === null || s === '') return NaN;
    if (/^-?\d+$/.test(s)) return Number(s);
    return Date.parse(s);
  }

  // ---- URL hash state ----
  function readHash() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    state.host = p.get('host') || '';
    state.user = p.get('user') || '';
    state.kind = p.get('kind') || '';
    state.q = p.get('q') || '';
    var f = parseTime(p.get('from')), t = parseTime(p.get('to'));
    state.from = isFinite(f) ? f : full.from;
    state.to = isFinite(t) ? t : full.to;
    if (state.to <= state.from) { state.from = full.from; state.to = full.to; }
    var ev = parseInt(p.get('ev') || '', 10);
    state.ev = (ev >= 0 && ev < evs.length) ? ev : -1;
  }
  function writeHash() {
    var p = new URLSearchParams();
    ['host', 'user', 'kind', 'q'].forEach(function (k) { if (state[k]) p.set(k, state[k]); });
    if (state.from !== full.from || state.to !== full.to) {
      p.set('from', iso(state.from)); p.set('to', iso(state.to));
    }
    if (state.ev >= 0) p.set('ev', String(state.ev));
    var h = p.toString();
    try { history.replaceState(null, '', h ? '#' + h : location.pathname + location.search); } catch (err) { /* file: URL in some browsers */ }
  }

  // ---- controls ----
  var hostSel = doc.getElementById('f-host'), userSel = doc.getElementById('f-user'), kindSel = doc.getElementById('f-kind');
  var qIn = doc.getElementById('f-q'), count = doc.getElementById('count');
  function fill(sel, values, label) {
    sel.textContent = '';
    var all = el('option', '', 'all ' + label); all.value = ''; sel.appendChild(all);
    values.forEach(function (v) { var o = el('option', '', v); o.value = v; sel.appendChild(o); });
  }
  function distinct(key) {
    var seen = Object.create(null), out = [];
    evs.forEach(function (v) { var k = v[key]; if (k && !seen[k]) { seen[k] = true; out.push(k); } });
    return out.sort();
  }
  fill(hostSel, distinct('host'), 'hosts');
  fill(userSel, distinct('user'), 'users');
  fill(kindSel, distinct('kind'), 'kinds');

  function matches(v, ignoreRange) {
    if (state.host && v.host !== state.host) return false;
    if (state.user && v.user !== state.user) return false;
    if (state.kind && v.kind !== state.kind) return false;
    if (state.q && v.text.indexOf(state.q.toLowerCase()) < 0) return false;
    if (!ignoreRange && isFinite(v.ms) && (v.ms < state.from || v.ms > state.to)) return false;
    return true;
  }

  // ---- timeline lanes ----
  var lanes = doc.getElementById('lanes'), axis = doc.getElementById('axis'), view = doc.getElementById('view');
  var brush = el('div'); brush.id = 'brush';
  function pct(ms) { return (ms - state.from) / (state.to - state.from) * 100; }
  function drawAxis() {
    axis.textContent = '';
    var span = state.to - state.from;
    for (var k = 0; k <= 5; k++) {
      var ms = state.from + span * k / 5;
      var s = el('span', '', iso(Math.round(ms)).replace('T', ' '));
      s.style.left = (k * 20) + '%';
      if (k === 0) s.style.transform = 'none';
      if (k === 5) s.style.transform = 'translateX(-100%)';
      axis.appendChild(s);
    }
  }
  function drawLanes(shown) {
    lanes.textContent = '';
    var byHost = Object.create(null), order = [];
    shown.forEach(function (v) { if (!byHost[v.host]) { byHost[v.host] = []; order.push(v.host); } byHost[v.host].push(v); });
    order.sort();
    var stride = Math.max(1, Math.ceil(shown.length / MAX_DOTS));
    order.forEach(function (h) {
      var lane = el('div', 'lane');
      var name = el('div', 'name', h); name.title = h;
      var track = el('div', 'track');
      lane.appendChild(name); lane.appendChild(track);
      byHost[h].forEach(function (v, k) {
        if (!isFinite(v.ms) || (k % stride !== 0 && v.i !== state.ev)) return;
        var d = el('button', 'dot k-' + family(v.kind));
        if (str(get(v.e, 'event.outcome')) === 'failure') d.classList.add('fail');
        if (v.i === state.ev) d.classList.add('sel');
        d.type = 'button';
        d.title = iso(v.ms) + ' ' + v.kind + ' ' + str(get(v.e, 'event.action'));
        d.style.left = pct(v.ms) + '%';
        d.setAttribute('data-ev', String(v.i));
        track.appendChild(d);
      });
      lanes.appendChild(lane);
    });
    if (typeof data.t_ms === 'number' && data.t_ms >= state.from && data.t_ms <= state.to) {
      var m = el('div'); m.id = 'marker'; m.title = 'reported time ' + iso(data.t_ms);
      m.style.left = 'calc(9rem + (100% - 9rem) * ' + (pct(data.t_ms) / 100) + ')';
      lanes.appendChild(m);
    }
    lanes.appendChild(brush);
  }

  // ---- rows ----
  var tbody = doc.getElementById('rows');
  var more = doc.getElementById('more');
  function cellText(v) {
    var e = v.e;
    var what = str(get(e, 'event.action')) || v.kind;
    var out = str(get(e, 'event.outcome'));
    return [iso(v.ms) || '(no time)', v.host, what + (out ? ' (' + out + ')' : ''), v.user,
      str(get(e, 'source.ip')) || str(get(e, 'source.address')), v.x.summary || str(get(e, 'message')) || str(get(e, 'event.original'))];
  }
  function drawRows(shown) {
    tbody.textContent = '';
    shown.slice(0, MAX_ROWS).forEach(function (v) {
      var tr = el('tr', 'ev');
      if (v.i === state.ev) tr.classList.add('sel');
      tr.setAttribute('data-ev', String(v.i));
      tr.tabIndex = 0;
      cellText(v).forEach(function (c, k) { tr.appendChild(el('td', k === 0 ? 't' : '', c)); });
      tbody.appendChild(tr);
    });
    more.textContent = shown.length > MAX_ROWS ? ('showing the first ' + MAX_ROWS + ' of ' + shown.length + ' events: zoom in or filter to see the rest') : '';
  }

  // ---- detail ----
  var detail = doc.getElementById('detail');
  function dl(pairs) {
    var d = el('dl');
    pairs.forEach(function (p) { if (p[1] === '' || p[1] === undefined) return; d.appendChild(el('dt', '', p[0])); d.appendChild(el('dd', '', String(p[1]))); });
    return d;
  }
  function drawDetail() {
    detail.textContent = '';
    if (state.ev < 0) { detail.appendChild(el('p', 'meta', 'Click an event (a dot or a row) to see its raw line, provenance and time decisions.')); return; }
    var v = evs[state.ev], e = v.e;
    detail.appendChild(el('h3', '', 'Event ' + v.i + ': ' + v.kind + ' ' + str(get(e, 'event.action'))));
    detail.appendChild(dl([
      ['time (UTC)', iso(v.ms) ? str(get(e, '@timestamp')) : '(none)'],
      ['host clock', str(get(e, 'jikoku.time.local'))],
      ['zone', str(get(e, 'jikoku.time.zone')) + (get(e, 'jikoku.time.zone_source') ? ' (from ' + str(get(e, 'jikoku.time.zone_source')) + ')' : '')],
      ['year', str(get(e, 'jikoku.time.year')) + (get(e, 'jikoku.time.year_source') ? ' (' + str(get(e, 'jikoku.time.year_source')) + ')' : '')],
      ['clock skew (s)', str(get(e, 'jikoku.time.skew_seconds'))],
      ['time note', str(get(e, 'jikoku.time.note'))],
      ['uncertain', (v.x.notes || []).join('; ')],
      ['host', v.host], ['user', v.user], ['outcome', str(get(e, 'event.outcome'))],
      ['source', str(get(e, 'source.ip')) || str(get(e, 'source.address'))],
      ['process', str(get(e, 'process.name')) + (get(e, 'process.pid') !== undefined ? '[' + str(get(e, 'process.pid')) + ']' : '')],
      ['command', str(get(e, 'process.command_line'))],
      ['url', str(get(e, 'url.original'))],
      ['user agent', str(get(e, 'user_agent.original'))],
      ['message', str(get(e, 'message'))]
    ]));
    detail.appendChild(el('h3', '', 'Raw line'));
    detail.appendChild(el('pre', 'raw', str(get(e, 'event.original')) || '(binary record: see the fields above)'));
    detail.appendChild(el('h3', '', 'Provenance'));
    detail.appendChild(dl([
      ['file', str(get(e, 'log.file.path'))],
      ['line', str(get(e, 'jikoku.line'))],
      ['byte offset', str(get(e, 'log.offset'))],
      ['source SHA-256', str(get(e, 'jikoku.source.sha256'))]
    ]));
    detail.appendChild(el('h3', '', 'Event (JSON)'));
    detail.appendChild(el('pre', 'json', JSON.stringify(e, null, 2)));
  }

  // ---- render ----
  function render() {
    hostSel.value = state.host; userSel.value = state.user; kindSel.value = state.kind; qIn.value = state.q;
    var shown = evs.filter(function (v) { return matches(v, false); });
    shown.sort(function (a, b) { return (a.ms - b.ms) || (a.i - b.i); });
    drawAxis(); drawLanes(shown); drawRows(shown); drawDetail();
    doc.querySelectorAll('tr.ev[data-ev]').forEach(function (tr) {
      tr.classList.toggle('sel', Number(tr.getAttribute('data-ev')) === state.ev);
    });
    count.textContent = shown.length + ' of ' + evs.length + ' events';
    root.setAttribute('data-rendered', String(shown.length));
    writeHash();
  }

  function select(i) { state.ev = i; render(); }
  function zoom(factor, centre) {
    var span = (state.to - state.from) * factor;
    if (span < 10) span = 10;
    var c = (centre === undefined) ? (state.from + state.to) / 2 : centre;
    var f = c - (c - state.from) * factor;
    state.from = f; state.to = f + span;
    render();
  }

  [[hostSel, 'host'], [userSel, 'user'], [kindSel, 'kind']].forEach(function (p) {
    p[0].addEventListener('change', function () { state[p[1]] = p[0].value; render(); });
  });
  qIn.addEventListener('input', function () { state.q = qIn.value; render(); });
  doc.getElementById('zoom-in').addEventListener('click', function () { zoom(0.5); });
  doc.getElementById('zoom-out').addEventListener('click', function () { zoom(2); });
  doc.getElementById('reset').addEventListener('click', function () {
    state = { host: '', user: '', kind: '', q: '', from: full.from, to: full.to, ev: -1 }; render();
  });
  doc.addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('[data-ev]') : null;
    if (t) select(Number(t.getAttribute('data-ev')));
  });
  doc.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter') return;
    var t = ev.target.closest ? ev.target.closest('tr[data-ev]') : null;
    if (t) select(Number(t.getAttribute('data-ev')));
  });
  function trackMs(ev) {
    var tr = lanes.querySelector('.track');
    if (!tr) return NaN;
    var r = tr.getBoundingClientRect();
    return state.from + (ev.clientX - r.left) / r.width * (state.to - state.from);
  }
  view.addEventListener('wheel', function (ev) {
    var c = trackMs(ev);
    if (!isFinite(c)) return;
    ev.preventDefault();
    zoom(ev.deltaY > 0 ? 1.25 : 0.8, c);
  }, { passive: false });
  var dragFrom = null;
  lanes.addEventListener('mousedown', function (ev) {
    if (!ev.target.classList || !ev.target.classList.contains('track')) return;
    dragFrom = { ms: trackMs(ev), x: ev.clientX };
  });
  doc.addEventListener('mousemove', function (ev) {
    if (!dragFrom) return;
    var tr = lanes.querySelector('.track');
    if (!tr) return;
    var r = tr.getBoundingClientRect(), l = lanes.getBoundingClientRect();
    var a = Math.max(r.left, Math.min(dragFrom.x, ev.clientX)), b = Math.min(r.right, Math.max(dragFrom.x, ev.clientX));
    brush.style.display = 'block'; brush.style.left = (a - l.left) + 'px'; brush.style.width = (b - a) + 'px';
  });
  doc.addEventListener('mouseup', function (ev) {
    if (!dragFrom) return;
    var a = dragFrom, b = trackMs(ev);
    dragFrom = null; brush.style.display = 'none';
    if (Math.abs(ev.clientX - a.x) < 4 || !isFinite(b)) return;
    state.from = Math.min(a.ms, b); state.to = Math.max(a.ms, b); render();
  });
  window.addEventListener('hashchange', function () { readHash(); render(); });

  readHash();
  render();
  if (state.ev >= 0) {
    // Scroll the list only (not the page) to the selected row.
    var row = tbody.querySelector('tr.sel'), list = doc.getElementById('list');
    if (row && list) list.scrollTop = Math.max(0, row.offsetTop - list.clientHeight / 3);
  }
}());
