"""Check the site in `_docs/` in a real browser: `python tools/check_docs.py` from the repo root, after
`python tools/build_docs.py`.

Serves `_docs/` on 127.0.0.1 and opens every page in headless Chromium (Debian's `/usr/bin/chromium`,
driven by playwright; `playwright install` is not needed). It checks that

- every page loads with HTTP 200 and logs no console error, every internal `<a href>` points to an existing file (and
  its `#fragment` to an element of that page), and every `<img>` has loaded (`naturalWidth > 0`);
- every page has a table of contents that lists each of its level-2 and level-3 headings, linked to them;
- every module page shows at least one figure;
- the API index (`api.html`) lists every public class and function, each with a description of its own (its docstring's
  first line, never one inherited from `nn.Module` or written by `dataclass`), and no page shows `nn.Module`'s docstring;
- no page shows a test-only cell: an import of `fastcore.test`, or a cell without output that only asserts or calls
  `test_*` helpers;
- the search box finds the right page: typing a query into it on the home page lists the expected page first (fixed
  queries, and for each module the most specific name in its part of the API index), and pressing Enter opens it
  (from the home page and from a tutorial).

It saves a screenshot of `index.html` to `_screenshots/docs_index.png` (ignored by git), or with `--update-figure`
to the tracked `figures/docs_index.png`, and exits 1 with the list of failures if there are any.
"""
import argparse, ast, re, sys, threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / '_docs'
SCREENSHOT, FIGURE = ROOT / '_screenshots' / 'docs_index.png', ROOT / 'figures' / 'docs_index.png'
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

# (query, page the first hit must be on, id it must point at or None): prose as well as API names
SEARCHES = [('quantize_images', '60_eval.html', 'quantize_images'),
            ('MultiScaleQuantizer', '11_tokenizers.msvq.html', 'multiscalequantizer'),
            ('rope_2d_table', '02_layers.html', 'rope_2d_table'),
            ('hinge_d_loss', '30_losses.html', 'hinge_d_loss'),
            ('FID Inception', '16_encoders.inception.html', None)]
# text that only an inherited docstring shows: nn.Module's
INHERITED = ('Base class for all neural network modules', 'Initialize internal Module state')
API_PAGE = 'api.html'

class QuietHandler(SimpleHTTPRequestHandler):
    "Serves files without logging every request."
    def log_message(self, *args): pass

