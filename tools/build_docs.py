"""Build the documentation site into `_docs/` without Quarto: `python tools/build_docs.py` from the repo root.

1. nbdev's own notebook processors turn `nbs/**/*.ipynb` into `_proc/` exactly as `nbdev_proc_nbs` (and so
   `nbdev_docs`) would: exported cells, import cells and `show_doc` cells are executed, the `show_doc` cells get
   their rendered API docs, and exported and hidden cells are dropped. (`nbdev_proc_nbs` itself first tries to
   install Quarto.) The notebooks keep their imports in import-only cells, so no test cell runs there; the build
   first checks that, and stops naming any cell that mixes imports with other code (`nbdev_docs` would run it).
   The few module notebooks that draw figures and run in seconds (`EXECUTE`; more with `--execute NB ...`) are
   run first, with `nbdev_test`'s rules, so that their pages show the figures; their outputs stay in `_proc/`.
   Meanwhile `tools/doc_figures.py` draws one figure for each other module page (from the demo weights in `data/`
   when they are there), which goes under the page's title.
2. nbconvert's `lab` template turns every processed notebook into `_docs/<same path>.html`, with math
   rendered to MathML and no script from a CDN, so the pages work offline; output images are embedded.
   Test-only cells are left off (the rules: `tools/docs_site.py`).
3. Every page gets a sidebar listing all pages with a search box, prev/next links and a table of contents of its
   sections; links to other notebooks, to the nbdev doc host and to `figures/` (copied to `_docs/figures/`) are made
   relative so that they resolve in `_docs/`.
4. `api.html`, the API index, lists every public class and function (each module's `__all__`) with the first line of
   its docstring, linked to its section; the build stops if one has no docstring of its own (`show_doc` would show
   its base class's) or no section to link to, or if a module page has no figure. `search.json` (and
   `search_index.js`, for pages opened from the file system) index every section of every page for the search box
   (`tools/docs_search.js`, no server needed).

`--site-only` writes `_docs/` again from an earlier build's `_proc/` (seconds: for work on the site itself).
`python tools/check_docs.py` then checks the site in headless Chromium.
"""
import argparse, ast, json, os, posixpath, re, shutil, sys, time
from concurrent.futures import ProcessPoolExecutor
from html import escape
from multiprocessing import get_context
from pathlib import Path

import jinja2, yaml
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from latex2mathml.converter import convert as tex2mathml
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.process import NBProcessor
from nbdev.processors import FilterDefaults, FrontmatterProc, populate_language, add_show_docs, _do_eval
from traitlets.config import Config
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
# this checkout's arwork, not another one an editable install may point at: for the build, its processes and the notebooks
sys.path.insert(0, str(ROOT))
os.environ['PYTHONPATH'] = os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get('PYTHONPATH')] if p])

from docs_site import (SEARCH_BOX, test_only_cells, fix_heading_ids, toc_html, search_sections, search_script,
                       write_search_index, public_api, api_index_markdown)

PROC, DOCS, FIGURES = ROOT / '_proc', ROOT / '_docs', ROOT / 'figures'
SITE_FIGURES = PROC / '_site_figures'    # drawn by tools/doc_figures.py; copied to _docs/site-figures/

# ---------------------------------------------------------------- 1. nbdev processing

# Module notebooks that draw figures and run in seconds: the docs build executes them (as `nbdev_test` does, outputs
# kept in `_proc/` only), so their pages show the figures without outputs committed to the notebooks. The others
# are too slow for that (60_eval: minutes) or draw nothing; tutorials are committed with their outputs.
EXECUTE = ['01_data.ipynb']
SKIP_FLAGS = get_config().get('tst_flags', '').split()

def _doc_only(cell):
    "Whether `cell` is what nbdev's docs processing should execute: exported code, imports only, or `show_doc` only."
    if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}: return True
    stmts = cell.parsed_() or []
    return (all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmts) or
            all(isinstance(s, ast.Expr) and getattr(getattr(s.value, 'func', None), 'id', None) == 'show_doc' for s in stmts))

