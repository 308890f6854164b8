"""The parts of the docs site that Quarto would otherwise give: which cells a page hides, unique heading ids, a table of
contents per page, the search index and its script, and the API index page. Used by `tools/build_docs.py`.

**Test-only cells** are left off the pages (they still run in `nbdev_test`). A code cell is test-only when

1. it says so: `#| include: false` (Quarto's own directive, so `nbdev_docs` hides it too); or
2. it checks something (a `test_*` call -- fastcore's `test_eq`, `test_fail`, `test_close`, ... or a notebook's own --
   or an `assert`), shows nothing (no output, no `print` / `display` / `show_*` / `plt` call, no value on its last
   line), defines no function or class, and sets no name that a cell shown after it uses; or
3. it only imports, and each name it imports is a test helper (`fastcore.test`'s) or is used by no cell shown after it.

So a cell that prints, draws or sets up what the next example uses stays, tests and all: it is part of the story.
The page is decided from its last cell back, so a helper that only hidden tests use is hidden with them.
"""
import ast, json, re
from html import escape
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Comment

TEST_HELPER_MODULES = ('fastcore.test',)

# ---------------------------------------------------------------- test-only cells

def _parse(source):
    "The statements of a code cell's source (its `#|` lines are comments to Python); None if it does not parse."
    try: return ast.parse(source).body
    except SyntaxError: return None

def _callee(node):
    "The name a call calls: `test_eq` for `test_eq(...)` and for `ft.test_eq(...)`."
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ''

def _is_test_call(node): return isinstance(node, ast.Call) and _callee(node.func).startswith('test_')

def checks(stmts) -> bool:
    "Whether the statements hold a test: a `test_*(...)` call or an `assert`."
    return any(isinstance(n, ast.Assert) or _is_test_call(n) for s in stmts for n in ast.walk(s))

_SHOWING = re.compile(r'^(print|display|show_\w+|imshow)$')

def shows(stmts, source) -> bool:
    "Whether the statements would show something: a print, display or drawing call, or a value on the last line."
    for n in (n for s in stmts for n in ast.walk(s)):
        if isinstance(n, ast.Call) and (_SHOWING.match(_callee(n.func)) or
                                        isinstance(n.func, ast.Attribute) and _callee(n.func.value) == 'plt'):
            return True
    last = stmts[-1]
    return isinstance(last, ast.Expr) and not _is_test_call(last.value) and not source.rstrip().endswith(';')

def bound_names(stmts) -> set:
    "The names the statements bind at the top level (assignments, loop and `with` targets, defs, classes, imports)."
    names, todo = set(), list(stmts)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): names.add(n.name); continue
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {a.asname or a.name.partition('.')[0] for a in n.names}; continue
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store): names.add(n.id)
        if isinstance(n, ast.Lambda): continue
        todo += ast.iter_child_nodes(n)
    return names

def imported_names(stmts):
    "`{bound name: module}` of an import-only cell; None if the cell does anything besides importing."
    if not stmts or not all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmts): return None
    names = {}
    for s in stmts:
        for a in s.names:
            if isinstance(s, ast.ImportFrom): names[a.asname or a.name] = s.module or ''
            else: names[a.asname or a.name.partition('.')[0]] = a.name
    return names

def _has_output(cell):
    "Whether the cell shows an output when run (stderr, e.g. a warning a test provokes, does not count)."
    return any(not (o.get('output_type') == 'stream' and o.get('name') == 'stderr') for o in cell.get('outputs', []))

