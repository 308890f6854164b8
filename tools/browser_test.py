"""Run the widgets tutorial in a real JupyterLab in headless Chromium and move a slider with the keyboard:
`python tools/browser_test.py` from the repo root (in the project's venv, with `jupyterlab` and `playwright`).

1. Starts `jupyter lab` on 127.0.0.1 (a free port, a random token, the repo root as root_dir) with its settings,
   workspaces and runtime files in a temporary directory; notebook autosave is switched off there, so the
   tutorial on disk is not rewritten with outputs (it is also restored byte for byte if it changed anyway).
2. Drives Debian's `/usr/bin/chromium` with playwright (`playwright install` is not needed): opens
   `nbs/tutorials/widgets.ipynb`, runs all cells from the Run menu, waits until every cell has run and every
   widget image has loaded, then focuses the handle of the `SamplingExplorer`'s `seed` slider and presses
   ArrowRight a few times. The sliders have `continuous_update=False`; noUiSlider's keyboard handler fires
   its `change` event on every key press, which is what sends the value to the kernel. It checks that the
   slider's readout moved by the number of presses, that the explorer's status line went through a new drawing,
   and that the explorer's `<img>` then shows a different picture (a new blob URL with different PNG bytes);
   pressing ArrowLeft as often must bring back exactly the first picture. Then, for two families other than
   LlamaGen (VAR and MAR), it picks the family in the explorer's model menu, waits for that family's picture and
   its own controls (built from its knob declarations), moves its `cfg` slider with the keyboard and checks that
   the picture changes again.
3. Saves a screenshot with the explorer in view to `_screenshots/widgets_browser.png` (ignored by git; CI's copy goes
   there too), or with `--update-figure` to the tracked `figures/widgets_browser.png` that the tutorial shows.
4. Stops the server (and its kernels) by PID in a `finally` (also on SIGTERM, SIGINT or SIGHUP); exits 1 with a
   message on any failure, and then leaves a screenshot of the failing page in the temporary directory it prints.

Timeouts are generous (a fresh 2-core CI machine shared with other work is slow: starting JupyterLab, the kernel
and the first imports of torch can take minutes there); `ARWORK_BROWSER_TIMEOUT_SCALE=2` doubles them all.
"""
import os, secrets, signal, socket, subprocess, sys, tempfile, time, json, traceback
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright, TimeoutError as PWTimeout

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = 'nbs/tutorials/widgets.ipynb'
SCREENSHOT = ROOT / '_screenshots' / 'widgets_browser.png'      # untracked: what CI leaves
FIGURE = ROOT / 'figures' / 'widgets_browser.png'               # tracked: only with --update-figure
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
PRESSES = 3                  # ArrowRight presses on the seed slider
N_IMAGES = 11                # <img> of the tutorial's widgets: explorer 1, two step viewers 2 + 2, tokenizers 1 + 5
FAMILIES = ('var', 'mar')    # families other than LlamaGen whose own cfg control is moved
CHROMIUM = '/usr/bin/chromium'
SCALE = float(os.environ.get('ARWORK_BROWSER_TIMEOUT_SCALE', '1'))
def T(seconds: float) -> float: return seconds * SCALE   # every timeout, in seconds

class Failure(Exception): pass

def log(msg): print(f'[{time.perf_counter() - T0:6.1f} s] {msg}', flush=True)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def write_settings(settings_dir: Path):
    "JupyterLab user settings for the test: no autosave, every cell rendered (no windowing), no news prompt."
    for plugin, values in {'@jupyterlab/docmanager-extension/plugin': {'autosave': False},
                           '@jupyterlab/notebook-extension/tracker': {'windowingMode': 'none'},
                           '@jupyterlab/apputils-extension/notification': {'fetchNews': 'false', 'checkForUpdates': False}}.items():
        f = settings_dir / f'{plugin}.jupyterlab-settings'
        f.parent.mkdir(parents=True, exist_ok=True); f.write_text(json.dumps(values))

def start_server(tmp: Path, port: int, token: str, logfile):
    "Start `jupyter lab` on loopback; return the Popen. Its settings and state live in `tmp`."
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / 'config'), JUPYTER_DATA_DIR=str(tmp / 'data'),
               JUPYTER_RUNTIME_DIR=str(tmp / 'runtime'), IPYTHONDIR=str(tmp / 'ipython'),
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get('PYTHONPATH')] if p]))  # this checkout's arwork
    write_settings(tmp / 'settings')
    cmd = [sys.executable, '-m', 'jupyter', 'lab', '--no-browser', '--allow-root', '--ip=127.0.0.1', f'--port={port}',
           f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={ROOT}',
           f'--LabApp.user_settings_dir={tmp / "settings"}', f'--LabApp.workspaces_dir={tmp / "workspaces"}']
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT)