def check_import_cells(src: Path) -> list[str]:
    """The cells of `src` that nbdev's docs processing would execute although they are tests or examples.

    `exec_show_docs` runs every cell that contains an import anywhere (besides exported and `show_doc` cells), so
    an import inside a test cell makes `nbdev_docs` run that test, where the names earlier tests defined are
    missing. Such imports belong in an import-only cell."""
    nb = read_nb(src)
    NBProcessor(nb=nb, procs=[FrontmatterProc, populate_language, add_show_docs]).process()
    if not getattr(nb, 'has_docs_', False): return []
    return [f'{src}: cell {c.get("id", c.idx_)} mixes imports with other code (move them to an import-only cell):\n'
            + '\n'.join('    ' + l for l in c.source.splitlines()[:4])
            for c in nb.cells if c.cell_type == 'code' and _do_eval(c) and not _doc_only(c)]

def execute(nb, src: Path):
    "Run `nb`'s cells in place, keeping their outputs, with `nbdev_test`'s rules (skipping `tst_flags` and `eval: false`)."
    NBProcessor(nb=nb, procs=[FrontmatterProc], rm_directives=False)   # parses the `#|` directives, leaving them for
                                                                       # the docs processing (export -> show_doc)
    def skip(cell):
        if cell.cell_type != 'code' or 'nbdev_export' + '(' in cell.source: return True
        d = getattr(cell, 'directives_', {}) or {}
        return d.get('eval:', [''])[0].lower() == 'false' or bool(set(SKIP_FLAGS) & d.keys())
    shell = CaptureShell(src)
    with working_directory(src.parent): shell.run_all(nb, exc_stop=True, preproc=skip)

def process_notebook(src: Path, dst: Path, run: bool = False):
    "Run nbdev's docs processors on notebook `src`, exactly as `nbdev_proc_nbs` does (after running it all if `run`)."
    t0 = time.perf_counter()
    os.environ['IN_TEST'] = '1'   # as nbdev's own processing does
    nb = read_nb(src)
    if run: execute(nb, src)
    FilterDefaults()(nb)
    dst.parent.mkdir(parents=True, exist_ok=True)
    write_nb(nb, dst)
    return time.perf_counter() - t0

def draw_figure(nb, out_dir: Path):
    "`tools/doc_figures.py`'s figure of notebook `nb` into `out_dir`: `{nb: {file, caption, seconds}}`."
    import doc_figures
    return doc_figures.draw([nb], out_dir, manifest=False)

def init_worker():
    "One torch thread per worker: two workers on two cores, and no oversubscription on a shared machine."
    import torch
    torch.set_num_threads(1)

def process_all(notebooks, nbs, run=()):
    """Process every notebook into `_proc/` in two worker processes that take one notebook after another (as
    `nbdev_proc_nbs`'s pool does; each notebook gets a fresh shell, and the workers import torch once); meanwhile draw
    the build-time figures of the module pages whose notebooks are not run (`tools/doc_figures.py`) into `SITE_FIGURES`,
    with their manifest `figures.json`."""
    t0 = time.perf_counter()
    mixed = [m for nb in notebooks for m in check_import_cells(nbs / nb)]
    if mixed: sys.exit('nbdev_docs would run test cells:\n' + '\n'.join(mixed))
    SITE_FIGURES.mkdir(parents=True, exist_ok=True)
    # the jobs name their functions by this file's module name, not `__main__`: a worker's notebook shell (IPython)
    # replaces `sys.modules['__main__']`, so the worker could no longer find them there for its next notebook
    import build_docs as this
    with ProcessPoolExecutor(2, mp_context=get_context('spawn'), initializer=this.init_worker) as pool:
        order = sorted(notebooks, key=lambda nb: nb not in run)          # the notebooks that run (slow) first
        jobs = {nb: pool.submit(this.process_notebook, nbs / nb, PROC / nb, nb in run) for nb in order}
        import doc_figures                                                # torch and matplotlib: while the pool works
        figs = {nb: pool.submit(this.draw_figure, nb, SITE_FIGURES)
                for nb in doc_figures.FIGURES if nb in notebooks and nb not in run}
    failed = [f'{nb}: {job.exception()}' for nb, job in jobs.items() if job.exception()]
    failed += [f'the build-time figure of {nb} (tools/doc_figures.py): {job.exception()}' for nb, job in figs.items() if job.exception()]
    if failed: sys.exit('processing failed:\n' + '\n'.join(failed))
    manifest = {nb: m for job in figs.values() for nb, m in job.result().items()}
    (SITE_FIGURES / 'figures.json').write_text(json.dumps(manifest, indent=1))
    slowest = sorted(((job.result(), nb) for nb, job in jobs.items()), reverse=True)[:3]
    print(f'processed in {time.perf_counter() - t0:.0f} s; slowest: ' + ', '.join(f'{nb} {t:.0f} s' for t, nb in slowest)
          + f'; {len(manifest)} build-time figures in {sum(m["seconds"] for m in manifest.values()):.0f} s in all '
          f'(slowest: {max(manifest.items(), key=lambda kv: kv[1]["seconds"])[0] if manifest else "-"})', flush=True)