def test_only_cells(cells, sources) -> set:
    """Indices of the cells of a processed notebook that its page leaves off (rules 2 and 3 of this module's doc;
    rule 1 is applied with the other directives). `sources`: each cell's code without its `#|` lines."""
    hidden, shown_later = set(), []
    used = lambda name: any(re.search(rf'(?<![\w.]){re.escape(name)}\b', src) for src in shown_later)
    for i in reversed(range(len(cells))):
        if cells[i].cell_type != 'code': continue
        stmts = _parse(sources[i])
        if not stmts: shown_later.append(sources[i]); continue
        imports = imported_names(stmts)
        if imports is not None:
            test_only = all(mod in TEST_HELPER_MODULES or not used(name) for name, mod in imports.items())
        else:
            test_only = (checks(stmts) and not shows(stmts, sources[i]) and not _has_output(cells[i])
                         and not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                                     for s in stmts for n in ast.walk(s))
                         and not any(map(used, bound_names(stmts))))
        if test_only: hidden.add(i)
        else: shown_later.append(sources[i])
    return hidden

# ---------------------------------------------------------------- heading ids and the table of contents

_re_level = re.compile(r'^h([1-6])$')

def heading_text(h):
    "A heading's text without nbconvert's `¶` anchor link."
    return ''.join(s for s in h.find_all(string=True) if not (s.parent.name == 'a' and 'anchor-link' in (s.parent.get('class') or []))).strip()

def fix_heading_ids(main):
    """Give every heading of the page a unique lower-case id. The headings of API sections (`show_doc` output, in
    cells tagged `api`) own their symbol's id (`gpt.sample`, as nbdev links to it); a prose heading that would take
    the same id gets a suffix (`knobs-1`). Returns `[(level, id, text, is_api)]` in page order."""
    heads = main.find_all(_re_level)
    api = {id(h) for h in heads if h.find_parent(class_='celltag_api')}
    used = {heading_text(h).lower().replace(' ', '-') for h in heads if id(h) in api}
    out = []
    for h in heads:
        text = heading_text(h)
        base = re.sub(r'\s+', '-', text.lower()) if id(h) in api else (h.get('id') or re.sub(r'\s+', '-', text)).lower()
        new = base
        if id(h) not in api:
            k = 0
            while new in used or not new: k += 1; new = f'{base}-{k}'
            used.add(new)
        h['id'] = new
        for a in h.find_all('a', class_='anchor-link'): a['href'] = '#' + new
        out.append((int(_re_level.match(h.name)[1]), new, text, id(h) in api))
    return out

def toc_html(heads):
    "The page's table of contents: its level-2 and level-3 headings (API sections in code type), indented by level."
    items = [f'<li class="toc-h{lvl}"><a href="#{escape(hid)}">{f"<code>{escape(t)}</code>" if is_api else escape(t)}</a></li>'
             for lvl, hid, t, is_api in heads if lvl in (2, 3)]
    if not items: return ''
    return '<h4>On this page</h4><ul>' + ''.join(items) + '</ul>'

# ---------------------------------------------------------------- search index

_SKIP_TEXT = ('script', 'style', 'nav')
_MAX_CHARS = 20_000    # per section and kind: enough for any section written so far, a bound on the index's size

def _squash(s): return re.sub(r'\s+', ' ', s).strip()

def search_sections(main, page, title):
    """The page cut at its level-1 to level-3 headings, each piece `{page, id, title, api, text, code}`: `text` is
    the prose (markdown, docs and printed output), `code` the code shown, `api` the symbol of an API section."""
    sections = [dict(id='', title=title, api='', text=[], code=[])]
    for node in main.descendants:
        if getattr(node, 'name', None) and _re_level.match(node.name) and int(node.name[1]) <= 3:
            api = heading_text(node) if node.find_parent(class_='celltag_api') else ''
            sections.append(dict(id=node.get('id', ''), title=heading_text(node), api=api, text=[], code=[]))
            continue
        if not isinstance(node, NavigableString) or isinstance(node, Comment): continue
        parents = [p for p in node.parents if p is not main]
        if any(p.name in _SKIP_TEXT or _re_level.match(p.name or '') for p in parents): continue
        in_code = any('jp-InputArea' in (p.get('class') or []) for p in parents if p.name == 'div')
        sections[-1]['code' if in_code else 'text'].append(str(node))
    out = []
    for s in sections:
        text, code = _squash(' '.join(s['text']))[:_MAX_CHARS], _squash(' '.join(s['code']))[:_MAX_CHARS]
        if s['id'] or text or code:
            out.append(dict(page=page, id=s['id'], title=s['title'], api=s['api'], text=text, code=code))
    return out

