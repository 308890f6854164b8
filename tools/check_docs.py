"""Check the site in `_docs/` in a real browser: `python tools/check_docs.py` from the repo root, after
`python tools/build_docs.py`.

Serves `_docs/` on 127.0.0.1 and opens every page in headless Chromium (Debian's `/usr/bin/chromium`,
driven by playwright; `playwright install` is not needed). It checks that every page loads with HTTP 200
and logs no console error, that every internal `<a href>` points to an existing file (and its `#fragment`
to an element of that page), and that every `<img>` has loaded (`naturalWidth > 0`). It saves a screenshot
of `index.html` to `figures/docs_index.png`, and exits 1 with the list of failures if there are any.
"""
import sys, threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DOCS, SCREENSHOT = ROOT / '_docs', ROOT / 'figures' / 'docs_index.png'
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

class QuietHandler(SimpleHTTPRequestHandler):
    "Serves files without logging every request."
    def log_message(self, *args): pass

def serve(directory):
    "Serve `directory` on a free port of 127.0.0.1 in a daemon thread; return the server."
    server = ThreadingHTTPServer(('127.0.0.1', 0), partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

def visit(page, url):
    "Open `url`; return its failures, its links (absolute URLs), the ids and names of its elements, its image count."
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
    return errors, links, anchors, len(imgs)

def main():
    if not Path(CHROMIUM).exists(): sys.exit(f'{CHROMIUM} not found: install Debian\'s chromium (apt-get install -y chromium)')
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob('*.html'))
    if not pages: sys.exit(f'no pages in {DOCS}: run python tools/build_docs.py first')
    server = serve(DOCS)
    base = f'http://127.0.0.1:{server.server_port}/'
    failures, links, anchors, n_imgs = [], {}, {}, 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=120_000)
        for name in pages:
            page = browser.new_page(viewport={'width': 1280, 'height': 900})
            page.set_default_timeout(120_000)   # ms: generous, for a slow shared CI machine
            errors, links[name], anchors[name], n = visit(page, base + name)
            failures += [f'{name}: {e}' for e in errors]
            n_imgs += n
            if name == 'index.html': page.screenshot(path=SCREENSHOT)
            page.close()
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
    print(f'OK: {len(pages)} pages loaded with no console error, {n_links} internal links resolve, '
          f'{n_imgs} images loaded; screenshot of index.html in {SCREENSHOT.relative_to(ROOT)}')

if __name__ == '__main__': main()