def serve(directory):
    "Serve `directory` on a free port of 127.0.0.1 in a daemon thread; return the server."
    server = ThreadingHTTPServer(('127.0.0.1', 0), partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

def is_module_page(name):
    "Whether the page documents a module (a top-level page other than the home page and the API index)."
    return '/' not in name and name not in ('index.html', API_PAGE)

# what a page shows, read in the browser
PAGE_FACTS = """() => {
  const main = document.querySelector('main');
  const heads = [...main.querySelectorAll('h2, h3')].map(h => h.id);
  const toc = [...document.querySelectorAll('aside.site-toc a[href^="#"]')].map(a => a.getAttribute('href').slice(1));
  const cells = [...main.querySelectorAll('.jp-CodeCell')].map(c => {
    const src = c.querySelector('.jp-InputArea .jp-Editor, .jp-InputArea pre');
    const outs = [...c.querySelectorAll('.jp-OutputArea-output')].filter(o => o.textContent.trim() || o.querySelector('img, svg'));
    return [src ? src.textContent : null, outs.length];
  });
  const api = [...main.querySelectorAll('li')].filter(li => li.querySelector('a code'))
    .map(li => [li.querySelector('a code').textContent, li.querySelector('a').getAttribute('href'),
                li.textContent.replace(li.querySelector('a').textContent, '').replace(/^\\s*(class|function)\\s*/, '').trim()]);
  return {heads, toc, cells, api, text: main.innerText, figures: main.querySelectorAll('img').length};
}"""

def visit(page, url):
    "Open `url`; return its failures, its links (absolute URLs), the ids and names of its elements, and its facts."
    errors = []
    def on_console(msg):
        if msg.type == 'error': errors.append(f'console error: {msg.text} ({msg.location["url"]})')
    page.on('console', on_console)
    page.on('pageerror', lambda exc: errors.append(f'uncaught exception: {exc}'))
    page.on('response', lambda r: errors.append(f'HTTP {r.status} for {r.url}') if r.status >= 400 else None)
    resp = page.goto(url, wait_until='load')
    if resp is None or resp.status != 200: errors.append(f'HTTP {resp.status if resp else "no response"}')
    imgs = page.eval_on_selector_all('img', 'els => els.map(e => [e.getAttribute("src"), e.naturalWidth])')
    errors += [f'image not loaded: {src[:80]}' for src, width in imgs if not width > 0]
    links = page.eval_on_selector_all('a[href]', 'els => els.map(e => e.href)')
    anchors = set(page.eval_on_selector_all('[id], a[name]', 'els => els.map(e => e.id || e.name)'))
    return errors, links, anchors, page.evaluate(PAGE_FACTS)

def test_only(source, n_outputs) -> bool:
    "Whether a shown code cell is one a page should hide: an import of `fastcore.test`, or only checks and no output."
    try: stmts = ast.parse(source).body
    except SyntaxError: return False
    if not stmts: return False
    if all(isinstance(s, ast.ImportFrom) and (s.module or '').startswith('fastcore.test') for s in stmts): return True
    def check(s):
        if isinstance(s, ast.Assert): return True
        return (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and
                getattr(s.value.func, 'id', getattr(s.value.func, 'attr', '')).startswith('test_'))
    return n_outputs == 0 and all(map(check, stmts))

def check_page(name, facts):
    "The failures of the table of contents, figures, inherited docstrings and test-only cells of one page."
    out = []
    heads = [h for h in facts['heads'] if h]
    if len(heads) != len(facts['heads']): out.append('a level-2 or level-3 heading has no id')
    if heads and facts['toc'] != heads:
        missing = [h for h in heads if h not in facts['toc']]
        out.append(f'table of contents: {len(facts["toc"])} entries for {len(heads)} headings'
                   + (f' (missing: {", ".join(missing[:5])})' if missing else ' (not in page order)'))
    if is_module_page(name) and not facts['figures']: out.append('module page without a figure')
    out += [f'shows an inherited docstring: "{t}..."' for t in INHERITED if t in facts['text']]
    out += [f'shows a test-only cell: {src.strip()[:70]!r}' for src, n in facts['cells'] if src and test_only(src, n)]
    return out

def check_api(facts):
    "The failures of the API index: too few entries, or one without a description of its own."
    api, out = facts['api'], []
    if len(api) < 100: out.append(f'{API_PAGE}: only {len(api)} entries')
    for name, href, desc in api:
        if not desc: out.append(f'{API_PAGE}: {name} has no description (a docstring of its own)')
        elif desc.startswith(name + '(') or any(t in desc for t in INHERITED):
            out.append(f'{API_PAGE}: {name} is described by an inherited or generated docstring: {desc[:60]!r}')
    return out

def api_queries(api):
    """For each module of the API index, its longest (most specific) name and the page the index links it to:
    `[(query, page, id)]`."""
    best = {}
    for name, href, _ in api:
        page, _, frag = href.partition('#')
        if len(name) > len(best.get(page, ('',))[0]): best[page] = (name, page, frag or None)
    return list(best.values())

def search(page, query):
    "Type `query` into the search box of the open page; return the first hits' `(page, id)`."
    box = page.locator('#site-search')
    box.fill('')
    box.fill(query)
    page.wait_for_selector('#site-search-results:not([hidden]) .search-hit, #site-search-results .search-empty')
    return page.eval_on_selector_all('#site-search-results .search-hit', """els => els.map(a => {
        const u = new URL(a.href); return [u.pathname.replace(/^\\//, ''), decodeURIComponent(u.hash.slice(1)) || null]; })""")

def check_search(browser, base, queries, sub_pages=()):
    """Every query's first hit is its page (and id); Enter on the first query opens that page, from the home page and
    from the first of `sub_pages` (pages in a sub-folder, whose links go up a level). Returns failures, count."""
    failures = []
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    page.set_default_timeout(60_000)
    page.goto(base + 'index.html', wait_until='load')
    for query, want_page, want_id in queries:
        hits = search(page, query)
        if not hits: failures.append(f'search {query!r}: no hit (expected {want_page})'); continue
        got_page, got_id = hits[0]
        if got_page != want_page or (want_id and got_id != want_id):
            failures.append(f'search {query!r}: first hit {got_page}#{got_id}, expected {want_page}'
                            + (f'#{want_id}' if want_id else '') + f' (hits: {", ".join(p for p, _ in hits[:5])})')
    query, want_page, want_id = queries[0]
    for start in [base + 'index.html'] + [base + p for p in sub_pages[:1]]:   # from the top and from a sub-folder
        page.goto(start, wait_until='load')
        search(page, query)
        with page.expect_navigation(): page.locator('#site-search').press('Enter')
        landed = urlparse(page.url)
        if landed.path.lstrip('/') != want_page or (want_id and unquote(landed.fragment) != want_id):
            failures.append(f'search {query!r} + Enter on {start[len(base):]} opened {page.url[len(base):]}, '
                            f'not {want_page}#{want_id}')
        elif want_id and not page.locator(f'[id="{want_id}"]').count():
            failures.append(f'search {query!r} + Enter: {want_page} has no element #{want_id}')
    page.close()
    return failures, len(queries)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--update-figure', action='store_true',
                    help=f'save the screenshot to the tracked {FIGURE.relative_to(ROOT)} (default: {SCREENSHOT.relative_to(ROOT)})')
    args = ap.parse_args()
    screenshot = FIGURE if args.update_figure else SCREENSHOT
    if not Path(CHROMIUM).exists(): sys.exit(f'{CHROMIUM} not found: install Debian\'s chromium (apt-get install -y chromium)')
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob('*.html'))
    if not pages: sys.exit(f'no pages in {DOCS}: run python tools/build_docs.py first')
    failures = [f'{p} missing' for p in ('index.html', API_PAGE, 'search.json', 'search.js') if not (DOCS / p).is_file()]
    server = serve(DOCS)
    base = f'http://127.0.0.1:{server.server_port}/'
    links, anchors, facts, n_search = {}, {}, {}, 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=120_000)
        for name in pages:
            page = browser.new_page(viewport={'width': 1280, 'height': 900})
            page.set_default_timeout(120_000)   # ms: generous, for a slow shared CI machine
            errors, links[name], anchors[name], facts[name] = visit(page, base + name)
            failures += [f'{name}: {e}' for e in errors + check_page(name, facts[name])]
            if name == 'index.html':
                screenshot.parent.mkdir(exist_ok=True)
                page.screenshot(path=screenshot)
            page.close()
        if API_PAGE in facts:
            failures += check_api(facts[API_PAGE])
            found, n_search = check_search(browser, base, SEARCHES + api_queries(facts[API_PAGE]['api']),
                                           [p for p in pages if '/' in p])
            failures += found
        browser.close()
    server.shutdown()

    n_links = 0
    for name, urls in links.items():
        for url in urls:
            if not url.startswith(base): continue   # external: not checked offline
            n_links += 1
            path, frag = urldefrag(url)
            target = unquote(urlparse(path).path)[1:] or 'index.html'
            if target.endswith('/'): target += 'index.html'
            if not (DOCS / target).is_file(): failures.append(f'{name}: broken link {url[len(base):]}')
            elif frag and target in anchors and unquote(frag) not in anchors[target]:
                failures.append(f'{name}: missing anchor {url[len(base):]}')
    if failures:
        print(f'{len(failures)} failure(s):', *failures, sep='\n  ')
        sys.exit(1)
    n_toc = sum(bool(f['toc']) for f in facts.values())
    n_mod = sum(map(is_module_page, facts))
    print(f'OK: {len(pages)} pages loaded with no console error, {n_links} internal links resolve, '
          f'{sum(f["figures"] for f in facts.values())} images loaded; {n_toc} pages with a table of contents; '
          f'{n_mod} module pages, each with a figure; an API index of {len(facts[API_PAGE]["api"])} entries, each with '
          f'its own docstring; no inherited docstring or test-only cell shown; {n_search} searches found their page; '
          f'screenshot of index.html in {screenshot.relative_to(ROOT)}')

if __name__ == '__main__': main()