def write_search_index(docs: Path, pages: dict, sections: list):
    """`search.json` (`{pages: {path: title}, sections: [...]}`) and the same as `search_index.js` (for pages opened
    from the file system, where a browser refuses `fetch`), plus the search script, into `docs`."""
    index = json.dumps(dict(pages=pages, sections=sections), ensure_ascii=False, separators=(',', ':'))
    (docs / 'search.json').write_text(index, encoding='utf-8')
    (docs / 'search_index.js').write_text(f'window.ARWORK_SEARCH_INDEX = {index};\n', encoding='utf-8')
    (docs / 'search.js').write_text((Path(__file__).parent / 'docs_search.js').read_text(encoding='utf-8'), encoding='utf-8')
    return len(index)

SEARCH_BOX = """<form class="site-search" role="search" onsubmit="return false">
<input type="search" id="site-search" placeholder="Search the docs" aria-label="Search the docs" autocomplete="off">
<div id="site-search-results" class="site-search-results" role="listbox" hidden></div>
</form>"""

def search_script(root: str):
    "The `<script>` tag of the search, `root` the relative URL of the site's root from the page (`''`, `'../'`)."
    return f'<script src="{root}search.js" data-root="{root}" defer></script>'

# ---------------------------------------------------------------- API index

def own_doc(obj):
    "The docstring `obj` itself has (not one inherited from a base class, nor the one `dataclass` writes), or ''."
    import dataclasses, inspect
    doc = obj.__dict__.get('__doc__') if inspect.isclass(obj) else getattr(obj, '__doc__', None)
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and (doc or '').startswith(obj.__name__ + '('): doc = None
    return (doc or '').strip()

def public_api():
    """`[(module, name, kind, own docstring)]` for every class and function in the `__all__` of every module nbdev
    exported (`arwork/_modidx.py`), defined in that module (re-exports are listed where they are defined)."""
    import importlib, inspect
    from arwork._modidx import d
    out = []
    for modname in d['syms']:
        mod = importlib.import_module(modname)
        for name in getattr(mod, '__all__', []):
            obj = getattr(mod, name, None)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or obj.__module__ != modname: continue
            out.append((modname, name, 'class' if inspect.isclass(obj) else 'function', own_doc(obj)))
    return out

def first_paragraph(doc: str):
    return _squash(doc.split('\n\n')[0])

def api_index_markdown(api, doc_url, modidx_syms, page_order=None):
    """The API index as markdown: one section per module, each public class and function linked (through nbdev's
    doc links, which the link rewriter maps to the pages here) to its section, with the first paragraph of its docstring."""
    md, by_mod = [], {}
    for mod, name, kind, doc in api: by_mod.setdefault(mod, []).append((name, kind, doc))
    n = sum(map(len, by_mod.values()))
    page_of = lambda mod: next(iter(modidx_syms[mod].values()))[0].partition('#')[0]
    if page_order: by_mod = dict(sorted(by_mod.items(), key=lambda kv: (page_order.get(page_of(kv[0]), 1e9), kv[0])))
    md.append(f'# API index\n\n> Every public class and function of arwork ({n}, from the `__all__` of each module), '
              'linked to its documentation, with the first line of its docstring.')
    for mod, items in by_mod.items():
        lines = [f'## [{mod}]({doc_url}{page_of(mod)})', '']
        for name, kind, doc in sorted(items, key=lambda x: x[0].lower()):
            target = modidx_syms[mod][f'{mod}.{name}'][0]
            lines.append(f'- [`{name}`]({doc_url}{target}) <span class="api-kind">{kind}</span> {first_paragraph(doc)}')
        md.append('\n'.join(lines))
    return md