def wait_for_server(proc, port: int, token: str, timeout: float = T(300)):
    "Poll the server's /api/status until it answers 200."
    url, t0 = f'http://127.0.0.1:{port}/api/status?token={token}', time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None: raise Failure(f'jupyter lab exited with code {proc.returncode} before answering')
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200: return
        except OSError: pass
        time.sleep(0.5)
    raise Failure(f'jupyter lab did not answer on port {port} within {timeout:.0f} s')

def children(pid: int) -> list[int]:
    "PIDs of all descendants of `pid` (the kernels and their helpers), from /proc."
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try: kids = [int(c) for t in Path(f'/proc/{p}/task').iterdir() for c in (t / 'children').read_text().split()]
        except OSError: kids = []
        out += kids; todo += kids
    return out

def stop_server(proc):
    "SIGTERM the server by its PID (it shuts its kernels down), then SIGKILL whatever of it and its children is left."
    if proc is None: return
    kids = children(proc.pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try: proc.wait(timeout=20)
        except subprocess.TimeoutExpired: proc.kill(); proc.wait()
    for pid in kids:
        try: os.kill(pid, signal.SIGKILL)
        except ProcessLookupError: pass
    log(f'server {proc.pid} stopped (exit code {proc.returncode}); {len(kids)} child process(es) were running under it')

def prompts(page) -> list[str]:
    "The input prompts of the notebook's code cells, e.g. '[3]:', '[*]:' or '[ ]:'."
    return page.eval_on_selector_all('.jp-CodeCell .jp-InputArea-prompt', 'els => els.map(e => e.textContent.trim())')

def wait_until(pred, what: str, timeout: float, poll: float = 0.5):
    "Poll `pred()` until it returns something truthy; return that, or fail with `what`."
    t0 = time.time()
    while time.time() - t0 < timeout:
        r = pred()
        if r: return r
        time.sleep(poll)
    raise Failure(f'timed out after {timeout:.0f} s waiting for {what}')

KERNEL_IDLE = r'''() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
    .some(e => /^(?!No Kernel).+ \| Idle$/.test(e.textContent.trim()))'''

IMG_STATE = '''img => fetch(img.src).then(r => r.arrayBuffer()).then(b => {
    const a = new Uint8Array(b); let h = 0;
    for (let i = 0; i < a.length; i++) h = (h * 31 + a[i]) >>> 0;
    return {src: img.src, bytes: a.length, hash: h, width: img.naturalWidth, height: img.naturalHeight};
})'''

def run_browser_test(port: int, token: str, tmp: Path, screenshot: Path = SCREENSHOT):
    url = f'http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?token={token}'
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=T(120) * 1000)
        page = browser.new_page(viewport={'width': 1400, 'height': 1000})
        page.set_default_timeout(T(120) * 1000)              # clicks, focus, locators (ms)
        page.set_default_navigation_timeout(T(300) * 1000)   # JupyterLab's first load
        errors = []
        page.on('pageerror', lambda exc: errors.append(str(exc)))
        page.on('console', lambda m: errors.append(m.text) if m.type == 'error' else None)
        try:
            log(f'opening {url.replace(token, "<token>")}')
            page.goto(url, wait_until='load')
            page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=T(300) * 1000)
            # the kernel must be up before Run All is useful: the status bar reads e.g. "Python 3 (ipykernel) | Idle" once it
            # is (the toolbar's indicator already says idle while there is no kernel yet)
            wait_until(lambda: page.evaluate(KERNEL_IDLE), 'the kernel to start', T(300))
            n_cells = len(prompts(page))
            log(f'notebook open, kernel idle, {n_cells} code cells; Run > Run All Cells')
            started = lambda: any(x != '[ ]:' for x in prompts(page))
            for attempt in range(2):
                page.get_by_role('menuitem', name='Run', exact=True).click()
                page.get_by_role('menuitem', name='Run All Cells', exact=True).click()
                try: wait_until(started, 'the cells to start running', T(60)); break
                except Failure:
                    if attempt: raise
                    log('no cell started running: Run All Cells again')
            done = lambda: (lambda ps: ps if ps and all(x[1:-2].strip().isdigit() for x in ps) else None)(prompts(page))
            ps = wait_until(done, 'every code cell to have run', T(900))
            log(f'all cells ran: {" ".join(ps)}')
            errs = page.eval_on_selector_all('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
                                             '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]',
                                             'els => els.map(e => e.textContent.slice(0, 2000))')
            tracebacks = [e for e in errs if 'Traceback' in e or 'Error' in e]
            if tracebacks: raise Failure('a cell raised:\n' + '\n'.join(tracebacks))
            imgs = '.jp-OutputArea-output .widget-image'
            wait_until(lambda: page.eval_on_selector_all(imgs, 'els => els.filter(e => e.src && e.complete && e.naturalWidth > 0).length') >= N_IMAGES,
                       f'{N_IMAGES} widget images to render', T(300))
            log(f'{page.locator(imgs).count()} widget images rendered')

            # the explorer: the first widget box with a 'seed' slider and a 'cfg' slider
            explorer = page.locator('.jp-OutputArea-output > .widget-vbox').filter(
                has=page.locator('.widget-slider .widget-label', has_text='cfg')).first
            explorer.wait_for(timeout=T(120) * 1000)
            seed = explorer.locator('.widget-slider').filter(has=page.locator('.widget-label', has_text='seed')).first
            status = explorer.locator(':scope > .widget-html').first
            image = explorer.locator(':scope > .widget-image').first
            wait_until(lambda: 'drawn in' in status.inner_text(), "the explorer's first drawing", T(300))
            before = image.evaluate(IMG_STATE)
            readout0 = int(seed.locator('.widget-readout').inner_text())
            log(f"explorer: seed slider at {readout0}, image {before['width']}x{before['height']}, "
                f"{before['bytes']} bytes, status: {status.inner_text()!r}")

            explorer.scroll_into_view_if_needed()
            handle = seed.locator('.noUi-handle').first
            handle.focus()
            if not handle.evaluate('h => h === document.activeElement'): raise Failure('the seed handle did not take focus')
            # a new drawing shows "drawing ..." in the status line; watch for it from the page, since it may be brief
            status.evaluate('''el => { window.__sawDrawing = false;
                new MutationObserver(() => { if (el.textContent.includes('drawing')) window.__sawDrawing = true; })
                    .observe(el, {childList: true, subtree: true, characterData: true}); }''')
            for _ in range(PRESSES): handle.press('ArrowRight'); time.sleep(0.3)
            readout1 = int(seed.locator('.widget-readout').inner_text())
            log(f'pressed ArrowRight {PRESSES} times: seed readout {readout0} -> {readout1}')
            if readout1 != readout0 + PRESSES: raise Failure(f'the seed readout went {readout0} -> {readout1}, not +{PRESSES}')

            def settled(check, what):
                "Wait for an image that passes `check`, with the status line done drawing, unchanged for a second."
                def pred():
                    s = image.evaluate(IMG_STATE)
                    if not (check(s) and 'drawn in' in status.inner_text()): return None
                    time.sleep(1.0)
                    return s if image.evaluate(IMG_STATE)['hash'] == s['hash'] and 'drawn in' in status.inner_text() else None
                return wait_until(pred, what, T(300))
            after = settled(lambda s: s['src'] != before['src'] and s['hash'] != before['hash'], "the explorer's image to change")
            saw = page.evaluate('window.__sawDrawing')
            log(f"explorer image changed: src {before['src'][:40]}... -> {after['src'][:40]}..., "
                f"PNG {before['bytes']} -> {after['bytes']} bytes (hash {before['hash']:08x} -> {after['hash']:08x}); "
                f"status went through 'drawing ...': {saw}; now {status.inner_text()!r}")
            if not saw: raise Failure("the status line never showed 'drawing ...': the kernel did not get the new seed")
            # and back: ArrowLeft as often must bring back exactly the first picture (from the kernel's cache)
            handle.focus()
            for _ in range(PRESSES): handle.press('ArrowLeft'); time.sleep(0.3)
            readout2 = int(seed.locator('.widget-readout').inner_text())
            if readout2 != readout0: raise Failure(f'after ArrowLeft x{PRESSES} the seed readout is {readout2}, not {readout0}')
            back = settled(lambda s: s['hash'] == before['hash'], f'the seed-{readout0} picture to come back')
            log(f"pressed ArrowLeft {PRESSES} times: seed readout {readout1} -> {readout2}, the first picture is back "
                f"(hash {back['hash']:08x}, {back['bytes']} bytes)")

            # two other families: their own controls, from their knob declarations, must move their pictures too
            shown = back
            for family in FAMILIES:
                explorer.locator('.widget-dropdown select').first.select_option(family)
                shown = settled(lambda s, prev=shown['hash']: s['hash'] != prev and status.inner_text().startswith(f'{family}:'),
                                f"the {family} picture after choosing it in the model menu")
                cfg = explorer.locator('.widget-slider').filter(has=page.locator('.widget-label', has_text='cfg')).first
                before_cfg = cfg.locator('.widget-readout').inner_text()
                handle = cfg.locator('.noUi-handle').first
                explorer.scroll_into_view_if_needed(); handle.focus()
                for _ in range(PRESSES): handle.press('ArrowRight'); time.sleep(0.3)
                after_cfg = cfg.locator('.widget-readout').inner_text()
                if after_cfg == before_cfg: raise Failure(f"{family}: the cfg readout did not move ({before_cfg})")
                moved = settled(lambda s, prev=shown['hash']: s['hash'] != prev and status.inner_text().startswith(f'{family}:'),
                                f"the {family} picture to change after moving its cfg control")
                log(f"{family}: cfg {before_cfg} -> {after_cfg}, picture {shown['hash']:08x} -> {moved['hash']:08x}; "
                    f"status: {status.inner_text()!r}")
                shown = moved
            explorer.scroll_into_view_if_needed()
            screenshot.parent.mkdir(exist_ok=True)
            page.screenshot(path=screenshot)
            log(f'screenshot saved to {screenshot.relative_to(ROOT)}')
        except Exception:
            shot = tmp / 'failure.png'
            try: page.screenshot(path=shot); log(f'screenshot of the failing page: {shot}')
            except Exception as e: log(f'no failure screenshot: {e}')
            if errors: log('browser errors:\n  ' + '\n  '.join(errors[-20:]))
            raise
        finally:
            browser.close()

