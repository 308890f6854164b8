"""Train arwork's demo weights again: `python tools/make_demo_weights.py FAMILY ... | all`, from the repository root.

Each family's quickstart recipe (`arwork.quickstart`) trains its tiny tokenizer and generator on the embedded dataset
and saves every model as `<zoo name>.safetensors`; those files are copied into `data/`, where `zoo.load(name)` finds
them without a path. The recipes' figures (`figures/quickstart*.png`) are redrawn on the way. One CPU thread by
default, as the shipped files were made: about 10 minutes for llamagen, longer for the others.
"""
import argparse, shutil, sys, tempfile, time
from pathlib import Path

import torch
from arwork.core import QUICKSTARTS, DEMO_DIR
import arwork.quickstart  # noqa: F401  (registers the recipes)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('families', nargs='+', help=f"quickstart families ({', '.join(sorted(QUICKSTARTS))}), or all")
    ap.add_argument('--threads', type=int, default=1, help='CPU threads for training (default: 1)')
    args = ap.parse_args()
    families = sorted(QUICKSTARTS) if args.families == ['all'] else args.families
    unknown = [f for f in families if f not in QUICKSTARTS]
    if unknown: sys.exit(f"make_demo_weights: error: no quickstart for {', '.join(unknown)}; known: {', '.join(sorted(QUICKSTARTS))}")
    torch.set_num_threads(args.threads)
    for family in families:
        t0 = time.time()
        with tempfile.TemporaryDirectory() as run:
            figure = QUICKSTARTS[family](run_dir=run)
            for f in sorted(Path(run).glob('*.safetensors')):
                shutil.copyfile(f, DEMO_DIR / f.name)
                print(f'{family}: wrote {DEMO_DIR / f.name} ({f.stat().st_size / 2**20:.1f} MB)')
        print(f'{family}: figure {figure}; {time.time() - t0:.0f} s')


if __name__ == '__main__':
    main()
