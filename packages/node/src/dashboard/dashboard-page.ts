/**
 * The dashboard's one HTML page: inline CSS, the four panel sections, and a small
 * inline script that listens to the server-sent events and swaps each panel's HTML (the
 * panels are rendered on the server, see dashboard-panels.ts). Nothing is fetched from
 * anywhere but the page's own origin.
 */
import { escapeXml } from '@riskscore/explain';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2430;margin:0;background:#f5f7f9}
header{background:#1d2430;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:baseline}
header h1{font-size:19px;margin:0}header p{margin:0;color:#d5dbe1}
main{display:grid;grid-template-columns:1fr;gap:16px;padding:16px 20px;max-width:1360px;margin:0 auto}
section.panel{background:#fff;border:1px solid #d8dde3;border-radius:8px;padding:12px 16px}
h2{font-size:17px;margin:0 0 8px}h3{font-size:14px;margin:14px 0 4px}
table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{border:1px solid #d8dde3;padding:3px 8px;text-align:right}th{background:#eef1f4}td:first-child,th:first-child{text-align:left}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin:8px 0}.card{border:1px solid #d8dde3;border-radius:6px;padding:6px 12px;min-width:110px;background:#fbfcfd}
.card-label{font-size:12px;color:#4a5562}.card-value{font-size:19px;font-weight:600}
.charts{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start}figure{margin:4px 0}
.note{color:#4a5562;font-size:12.5px}.bad{color:#b42318}.approve{color:#1e6b3e}.review{color:#8a5200}.decline{color:#b42318}
button.explain{font:inherit;font-size:12px;padding:1px 6px;cursor:pointer;background:#eef4fb;border:1px solid #7d9cc4;border-radius:4px;color:#1d2430}
svg text{fill:#1d2430;font-family:inherit}
#waterfall{min-height:40px}
`;

const SCRIPT = `
(() => {
  const base = document.body.dataset.base;
  const key = new URLSearchParams(location.search).get('key');
  const auth = key ? 'key=' + encodeURIComponent(key) : '';
  const status = document.getElementById('status');
  const es = new EventSource(base + '/events' + (auth ? '?' + auth : ''));
  es.addEventListener('snapshot', (e) => {
    const m = JSON.parse(e.data);
    for (const k of ['risk', 'insights', 'health', 'business']) document.getElementById('panel-' + k).innerHTML = m.html[k];
    window.__riskscoreSnapshot = m.snapshot;
    document.body.dataset.updated = String(m.snapshot.time);
    document.body.dataset.updates = String(Number(document.body.dataset.updates || '0') + 1);
    status.textContent = 'live · updated ' + new Date(m.snapshot.time).toISOString().slice(11, 19) + ' UTC';
  });
  es.onerror = () => { status.textContent = 'reconnecting…'; };
  document.addEventListener('click', async (e) => {
    const b = e.target.closest && e.target.closest('button.explain');
    if (!b) return;
    const out = document.getElementById('waterfall');
    out.textContent = 'explaining ' + b.dataset.id + '…';
    try {
      const r = await fetch(base + '/api/decision?id=' + encodeURIComponent(b.dataset.id) + (auth ? '&' + auth : ''));
      const j = await r.json();
      if (!r.ok) { out.textContent = j.message || ('error ' + r.status); return; }
      out.innerHTML = '<h3>Decision ' + j.id + ': ' + j.decision + ' at score ' + j.score.toFixed(3) + '</h3>' + j.svg;
      out.dataset.id = String(j.id);
    } catch (err) { out.textContent = 'could not explain: ' + err; }
  });
})();
`;

/**
 * The page, for the dashboard served under `base` (e.g. `/dashboard`).
 *
 * @example
 * dashboardPage('/dashboard', 'fdh-fraud@1.0.0');
 */
export function dashboardPage(base: string, model: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>riskscore dashboard · ${escapeXml(model)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head>
<body data-base="${escapeXml(base)}" data-updates="0">
<header><h1>riskscore · ${escapeXml(model)}</h1><p id="status" role="status">connecting…</p></header>
<main>
<section class="panel" id="panel-risk" aria-labelledby="risk-title"><h2 id="risk-title">Risk monitor</h2><p class="note">waiting for data…</p></section>
<section class="panel" id="waterfall-panel" aria-label="Decision waterfall"><h2>Decision waterfall</h2><div id="waterfall" aria-live="polite"><p class="note">Click an event in the latest declines and reviews to see what moved its score.</p></div></section>
<section class="panel" id="panel-insights" aria-labelledby="insights-title"><h2 id="insights-title">Model insights</h2><p class="note">waiting for data…</p></section>
<section class="panel" id="panel-health" aria-labelledby="health-title"><h2 id="health-title">System health</h2><p class="note">waiting for data…</p></section>
<section class="panel" id="panel-business" aria-labelledby="business-title"><h2 id="business-title">Business metrics</h2><p class="note">waiting for data…</p></section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
