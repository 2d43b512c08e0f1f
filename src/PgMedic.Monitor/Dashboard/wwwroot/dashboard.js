// PgMedic Database Health Dashboard: plain JavaScript over the monitor's JSON API, charts by Chart.js
// (served by the monitor itself from its own assembly). Refreshes every poll interval.
(() => {
  'use strict';
  const css = getComputedStyle(document.documentElement);
  const color = name => css.getPropertyValue(name).trim();
  const stateColors = { active: '#58a6ff', idle: '#8b98a5', 'idle in transaction': '#d29922', other: '#bc8cff' };
  let config = null;
  // How much history the charts show: ?since=1h in the page's address widens it (default 15 minutes).
  const historySpan = new URLSearchParams(location.search).get('since') ?? '15m';
  let selected = null;
  const gauges = new Map();
  let usageChart = null;
  let failureChart = null;

  const esc = value => String(value ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const secs = value => value == null ? '' : value < 1 ? `${Math.round(value * 1000)}ms` : value < 60 ? `${value.toFixed(0)}s` : value < 3600 ? `${Math.floor(value / 60)}m${String(Math.floor(value % 60)).padStart(2, '0')}s` : `${Math.floor(value / 3600)}h${Math.floor(value % 3600 / 60)}m`;
  const time = ms => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const getJson = async url => { const r = await fetch(url, { credentials: 'same-origin' }); if (!r.ok) throw new Error(`${url}: ${r.status}`); return r.json(); };
  const table = (headers, rows, empty) => rows.length === 0 ? `<p class="empty">${esc(empty)}</p>`
    : `<table><thead><tr>${headers.map(h => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map(r => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
  const td = (value, cls) => `<td${cls ? ` class="${cls}"` : ''} title="${esc(value)}">${esc(value)}</td>`;
  const badge = text => `<span class="badge ${esc(text)}">${esc(text)}</span>`;

  Chart.defaults.color = color('--muted');
  Chart.defaults.borderColor = color('--line');
  Chart.defaults.animation = false;

  function gauge(canvas, percent) {
    const warn = config.warningPercent, crit = config.criticalPercent;
    const value = Math.max(0, Math.min(100, percent ?? 0));
    const data = {
      datasets: [
        { data: [warn, crit - warn, 100 - crit], backgroundColor: [color('--ok'), color('--warn'), color('--crit')], borderWidth: 0, weight: 0.35 },
        { data: [value, 100 - value], backgroundColor: [value >= crit ? color('--crit') : value >= warn ? color('--warn') : color('--ok'), color('--line')], borderWidth: 0, weight: 1 },
      ],
    };
    let chart = gauges.get(canvas.id);
    if (chart) { chart.data = data; chart.update('none'); return; }
    chart = new Chart(canvas, { type: 'doughnut', data, options: { rotation: -90, circumference: 180, cutout: '55%', responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false }, tooltip: { enabled: false } } } });
    gauges.set(canvas.id, chart);
  }

  function renderCards(targets) {
    const cards = document.getElementById('cards');
    for (const t of targets) {
      let card = document.getElementById(`card-${t.name}`);
      if (!card) {
        card = document.createElement('div');
        card.id = `card-${t.name}`;
        card.innerHTML = `<div class="facts"></div><div class="gauge"><canvas id="gauge-${esc(t.name)}"></canvas><div class="value"></div></div>`;
        card.addEventListener('click', () => { selected = t.name; refresh(); });
        cards.appendChild(card);
      }
      card.className = `card ${t.status} ${t.name === selected ? 'selected' : ''}`;
      const u = t.usage;
      card.querySelector('.facts').innerHTML = `<div class="name">${esc(t.name)}</div><div class="conn">${esc(t.connection)}</div>
        <div>${badge(t.status)} ${badge(t.database)} ${t.lifeline ? '' : badge('lifeline down')}</div>
        ${t.stale ? `<div class="muted stale-note">no snapshot since ${t.freshAt ? esc(new Date(t.freshAt).toLocaleTimeString()) : 'start-up'}: alerts hold their state</div>` : ''}
        <div class="muted">${u ? `${esc(u.inUse)} / ${u.usableSlots} usable slots · ${u.exact ? u.slotsLeft : `${u.slotsLeft}–${u.usableSlots - u.clientBackendsMin}`} left` : 'no snapshot'}</div>
        <div class="muted">probe ${t.probe ? `${esc(t.probe.outcome)}${t.probe.probeMilliseconds != null ? ` · ${t.probe.probeMilliseconds.toFixed(1)} ms` : ''}` : '—'} · ${t.firingAlerts} alert(s) firing</div>
        ${failureLine(t.failureRates)}`;
      // A range when the monitor's role cannot see every session's type: never the low end alone.
      card.querySelector('.value').textContent = u ? (u.exact ? `${u.percentOfUsable.toFixed(1)} %` : `${u.percentOfUsableMin.toFixed(1)}–${u.percentOfUsableMax.toFixed(1)} %`) : '—';
      gauge(card.querySelector('canvas'), u?.percentOfUsable);
    }
    document.getElementById('tabs').innerHTML = targets.length > 1
      ? targets.map(t => `<button class="${t.name === selected ? 'selected' : ''}" data-target="${esc(t.name)}">${esc(t.name)}</button>`).join('') : '';
    document.querySelectorAll('#tabs button').forEach(b => b.addEventListener('click', () => { selected = b.dataset.target; refresh(); }));
  }

  const pct = ratio => ratio == null ? '—' : `${(ratio * 100).toFixed(1)} %`;

  // Both signals of database-connection-failure: the monitor's probe and, with pool endpoints, the services' own checkouts.
  function failureLine(rates) {
    if (!rates) return '';
    const over = rates.ratio;
    const part = (label, ratio, detail, silent = false) => `<span class="signal ${silent || (ratio != null && ratio > over) ? 'tripped' : ''}" data-signal="${label}">${label} ${pct(ratio)}</span> <span class="muted">${esc(detail)}</span>`;
    const probe = part('probe', rates.probe.ratio, `(${rates.probe.failures} of ${rates.probe.attempts})`);
    const a = rates.application;
    const app = a ? ' · ' + part('application', a.ratio, a.ratio == null ? '(no checkout)' : `(${a.failures} of ${a.attempts} checkouts, ${a.processes} process(es))`, a.silent.length > 0)
      + a.silent.map(e => ` ${badge('endpoint silent')} <span class="muted">${esc(e.endpoint)}</span>`).join('') : '';
    return `<div class="failures">failures over ${secs(rates.windowSeconds)}: ${probe}${app}</div>`;
  }

  // History times are ISO-8601 (docs/json.md); the charts' x axis is milliseconds since the epoch.
  const withTimes = history => history.points.map(p => ({ ...p, at: Date.parse(p.at) }));

  function renderUsage(history) {
    const points = withTimes(history);
    const series = (label, key, colorValue, extra = {}) => ({ label, data: points.filter(p => p.collected).map(p => ({ x: p.at, y: p[key] })), borderColor: colorValue, backgroundColor: colorValue + '33', pointRadius: 0, borderWidth: 2, tension: 0.2, ...extra });
    const usable = points.filter(p => p.collected);
    const datasets = [
      series('active', 'active', stateColors.active, { fill: true, stack: 'state' }),
      series('idle', 'idle', stateColors.idle, { fill: true, stack: 'state' }),
      series('idle in transaction', 'idleInTransaction', stateColors['idle in transaction'], { fill: true, stack: 'state' }),
      series('other', 'other', stateColors.other, { fill: true, stack: 'state' }),
      { label: 'usable slots', data: usable.map(p => ({ x: p.at, y: p.usableSlots })), borderColor: color('--crit'), borderDash: [6, 4], pointRadius: 0, borderWidth: 2, stack: 'usable' },
      { label: `${config.criticalPercent} %`, data: usable.map(p => ({ x: p.at, y: p.usableSlots * config.criticalPercent / 100 })), borderColor: color('--crit') + '88', borderDash: [2, 3], pointRadius: 0, borderWidth: 1, stack: 'critical' },
      { label: `${config.warningPercent} %`, data: usable.map(p => ({ x: p.at, y: p.usableSlots * config.warningPercent / 100 })), borderColor: color('--warn') + '88', borderDash: [2, 3], pointRadius: 0, borderWidth: 1, stack: 'warning' },
    ];
    if (!usageChart) {
      usageChart = clickable(new Chart(document.getElementById('usage-chart'), {
        type: 'line', data: { datasets },
        options: { responsive: true, maintainAspectRatio: false, parsing: false, interaction: { mode: 'nearest', intersect: false },
          scales: { x: { type: 'linear', ticks: { callback: v => time(v), maxTicksLimit: 8 } }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'connections' } } },
          plugins: { legend: { position: 'bottom' } } },
      }));
    } else { usageChart.data.datasets = datasets; usageChart.update('none'); }
  }

  // A click on a chart asks the active session history what the server was doing at that moment.
  function clickable(chart) {
    chart.options.onClick = (event, _elements, c) => {
      const ms = c.scales.x.getValueForPixel(event.x);
      if (Number.isFinite(ms)) showMoment(ms);
    };
    return chart;
  }

  const num = v => Number.isInteger(v) ? String(v) : v.toFixed(1);
  const countList = (items, label) => items.length === 0 ? '<span class="muted">none</span>'
    : items.slice(0, 8).map(c => `${esc(label(c))} <b>${num(c.sessions)}</b>${c.peak !== c.sessions ? ` <span class="muted">(peak ${c.peak})</span>` : ''}`).join(' · ');

  function lockTree(nodes, depth = 0) {
    return nodes.map(n => `${'  '.repeat(depth)}${depth === 0 ? 'holder' : '└ waits'} pid ${n.pid}${n.session ? ` ${n.session.application ?? ''} ${n.session.state}${n.session.query ? ` — ${n.session.query}` : ''}` : ''}\n${lockTree(n.waiters, depth + 1)}`).join('');
  }

  async function showMoment(ms) {
    const panel = document.getElementById('moment-panel');
    panel.hidden = false;
    const at = new Date(ms).toISOString();
    document.getElementById('moment-when').textContent = `at ${new Date(ms).toLocaleTimeString()}`;
    const target = document.getElementById('moment');
    target.innerHTML = '<p class="empty">asking the session history…</p>';
    const r = await fetch(`/api/targets/${encodeURIComponent(selected)}/activity?at=${encodeURIComponent(at)}`, { credentials: 'same-origin' });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) { target.innerHTML = `<p class="empty">${esc(body.detail ?? `no answer (${r.status})`)}</p>`; return; }
    document.getElementById('moment-when').textContent = `at ${new Date(body.from).toLocaleTimeString()} (sample nearest ${new Date(ms).toLocaleTimeString()})`;
    target.innerHTML = `<div class="moment-facts">
        <div><b>${body.clientBackendsPeak}</b> client sessions</div>
        <div>by state: ${countList(body.byState, c => c.name)}</div>
        <div>by wait event: ${countList(body.byWaitEvent, w => `${w.waitEventType}:${w.waitEvent}`)}</div>
        <div>by application: ${countList(body.byApplication, c => c.name || '(none)')}</div>
      </div>`
      + table(['application', 'sessions', 'states', 'fingerprint', 'statement'],
        body.holders.slice(0, 12).map(h => [td(h.application || '(none)'), td(num(h.sessions)), td(Object.entries(h.byState).map(([k, v]) => `${k} ${num(v)}`).join(', ')), td(h.fingerprint ?? '-'), td(h.query ?? '-', 'query')]),
        'no client sessions')
      + (body.lockTree.length > 0 ? `<h2>Lock tree</h2><div class="lock-tree">${esc(lockTree(body.lockTree))}</div>` : '<p class="muted">no session waited for another\'s lock</p>');
  }

  function renderSlo(view) {
    const s = view.slo;
    const box = document.getElementById('slo');
    if (!s) { box.innerHTML = '<p class="empty">no poll yet</p>'; return; }
    const days = s.windowSeconds / 86400;
    document.getElementById('slo-objective').textContent = `(${s.objectivePercent} % over ${days} days, ${s.source === 'application' ? 'the services\' checkouts' : 'the monitor\'s probes'})`;
    const left = Math.max(0, Math.min(1, s.budgetRemainingRatio));
    const state = s.budgetRemainingRatio <= 0 ? 'spent' : s.budgetRemainingRatio < 0.25 ? 'low' : '';
    box.innerHTML = `<div class="slo-figure ${s.availabilityPercent != null && s.availabilityPercent < s.objectivePercent ? 'bad' : 'good'}" data-slo="availability">${s.availabilityPercent == null ? '—' : `${s.availabilityPercent.toFixed(3)} %`}</div>
      <div class="muted">${s.attempts.toLocaleString()} attempts, ${s.failures.toLocaleString()} failed · coverage ${(s.coverageRatio * 100).toFixed(1)} %</div>
      <div class="budget ${state}"><div style="width:${(left * 100).toFixed(1)}%"></div></div>
      <div data-slo="budget">error budget ${(s.budgetRemainingRatio * 100).toFixed(1)} % left: ${s.budgetRemainingMinutes.toFixed(1)} of ${s.budgetMinutes.toFixed(1)} min</div>`
      + table(['burn rate', 'long', 'short', 'alert above', ''],
        s.burnRates.map(b => [td(`${secs(b.longWindowSeconds)} / ${secs(b.shortWindowSeconds)}`), td(`${b.longBurnRate.toFixed(1)}×`), td(`${b.shortBurnRate.toFixed(1)}×`), td(`${b.factor}×`), `<td>${b.burning ? badge('firing') : badge('ok')}</td>`]), '');
  }

  function renderFailures(history) {
    document.getElementById('failure-window').textContent = `(over ${secs(history.failureWindowSeconds)}, alert above ${(config.failureRatio * 100).toFixed(0)} %)`;
    const points = withTimes(history);
    const application = points.filter(p => p.applicationFailureRatio != null);
    const datasets = [
      { label: 'probe %', data: points.map(p => ({ x: p.at, y: p.probeFailureRatio * 100 })), borderColor: color('--crit'), backgroundColor: color('--crit') + '33', fill: true, pointRadius: 0, borderWidth: 2, stepped: true },
      ...(application.length > 0 ? [{ label: 'application %', data: application.map(p => ({ x: p.at, y: p.applicationFailureRatio * 100 })), borderColor: color('--accent'), backgroundColor: color('--accent') + '33', fill: true, pointRadius: 0, borderWidth: 2, stepped: true }] : []),
      { label: 'threshold', data: points.map(p => ({ x: p.at, y: config.failureRatio * 100 })), borderColor: color('--warn'), borderDash: [4, 4], pointRadius: 0, borderWidth: 1 },
    ];
    if (!failureChart) {
      failureChart = clickable(new Chart(document.getElementById('failure-chart'), {
        type: 'line', data: { datasets },
        options: { responsive: true, maintainAspectRatio: false, parsing: false,
          scales: { x: { type: 'linear', ticks: { callback: v => time(v), maxTicksLimit: 6 } }, y: { min: 0, max: 100, title: { display: true, text: '%' } } },
          plugins: { legend: { position: 'bottom' } } },
      }));
    } else { failureChart.data.datasets = datasets; failureChart.update('none'); }
  }

  function actionButton(pid) {
    return config.readOnly ? '' : `<button class="act" data-pid="${pid}">terminate</button>`;
  }

  const alertName = a => a.alert + (a.subject ? ` (${a.subject})` : '') + (a.signal ? ` [${a.signal}]` : '');

  function renderSnapshot(s) {
    document.getElementById('alerts').innerHTML = table(['alert', 'severity', 'state', 'since', 'summary'],
      s.alerts.map(a => [td(alertName(a)), `<td>${badge(a.severity)}</td>`, `<td>${badge(a.state)}</td>`, td(new Date(a.since).toLocaleTimeString()), td(a.summary)]),
      'no alert is pending or firing');
    document.getElementById('applications').innerHTML = table(['application', 'total', 'active', 'idle', 'idle in tx', 'oldest state'],
      s.applications.slice(0, 10).map(g => [td(g.name), td(g.total), td(g.active), td(g.idle), td(g.idleInTransaction), td(secs(g.oldestStateAgeSeconds))]), 'no client connections');
    document.getElementById('leaks').innerHTML = table(['application', 'idle', 'total', 'why'],
      s.leakSuspects.map(l => [td(l.application), td(l.idle), td(l.total), td(l.summary)]), 'no leak suspect');
    document.getElementById('idle-in-transaction').innerHTML = table(['pid', 'user', 'application', 'client', 'idle for', 'transaction age', 'last query', ''],
      s.idleInTransaction.map(x => [td(x.pid), td(x.user), td(x.application), td(x.clientAddress), td(secs(x.stateAgeSeconds)), td(secs(x.transactionAgeSeconds)), td(x.query, 'query'), `<td>${actionButton(x.pid)}</td>`]),
      'no session is idle in a transaction');
    document.getElementById('chains').innerHTML = table(['head pid', 'head', 'state', 'waiters', 'longest wait', 'head query', ''],
      s.blockingChains.map(c => [td(c.headPid), td(`${c.head?.user ?? '?'} / ${c.head?.application ?? '?'}`), td(c.head?.state), td(c.waiters.map(w => w.pid).join(', ')), td(secs(c.longestWaitSeconds)), td(c.head?.query, 'query'), `<td>${actionButton(c.headPid)}</td>`]),
      'no session waits on a lock held by another');
    document.querySelectorAll('button.act').forEach(b => b.addEventListener('click', () => terminate(b.dataset.pid)));
  }

  async function terminate(pid) {
    const token = window.prompt(`Terminate PID ${pid} on ${selected}? Enter the monitor's access token:`);
    if (!token) return;
    const r = await fetch(`/api/targets/${encodeURIComponent(selected)}/actions/terminate/${pid}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    const body = await r.json().catch(() => ({}));
    window.alert(r.ok ? `PID ${pid}: ${body.steps?.[0]?.results?.[0]?.result ?? 'done'}` : `Not terminated: ${body.detail ?? r.status}`);
    refresh();
  }

  function renderTimeline(events) {
    document.getElementById('timeline').innerHTML = table(['time', 'target', 'alert', 'severity', 'state', 'summary'],
      events.filter(e => e.state !== 'pending').slice(0, 30).map(e => [td(new Date(e.at).toLocaleTimeString()), td(e.target), td(alertName(e)), `<td>${badge(e.severity)}</td>`, `<td>${badge(e.state)}</td>`, td(e.summary)]),
      'no alert has fired');
  }

  let slowAt = 0;
  async function renderSlowQueries() {
    if (Date.now() - slowAt < 30000) return;
    slowAt = Date.now();
    const view = await getJson(`/api/targets/${encodeURIComponent(selected)}/slow-queries`);
    const report = view.report;
    document.getElementById('slow-queries').innerHTML = !report ? `<p class="empty">${esc(view.error ?? 'unavailable')}</p>`
      : report.status !== 'ok' ? `<p class="empty">${esc(report.message ?? report.status)}: ${esc((report.enableSteps ?? []).join(' '))}</p>`
      : table(['mean ms', 'calls', 'total ms', 'share', 'query'], report.statements.map(q => [td(q.meanMilliseconds.toFixed(2)), td(q.calls), td(q.totalMilliseconds.toFixed(0)), td(`${q.sharePercent.toFixed(1)} %`), td(q.query, 'query')]), 'no statements recorded yet')
        + (report.hidden > 0 ? `<p class="muted">${report.hidden} statement(s) by PgMedic and drivers hidden (pgmedic slow-queries --all shows them)</p>` : '');
  }

  async function refresh() {
    try {
      const targets = await getJson('/api/targets');
      if (!selected || !targets.some(t => t.name === selected)) selected = targets[0]?.name;
      renderCards(targets);
      if (selected) {
        const name = encodeURIComponent(selected);
        const [history, snapshot, events, slo] = await Promise.all([
          getJson(`/api/targets/${name}/history?since=${historySpan}`), getJson(`/api/targets/${name}/snapshot`), getJson('/api/alerts/events?since=1d&limit=100'), getJson(`/api/targets/${name}/slo`),
        ]);
        renderSlo(slo);
        renderUsage(history);
        renderFailures(history);
        document.getElementById('failure-signals').innerHTML = failureLine(targets.find(t => t.name === selected)?.failureRates);
        renderSnapshot(snapshot);
        renderTimeline(events);
        renderSlowQueries().catch(() => {});
      }
      document.getElementById('refreshed').textContent = `updated ${new Date().toLocaleTimeString()} · every ${secs(config.pollIntervalMilliseconds / 1000)}`;
    } catch (error) {
      document.getElementById('refreshed').textContent = `refresh failed: ${error.message}`;
    }
  }

  document.getElementById('moment-close').addEventListener('click', () => { document.getElementById('moment-panel').hidden = true; });

  getJson('/api/dashboard').then(c => {
    config = c;
    refresh();
    setInterval(refresh, Math.max(500, c.pollIntervalMilliseconds));
  });
})();