def _raise_exit(signum, frame):
    "Turn a termination signal into SystemExit, so that `finally` stops the server."
    raise SystemExit(f'FAIL: interrupted by signal {signal.Signals(signum).name}')

def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--update-figure', action='store_true',
                    help=f'save the screenshot to the tracked {FIGURE.relative_to(ROOT)} (default: {SCREENSHOT.relative_to(ROOT)})')
    args = ap.parse_args()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP): signal.signal(sig, _raise_exit)
    if not Path(CHROMIUM).exists():
        sys.exit(f'FAIL: {CHROMIUM} not found: install Debian\'s chromium (apt-get install -y chromium); '
                 f'playwright drives it, `playwright install` is not used')
    tmp = Path(tempfile.mkdtemp(prefix='arwork-browser-test-'))
    nb_path = ROOT / NOTEBOOK
    if not nb_path.exists(): sys.exit(f'FAIL: {NOTEBOOK} does not exist')
    original = nb_path.read_bytes()
    port, token, proc = free_port(), secrets.token_hex(24), None
    logfile = open(tmp / 'jupyter.log', 'w')
    try:
        proc = start_server(tmp, port, token, logfile)
        log(f'jupyter lab started: PID {proc.pid}, port {port}, log {tmp / "jupyter.log"}')
        wait_for_server(proc, port, token)
        log('server answers')
        run_browser_test(port, token, tmp, FIGURE if args.update_figure else SCREENSHOT)
    except (Failure, PWTimeout) as e:
        print(f'FAIL: {e}', file=sys.stderr)
        tail = (tmp / 'jupyter.log').read_text()[-3000:]
        print(f'--- last lines of the jupyter log ---\n{tail}', file=sys.stderr)
        return 1
    except Exception as e:
        traceback.print_exc()
        print(f'FAIL: unexpected {type(e).__name__}: {e}', file=sys.stderr)
        return 1
    finally:
        stop_server(proc)
        logfile.close()
        if nb_path.read_bytes() != original:
            nb_path.write_bytes(original); log(f'{NOTEBOOK} had been rewritten by the server: restored')
    log('PASS')
    return 0

T0 = time.perf_counter()
if __name__ == '__main__': sys.exit(main())