# ---------------------------------------------------------------- 2. HTML

TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js %}{% endblock %}
{% block jupyter_widgets %}{% endblock %}
{% block html_head_js_mathjax %}{% endblock %}
{% block html_head_js_mermaidjs %}{% endblock %}
{% block extra_css %}<link rel="icon" href="data:,"><style>{{ resources.site.css }}</style>{% endblock %}
{% block body_header %}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.site.nav }}
<aside class="site-toc" id="site-toc"></aside>
<main>
{{ resources.site.pager }}
{% endblock %}
{% block body_footer %}
{{ resources.site.pager }}
</main>
{{ resources.site.script }}
</body>
{% endblock %}
"""

CSS = """
body.jp-Notebook { margin: 0; padding: 0; }
.site-nav { position: fixed; top: 0; bottom: 0; left: 0; width: 15rem; overflow-y: auto; box-sizing: border-box;
  padding: 1.2rem 1rem; background: #f6f8fa; border-right: 1px solid #d8dee4; font: 14px/1.6 system-ui, sans-serif; }
.site-nav .site-title { display: block; font-size: 1.3rem; font-weight: 700; margin-bottom: .8rem; color: #1f2328; }
.site-nav h4 { margin: 1rem 0 .2rem; font-size: .75rem; text-transform: uppercase; color: #656d76; }
.site-nav ul { list-style: none; margin: 0; padding: 0; }
.site-nav a { display: block; padding: .1rem .5rem; border-radius: 4px; color: #0550ae; text-decoration: none; }
.site-nav a:hover { background: #e7ecf0; }
.site-nav a.current { background: #dbe9f9; color: #1f2328; font-weight: 600; }
main { margin-left: 15rem; padding: 1rem 2rem 3rem; max-width: 62rem; }
.site-pager { display: flex; justify-content: space-between; gap: 1rem; margin: .5rem 0 1rem;
  font: 14px system-ui, sans-serif; }
.site-pager a { color: #0550ae; text-decoration: none; }
.jp-OutputArea .jp-RenderedMarkdown pre { background: #f6f8fa; padding: .5rem; border-radius: 4px; }
.jp-RenderedMarkdown a code { color: #0550ae; }
.jp-RenderedMarkdown blockquote { border-left: 3px solid #d8dee4; color: #57606a; }
.site-search { position: relative; margin: 0 0 .8rem; }
.site-search input { width: 100%; box-sizing: border-box; padding: .35rem .5rem; font: inherit;
  border: 1px solid #d0d7de; border-radius: 6px; background: #fff; }
.site-search-results { position: fixed; left: 1rem; top: 5.2rem; width: min(36rem, calc(100vw - 2rem)); max-height: 70vh;
  overflow-y: auto; z-index: 10; background: #fff; border: 1px solid #d0d7de; border-radius: 6px;
  box-shadow: 0 8px 24px rgba(140, 149, 159, .3); font: 14px/1.45 system-ui, sans-serif; }
.site-search-results a.search-hit { display: block; padding: .45rem .7rem; border-radius: 0; color: #1f2328;
  border-bottom: 1px solid #eaeef2; }
.site-search-results a.search-hit.active, .site-search-results a.search-hit:hover { background: #ddf4ff; }
.search-hit-title { display: block; font-weight: 600; color: #0550ae; }
.search-hit-text { display: block; color: #57606a; font-size: 13px; overflow-wrap: anywhere; }
.search-hit mark { background: #fff8c5; color: inherit; }
.search-empty { padding: .6rem .8rem; color: #57606a; }
.site-toc { position: fixed; top: 0; bottom: 0; right: 0; width: 14rem; overflow-y: auto; box-sizing: border-box;
  padding: 1.2rem .8rem; border-left: 1px solid #d8dee4; font: 13px/1.45 system-ui, sans-serif; background: #fff; }
.site-toc:empty { display: none; }
.site-toc h4 { margin: 0 0 .4rem; font-size: .75rem; text-transform: uppercase; color: #656d76; }
.site-toc ul { list-style: none; margin: 0; padding: 0; }
.site-toc li.toc-h3 { padding-left: .8rem; }
.site-toc a { display: block; padding: .08rem .3rem; color: #0550ae; text-decoration: none; overflow-wrap: anywhere; }
.site-toc a:hover { background: #f3f6f9; }
.site-toc code { font-size: 12px; }
body.has-toc main { margin-right: 14rem; }
figure.site-figure { margin: 1rem 0 1.5rem; }
figure.site-figure img { max-width: 100%; }
figure.site-figure figcaption { font: 13px/1.5 system-ui, sans-serif; color: #57606a; margin-top: .3rem; }
.api-kind { font: 12px system-ui, sans-serif; color: #656d76; }
@media (max-width: 72rem) { .site-toc { position: static; width: auto; border: 1px solid #d8dee4; border-radius: 6px;
  margin: 1rem 2rem 0 17rem; max-height: 16rem; } body.has-toc main { margin-right: 0; } }
@media (max-width: 50rem) { .site-nav { position: static; width: auto; } main { margin-left: 0; }
  .site-toc { margin: 1rem; } .site-search-results { position: absolute; top: 2.4rem; left: 0; } }
"""

class MathMLRenderer(IPythonRenderer):
    "nbconvert's markdown renderer, with `$...$` and `$$...$$` written as MathML (browsers draw it, no MathJax)."
    def _math(self, tex, display):
        try: return tex2mathml(tex, display=display)
        except Exception: return f'<code>{self.escape_html(tex)}</code>'
    def inline_math(self, body): return self._math(body, 'inline')
    def block_math(self, body): return self._math(body, 'block')

class OfflineHTMLExporter(HTMLExporter):
    "The `lab` HTML exporter with `MathMLRenderer` for markdown (cells and `show_doc` outputs)."
    @jinja2.pass_context
    def markdown2html(self, context, source):
        cell = context.get('cell', {})
        renderer = MathMLRenderer(escape=False, attachments=cell.get('attachments', {}),
                                  embed_images=self.embed_images,
                                  path=context.get('resources', {}).get('metadata', {}).get('path', ''),
                                  anchor_link_text=self.anchor_link_text,
                                  exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)

def make_exporter():
    "An exporter that drops the input of `#| echo: false` cells (tagged `remove_input` by `prepare`)."
    config = Config({'TagRemovePreprocessor': {'enabled': True, 'remove_input_tags': ['remove_input']}})
    return OfflineHTMLExporter(config=config, template_name='lab',
                               exclude_input_prompt=True, exclude_output_prompt=True, template_file='site.html.j2',
                               extra_loaders=[jinja2.DictLoader({'site.html.j2': TEMPLATE})])

_re_directive = re.compile(r'^#\|\s*([\w-]+):?\s*(.*)$')
_re_cr = re.compile(r'[^\n]*\r(?!\n)')           # a line's text up to its last bare carriage return
_re_quarto_link = re.compile(r'\[([^\]]*)\]\(([^)\s]*)\)\{([^}]*)\}')   # [text](url){target="_blank" ...}
_re_show_doc = re.compile(r'show_doc\([\w.]+\)')

def html_links(md):
    """Quarto's `[text](url){key=\"value\" ...}` links (nbdev's `source` links) as HTML links with those attributes.
    With no `git_url` in settings.ini (arwork has no public repository yet) the `source` links are left out: nbdev
    would point them at `/blob/main/...`, which exists nowhere."""
    has_repo = bool(get_config().git_url)
    def link(m):
        if m[1] == 'source' and not has_repo: return ''
        attrs = ' '.join(re.findall(r'[\w-]+="[^"]*"', m[3]))
        return f'<a href="{m[2]}" {attrs}>{m[1]}</a>'
    return _re_quarto_link.sub(link, md)

def prepare(nb):
    """Make a processed notebook nbconvert-ready: frontmatter -> title, `#|` directives applied and removed, test-only
    cells left off (the rules are in `docs_site`'s docstring), `show_doc` cells tagged `api` (their headings own
    their symbol's id)."""
    directives, sources = [], []
    for cell in nb.cells:
        lines = cell.get('source', '').splitlines() if cell.cell_type == 'code' else []
        directives.append(dict(m.groups() for m in map(_re_directive.match, lines) if m))
        sources.append('\n'.join(l for l in lines if not _re_directive.match(l)).strip())
    hidden = test_only_cells(nb.cells, sources)
    cells = []
    for i, cell in enumerate(nb.cells):
        src = cell.get('source', '')
        if cell.cell_type == 'raw' and src.startswith('---'):
            fm = yaml.safe_load(src.strip().strip('-')) or {}
            title, desc = fm.get('title', ''), fm.get('description', '')
            cell.update(cell_type='markdown', source=f'# {title}' + (f'\n\n> {desc}' if desc else ''))
        elif cell.cell_type == 'markdown': cell.source = html_links(src)
        elif cell.cell_type == 'code':
            d = directives[i]
            if i in hidden or d.get('include') == 'false': continue
            cell.source = sources[i]
            tags = []
            if d.get('echo') == 'false': tags.append('remove_input')
            if _re_show_doc.fullmatch(cell.source): tags.append('api')
            if tags: cell.setdefault('metadata', {})['tags'] = tags
            if d.get('output') == 'false': cell['outputs'] = []
            for out in cell.get('outputs', []):
                # notebook files may store multi-line strings as lists of lines (nbformat joins them on reading,
                # execnb's read_nb does not); a stream shows what a terminal would, progress bars' \r included
                if isinstance(out.get('text'), list): out['text'] = ''.join(out['text'])
                if 'text' in out: out['text'] = _re_cr.sub('', out['text'])
                for mime, v in out.get('data', {}).items():
                    if isinstance(v, list): out['data'][mime] = ''.join(v)
                if 'text/markdown' in out.get('data', {}):
                    md = html_links(out['data']['text/markdown'])
                    if 'api' in tags:   # a method's section is called by its qualified name, as nbdev links to it
                        qualname = cell.source[len('show_doc('):-1]
                        md = re.sub(r'^(#+) (\S+)$', lambda m: f'{m[1]} {qualname}' if qualname.endswith('.' + m[2]) else m[0],
                                    md, count=1, flags=re.M)
                    out['data']['text/markdown'] = md
        if cell.get('source', '').strip() or cell.get('outputs'): cells.append(cell)
    nb.cells = cells
    nb.metadata.pop('widgets', None)
    return nb, len(hidden)

# ---------------------------------------------------------------- 3. navigation and links

def title_of(path: Path):
    "The text of the notebook's first `# Title` markdown line (its file name if it has none)."
    for cell in read_nb(path).cells:
        if cell.cell_type == 'markdown':
            for line in cell.source.splitlines():
                if line.startswith('# '): return line[2:].strip()
    return path.stem

def html_name(nb: str):
    "The site path of notebook `nb`: `tutorials/var.ipynb` -> `tutorials/var.html`."
    return nb[:-len('.ipynb')] + '.html'

def rel(target: str, page: str):
    "URL of site path `target` from the page at site path `page`."
    return posixpath.relpath(target, posixpath.dirname(page) or '.')

def nav_html(pages, titles, page):
    "The sidebar: the top-level notebooks, then one titled group per sub-folder (e.g. tutorials)."
    groups = {}
    for p in pages: groups.setdefault(posixpath.dirname(p), []).append(p)
    home = f'<a class="site-title" href="{rel(pages[0], page)}">{escape(titles[pages[0]])}</a>'
    out = ['<nav class="site-nav">', home, SEARCH_BOX]
    for folder, members in groups.items():
        if folder: out.append(f'<h4>{escape(folder.replace("_", " ").title())}</h4>')
        out.append('<ul>')
        for p in members:
            cls = ' class="current"' if p == page else ''
            out.append(f'<li><a{cls} href="{rel(p, page)}">{escape(titles[p])}</a></li>')
        out.append('</ul>')
    return '\n'.join(out + ['</nav>'])

def pager_html(pages, titles, page):
    "Links to the previous and next pages."
    i = pages.index(page)
    prev = f'<a href="{rel(pages[i-1], page)}">&larr; {escape(titles[pages[i-1]])}</a>' if i > 0 else '<span></span>'
    nxt = (f'<a href="{rel(pages[i+1], page)}">{escape(titles[pages[i+1]])} &rarr;</a>' if i + 1 < len(pages)
           else '<span></span>')
    return f'<div class="site-pager">{prev}{nxt}</div>'

def quarto_name(page):
    "The name Quarto (and so nbdev's doc links) gives the page: `20_generators.gpt.html` -> `generators.gpt.html`."
    return re.sub(r'(^|/)\d+_', r'\1', page)

class LinkRewriter:
    """Makes the URLs in the pages resolve inside `_docs/`.

    `x.ipynb` -> `x.html`; `{doc_host}{doc_baseurl}/core.html#sym` (nbdev's links to its Quarto pages, named
    without the number prefix) -> the page here, at `sym` or else the nearest documented parent (`Trainer.fit`
    -> `Trainer`); relative links into `figures/` -> `_docs/figures/`. Heading ids and `#fragments` are
    lower-cased, as Quarto writes them and as nbdev links to them."""
    _re_heading_id = re.compile(r'(<h[1-6][^>]* id=")([^"]*)"')

    def __init__(self, pages, nbs):
        "`pages`: the html of every page, by site path."
        cfg = get_config()
        self.doc_url = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'
        self.quarto = {quarto_name(p): p for p in pages}
        self.ids = {p: {m[2].lower() for m in self._re_heading_id.finditer(html)} for p, html in pages.items()}
        self.nbs = nbs

    def url(self, url, page):
        if url.startswith(self.doc_url):
            path, _, frag = url[len(self.doc_url):].partition('#')
            if path not in self.quarto: return url
            target, frag = self.quarto[path], frag.lower()
            while frag and frag not in self.ids[target]: frag = frag.rpartition('.')[0]
            return rel(target, page) + ('#' + frag if frag else '')
        if re.match(r'^[a-z][\w+.-]*:', url, re.I): return url   # http:, data:, mailto: ...
        path, _, frag = url.partition('#')
        if path.endswith('.ipynb'): path = html_name(path)
        elif path:
            target = (self.nbs / posixpath.dirname(page) / path).resolve()
            if target.is_relative_to(FIGURES): path = rel('figures/' + target.relative_to(FIGURES).as_posix(), page)
        return path + ('#' + frag.lower() if frag else '')

    def resolves(self, doc_link):
        "Whether nbdev's doc link `page.html#anchor` names a page here and an id on it, exactly."
        path, _, frag = doc_link.partition('#')
        return path in self.quarto and (not frag or frag.lower() in self.ids[self.quarto[path]])

    def __call__(self, html, page):
        html = self._re_heading_id.sub(lambda m: m[1] + m[2].lower() + '"', html)
        return re.sub(r'\b(href|src)="([^"]*)"', lambda m: f'{m[1]}="{self.url(m[2], page)}"', html)

# ---------------------------------------------------------------- 4. the whole site

API_PAGE = 'api.html'
_re_heading = re.compile(r'<h([1-6])\b([^>]*)>(.*?)</h\1>', re.S)

def set_heading_ids(html, ids):
    "Write `ids` (one per heading, in page order) into the page's headings and their `¶` anchor links."
    it = iter(ids)
    def one(m):
        new = escape(next(it))
        attrs = re.sub(r'\sid="[^"]*"', '', m[2]) + f' id="{new}"'
        inner = re.sub(r'(<a class="anchor-link" href=")#[^"]*"', rf'\1#{new}"', m[3])
        return f'<h{m[1]}{attrs}>{inner}</h{m[1]}>'
    head, main_open, rest = html.partition('<main>')
    body, main_close, tail = rest.rpartition('</main>')
    body = _re_heading.sub(one, body)
    if next(it, None) is not None: raise RuntimeError('fewer headings than ids')
    return head + main_open + body + main_close + tail

def finish_page(html, page, title):
    """Unique heading ids, the table of contents and the search sections of a converted page; returns the new html,
    its sections and its number of images."""
    soup = BeautifulSoup(html, 'html.parser')
    main = soup.find('main')
    heads = fix_heading_ids(main)        # on the parsed copy: the ids, in page order
    html = set_heading_ids(html, [h[1] for h in heads])
    toc = toc_html(heads)
    if toc:
        html = html.replace('<aside class="site-toc" id="site-toc"></aside>',
                            f'<aside class="site-toc" id="site-toc" aria-label="On this page">{toc}</aside>', 1)
        html = html.replace('<body class="jp-Notebook"', '<body class="jp-Notebook has-toc"', 1)
    return html, search_sections(main, page, title), len(main.find_all('img'))

def api_notebook(api, pages):
    "The API index page, as a notebook of one markdown cell per module, the modules in the order of their pages."
    from nbformat.v4 import new_markdown_cell, new_notebook
    from arwork._modidx import d
    cfg = get_config()
    doc_url = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'
    order = {quarto_name(p): i for i, p in enumerate(pages)}
    return new_notebook(cells=[new_markdown_cell(md) for md in api_index_markdown(api, doc_url, d['syms'], order)])

def is_module_page(page):
    "Whether `page` documents a module (not the home page, the API index or a tutorial)."
    return page not in ('index.html', API_PAGE) and '/' not in page

def md_inline(text):
    "A caption's markdown (`code` only) as HTML."
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', escape(text, quote=False))

def add_figure(nb, fig, root):
    "Put the build-time figure `fig` (`{file, caption}` of `figures.json`) under the page's title and description."
    from nbformat.v4 import new_markdown_cell
    src = f'{root}site-figures/{fig["file"]}'
    cell = new_markdown_cell(f'<figure class="site-figure"><img src="{escape(src)}" alt="{escape(fig["caption"])}">'
                             f'<figcaption>{md_inline(fig["caption"])}</figcaption></figure>')
    at = next((i + 1 for i, c in enumerate(nb.cells) if c.cell_type == 'markdown' and c.source.startswith('# ')), 0)
    nb.cells.insert(at, cell)

def check_docstrings(api):
    "Every public class and function must have a docstring of its own (else `show_doc` shows its base class's, or none)."
    missing = [f'{mod}.{name} ({kind})' for mod, name, kind, doc in api if not doc]
    if missing: sys.exit(f'{len(missing)} public classes and functions have no docstring of their own (give each a one-line '
                         'docstring in its notebook):\n  ' + '\n  '.join(missing))

def write_site(notebooks, nbs):
    """Convert the processed notebooks (and the API index) into `_docs/`, with navigation, a search box and a table of
    contents on every page, rewritten links, `figures/`, and the search index."""
    api = public_api()
    check_docstrings(api)
    sources = {html_name(nb): nb for nb in notebooks}
    pages = [html_name(notebooks[0]), API_PAGE] + [html_name(nb) for nb in notebooks[1:]]
    titles = {html_name(nb): title_of(nbs / nb) for nb in notebooks} | {API_PAGE: 'API index'}
    manifest = SITE_FIGURES / 'figures.json'
    figs = {html_name(nb): f for nb, f in json.loads(manifest.read_text()).items()} if manifest.exists() else {}
    exporter, html, sections, n_hidden, no_figure = make_exporter(), {}, [], 0, []
    for page in pages:
        root = '../' * page.count('/')
        site = dict(css=CSS, nav=nav_html(pages, titles, page), pager=pager_html(pages, titles, page),
                    script=search_script(root))
        resources = {'metadata': {'name': titles[page]}, 'site': site}
        if page == API_PAGE: nb = api_notebook(api, pages)
        else:
            nb, k = prepare(read_nb(PROC / sources[page])); n_hidden += k
            if page in figs: add_figure(nb, figs[page], root)
        html[page], _ = exporter.from_notebook_node(nb, resources=resources)
        html[page], secs, n_img = finish_page(html[page], page, titles[page])
        sections += secs
        if is_module_page(page) and not n_img: no_figure.append(page)
    if no_figure: sys.exit('module pages without a figure (draw one in the notebook, or add one to tools/doc_figures.py): '
                           + ', '.join(no_figure))
    links = LinkRewriter(html, nbs)
    unresolved = [f'{mod}.{name}' for mod, name, kind, _ in api
                  if not links.resolves(d_syms(mod, name))]
    if unresolved: sys.exit('the API index links to no section for: ' + ', '.join(unresolved))
    shutil.rmtree(DOCS, ignore_errors=True)
    shutil.copytree(FIGURES, DOCS / 'figures')
    DOCS.joinpath('site-figures').mkdir()
    for f in figs.values(): shutil.copy(SITE_FIGURES / f['file'], DOCS / 'site-figures' / f['file'])
    for page in pages:
        (DOCS / page).parent.mkdir(parents=True, exist_ok=True)
        (DOCS / page).write_text(links(html[page], page), encoding='utf-8')
    size = write_search_index(DOCS, titles, sections)
    print(f'{len(pages)} pages ({n_hidden} test-only cells left off), an API index of {len(api)} classes and functions, '
          f'a search index of {len(sections)} sections ({size / 1e6:.1f} MB): open {DOCS / "index.html"}')

def d_syms(mod, name):
    "nbdev's doc link of `mod.name` (its Quarto page and anchor), from `arwork/_modidx.py`."
    from arwork._modidx import d
    return d['syms'][mod][f'{mod}.{name}'][0]

def main():
    "Process every notebook of `nbs_path`, then write the site."
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--execute', nargs='*', default=EXECUTE, metavar='NB',
                    help=f'notebooks (paths under nbs/) to run before processing, so that their pages show outputs '
                         f'(default: {" ".join(EXECUTE)}; none with a bare --execute)')
    ap.add_argument('--site-only', action='store_true',
                    help='only write _docs/ again from the _proc/ of an earlier build (for work on the site itself)')
    args = ap.parse_args()
    os.chdir(ROOT)
    nbs = get_config().nbs_path
    notebooks = sorted((p.relative_to(nbs).as_posix() for p in nbglob(nbs, as_path=True)),
                       key=lambda p: (p != 'index.ipynb', '/' in p, p))
    if args.site_only:
        missing = [nb for nb in notebooks if not (PROC / nb).exists()]
        if missing: sys.exit(f'--site-only: {PROC} lacks {", ".join(missing)}: run a full build first')
        return write_site(notebooks, nbs)
    shutil.rmtree(PROC, ignore_errors=True)
    print(f'processing {len(notebooks)} notebooks into {PROC} ...', flush=True)
    unknown = set(args.execute) - set(notebooks)
    if unknown: sys.exit(f'--execute: no such notebooks: {" ".join(sorted(unknown))}')
    process_all(notebooks, nbs, run=set(args.execute))
    write_site(notebooks, nbs)

if __name__ == '__main__': main()
