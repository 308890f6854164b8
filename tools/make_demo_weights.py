"""Train arwork's demo weights again: `python tools/make_demo_weights.py FAMILY ... | all`, from the repository root.

Each family's quickstart recipe (`arwork.quickstart`) trains its tiny tokenizer and generator on the embedded dataset
and saves every model as `<zoo name>.safetensors`; those files are copied into `data/`, where `zoo.load(name)` finds
them without a path. Parameters are stored in half precision (buffers, such as diffusion schedules, as they are),
which keeps every family's demo weights within 40 MB; `zoo.load` casts them back to the model's dtype. The
recipes' figures (`figures/quickstart*.png`) are redrawn on the way. One CPU thread by default, as the shipped files
were made: about 10 minutes for llamagen, an hour or more for the others (rcg, whose recipe trains the encoder, both
RDMs and all four pixel generators with their tokenizers, about two hours).
"""
import argparse, sys, tempfile, time
from pathlib import Path

import torch
from arwork import zoo
from arwork.core import QUICKSTARTS, DEMO_DIR, read_checkpoint, save_weights, weights_metadata
import arwork.quickstart  # noqa: F401  (registers the recipes)


def ship(src: Path) -> Path:
    "Write the weights file `src` (`<zoo name>.safetensors`) into data/, its parameters in half precision."
    name = src.stem
    params = {n for n, _ in zoo.build(name, device='meta').named_parameters()}
    sd = {k: v.half() if k in params and v.is_floating_point() else v for k, v in read_checkpoint(src).items()}
    return save_weights(sd, DEMO_DIR / src.name, metadata={**weights_metadata(src), 'parameters': 'float16'})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('families', nargs='+', help=f"quickstart families ({', '.join(sorted(QUICKSTARTS))}), or all")
    ap.add_argument('--threads', type=int, default=1, help='CPU threads for training (default: 1)')
    args = ap.parse_args()
    # `rcg` trains MAGE's trio (encoder, VQGAN, MAGE) with the same recipe functions and settings as `mage`, so `all`
    # leaves `mage` out rather than train those three twice
    families = sorted(set(QUICKSTARTS) - {'mage'}) if args.families == ['all'] else args.families
    unknown = [f for f in families if f not in QUICKSTARTS]
    if unknown: sys.exit(f"make_demo_weights: error: no quickstart for {', '.join(unknown)}; known: {', '.join(sorted(QUICKSTARTS))}")
    torch.set_num_threads(args.threads)
    for family in families:
        t0 = time.time()
        with tempfile.TemporaryDirectory() as run:
            figure = QUICKSTARTS[family](run_dir=run)
            for f in sorted(Path(run).glob('*.safetensors')):
                out = ship(f)
                print(f'{family}: wrote {out} ({out.stat().st_size / 2**20:.1f} MB)')
        print(f'{family}: figure {figure}; {time.time() - t0:.0f} s')


if __name__ == '__main__':
    main()
