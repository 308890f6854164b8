// The docs site's search: no server. The index (search.json, written by tools/build_docs.py) holds every section of
// every page: its heading, prose, code and API symbol. It is loaded on the first use of the search box; pages opened
// from the file system, where fetch() is refused, read the same index from search_index.js.
(function () {
  const script = document.currentScript, root = script.dataset.root || '';
  const input = document.getElementById('site-search'), box = document.getElementById('site-search-results');
  if (!input || !box) return;
  let index = null, loading = null, hits = [], active = -1;

  function load() {
    if (loading) return loading;
    loading = fetch(root + 'search.json').then(r => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .catch(() => new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = root + 'search_index.js';
        s.onload = () => resolve(window.ARWORK_SEARCH_INDEX);
        s.onerror = () => reject(new Error('no search index'));
        document.head.appendChild(s);
      }))
      .then(data => {
        for (const s of data.sections) {
          s._title = s.title.toLowerCase(); s._api = s.api.toLowerCase();
          s._text = s.text.toLowerCase(); s._code = s.code.toLowerCase();
        }
        index = data; return data;
      });
    return loading;
  }

  const terms = q => q.toLowerCase().split(/[^\w.\-]+/).map(t => t.replace(/^[.\-]+|[.\-]+$/g, '')).filter(Boolean);
  const count = (hay, t) => { let n = 0, i = hay.indexOf(t); while (i >= 0 && n < 20) { n++; i = hay.indexOf(t, i + t.length); } return n; };

  // Every term must occur in the section (its heading, API name, prose or code); API names and headings weigh most.
  function score(s, ts) {
    let total = 0;
    for (const t of ts) {
      let v = 0;
      if (s._api && (s._api === t || s._api.endsWith('.' + t))) v += 100;
      else if (s._api.includes(t)) v += 30;
      if (s._title === t) v += 40; else if (s._title.includes(t)) v += 15;
      v += 3 * Math.min(count(s._text, t), 10) + Math.min(count(s._code, t), 10);
      if (!v) return 0;
      total += v;
    }
    return s.id ? total : total * 0.8;   // the top of a page ranks a little below its sections
  }

  function search(q) {
    const ts = terms(q);
    if (!ts.length || !index) return [];
    const found = [];
    for (const s of index.sections) { const v = score(s, ts); if (v) found.push([v, s]); }
    found.sort((a, b) => b[0] - a[0]);
    return found.slice(0, 12).map(([v, s]) => ({s, ts}));
  }

  const esc = x => x.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  function snippet(s, ts) {
    for (const [hay, raw] of [[s._text, s.text], [s._code, s.code]]) {
      const i = Math.min(...ts.map(t => hay.indexOf(t)).filter(i => i >= 0));
      if (!isFinite(i)) continue;
      const a = Math.max(0, i - 50), piece = raw.slice(a, i + 110);
      let out = esc(piece);
      for (const t of ts) out = out.replace(new RegExp(t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), m => `<mark>${m}</mark>`);
      return (a ? '… ' : '') + out + (i + 110 < raw.length ? ' …' : '');
    }
    return '';
  }

  function render(q) {
    hits = search(q); active = hits.length ? 0 : -1;
    if (!q.trim()) { box.hidden = true; box.innerHTML = ''; return; }
    box.hidden = false;
    if (!hits.length) { box.innerHTML = `<div class="search-empty">No page mentions “${esc(q)}”.</div>`; return; }
    box.innerHTML = hits.map(({s, ts}, k) => {
      const page = index.pages[s.page] || s.page, href = root + s.page + (s.id ? '#' + s.id : '');
      const head = s.id ? `${esc(page)} › ${s.api ? `<code>${esc(s.title)}</code>` : esc(s.title)}` : esc(page);
      return `<a class="search-hit${k === active ? ' active' : ''}" role="option" href="${esc(href)}" data-page="${esc(s.page)}">` +
             `<span class="search-hit-title">${head}</span><span class="search-hit-text">${snippet(s, ts)}</span></a>`;
    }).join('');
  }

  function select(k) {
    const links = box.querySelectorAll('.search-hit');
    if (!links.length) return;
    active = (k + links.length) % links.length;
    links.forEach((a, j) => a.classList.toggle('active', j === active));
    links[active].scrollIntoView({block: 'nearest'});
  }

  input.addEventListener('focus', load, {once: true});
  input.addEventListener('input', () => load().then(() => render(input.value)));
  input.addEventListener('keydown', e => {
    if (e.key === 'ArrowDown') { e.preventDefault(); select(active + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); select(active - 1); }
    else if (e.key === 'Escape') { box.hidden = true; input.blur(); }
    else if (e.key === 'Enter') {
      const a = box.querySelectorAll('.search-hit')[active];
      if (a) { e.preventDefault(); window.location.href = a.href; }
    }
  });
  document.addEventListener('click', e => { if (!e.target.closest('.site-search')) box.hidden = true; });
  // "/" focuses the box, as on most documentation sites
  document.addEventListener('keydown', e => {
    if (e.key === '/' && document.activeElement !== input && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      e.preventDefault(); input.focus();
    }
  });
})();
