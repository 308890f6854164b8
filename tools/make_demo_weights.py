"""Train arwork's demo weights again: `python tools/make_demo_weights.py FAMILY ... | all`, from the repository root.

Each family's quickstart recipe (`arwork.quickstart`) trains its tiny tokenizer and generator on the embedded dataset
and saves every model as `<zoo name>.safetensors`; those files are copied into `data/`, where `zoo.load(name)` finds
them without a path. Parameters (and an EMA's copies of the weight matrices) are stored in half precision, other
buffers as they are (diffusion schedules) unless half precision holds them exactly (code counters, masks), a frozen part a model holds (RCG's encoder inside its RDMs, MAGE
and LDM-8) is stored once, by reference (`zoo.shared_parts`), and of a diffusion net kept twice, raw under `model.`
and as LitEma's copy under `model_ema.` (the RDMs, LDM-8), only the EMA copy is stored (`zoo.ema_stands_in`): that
keeps every family's demo weights within 40 MiB. `zoo.load` casts them back to the model's dtype, puts the shared parts
back and restores the raw weights from the EMA copy -- so a demo model's raw weights equal its EMA weights, and
training resumed from a demo file starts from the EMA weights. The recipes' figures (`figures/quickstart*.png`) are
redrawn on the way. One CPU thread by default, as the shipped files were made: about 10 minutes for llamagen, an hour
or more for the others (mar about 55 minutes; rcg, whose recipe trains the encoder, both RDMs and all four pixel generators with their
tokenizers, about two hours). `--device cuda` trains on a GPU.
"""
import argparse, sys, tempfile, time
from pathlib import Path

import torch
from arwork import zoo
from arwork.core import QUICKSTARTS, DEMO_DIR, read_checkpoint, save_weights, weights_metadata
import arwork.quickstart  # noqa: F401  (registers the recipes)


def ship(src: Path, others: list[Path]) -> Path:
    """Write the weights file `src` (`<zoo name>.safetensors`) into data/, its parameters (and any other tensor that
    half precision holds exactly) in half precision, the
    frozen parts it holds that are among `others` (an encoder, a tokenizer) by reference (`zoo.shared_parts`), and of
    raw weights with an EMA copy only the copy (`zoo.ema_stands_in`)."""
    name = src.stem
    model = zoo.build(name, device='meta')
    params = {n for n, _ in model.named_parameters()}
    matrices = {tuple(p.shape) for p in model.parameters() if p.ndim >= 2}   # an EMA's copies of the weights are buffers
    exact = lambda v: torch.equal(v.half().float(), v.float())                 # counts, masks: nothing is lost
    half = lambda k, v: v.is_floating_point() and (k in params or tuple(v.shape) in matrices or exact(v))
    sd = read_checkpoint(src)
    shared = zoo.shared_parts(sd, {o.stem: read_checkpoint(o) for o in others if o != src})
    sd = {k: v.half() if half(k, v) else v for k, v in sd.items() if not k.startswith(tuple(shared))}
    sd, ema = zoo.ema_stands_in(sd)
    meta = {**weights_metadata(src), 'parameters': 'float16', **({'shared_parts': shared} if shared else {}),
            **({'ema_weights': ema} if ema else {})}
    return save_weights(sd, DEMO_DIR / src.name, metadata=meta)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('families', nargs='+', help=f"quickstart families ({', '.join(sorted(QUICKSTARTS))}), or all")
    ap.add_argument('--threads', type=int, default=1, help='CPU threads for training (default: 1)')
    ap.add_argument('--device', default=None, help='device to train on (default: a GPU when there is one, else the CPU)')
    ap.add_argument('--run-dir', type=Path, help='keep each run in RUN_DIR/<family> (a recipe that loads the models it finds '
                                                 "there, as rcg's does, picks up where it stopped; default: a temporary folder)")
    args = ap.parse_args()
    # `rcg` trains MAGE's trio (encoder, VQGAN, MAGE) with the same recipe functions and settings as `mage`, so `all`
    # leaves `mage` out rather than train those three twice
    families = sorted(set(QUICKSTARTS) - {'mage'}) if args.families == ['all'] else args.families
    if 'mage' in families:   # its encoder must be the RDMs' encoder, stored once: only rcg's run makes that
        sys.exit("make_demo_weights: error: mage's demo files come from rcg's recipe (MAGE shares its encoder with the RDMs): run rcg")
    unknown = [f for f in families if f not in QUICKSTARTS]
    if unknown: sys.exit(f"make_demo_weights: error: no quickstart for {', '.join(unknown)}; known: {', '.join(sorted(QUICKSTARTS))}")
    torch.set_num_threads(args.threads)
    for family in families:
        t0 = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            run = args.run_dir / family if args.run_dir else Path(tmp)
            figure = QUICKSTARTS[family](run_dir=run, device=args.device)
            files = sorted(Path(run).glob('*.safetensors'))
            for f in files:
                out = ship(f, files)
                print(f'{family}: wrote {out} ({out.stat().st_size / 2**20:.1f} MB)')
        print(f'{family}: figure {figure}; {time.time() - t0:.0f} s')


if __name__ == '__main__':
    main()
