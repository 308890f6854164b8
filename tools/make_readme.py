"""Write README.md from the markdown cells of nbs/index.ipynb (links relative to nbs/ made relative to the root) (nbdev_readme needs Quarto, which these machines lack):
`python tools/make_readme.py` from the repo root. `nbs/index.ipynb`'s hidden test checks that the two agree."""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
cells = json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())['cells']
text = '<!-- generated from nbs/index.ipynb: edit the notebook, not this file -->\n\n' + '\n\n'.join(
    ''.join(c['source']).strip() for c in cells if c['cell_type'] == 'markdown').replace('](../', '](') + '\n'
(ROOT / 'README.md').write_text(text)
print(f'wrote README.md ({len(text)} characters)')
