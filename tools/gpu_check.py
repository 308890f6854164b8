"""The GPU checks of the speed notebook in one run: `python tools/gpu_check.py OUT_DIR`, from the repository root, on a
machine with a CUDA GPU.

1. Every family's benchmark (`arwork.bench`) at its official size on random weights: exact (fp32) and bf16, at the
   official batch of 8 and at 64, with SDPA attention and, where xformers is installed, with xformers (at 64).
2. LlamaGen's and IAR2's decode steps replayed as CUDA graphs (`cuda_graph`), exact and bf16, with how many tokens
   agree with the eager sampler at the same seed.
3. A one-GPU FSDP training smoke run of two tiny models through `arwork train` (fp32, and bf16-mixed).

Each result is one JSON line in OUT_DIR/gpu_check.jsonl (and on stdout); a failing configuration is recorded with its
error and the run goes on. The figures go into `nbs/tutorials/speed.ipynb` by hand, with the date and the machine.
"""
import argparse, json, subprocess, sys, tempfile, time, traceback
from pathlib import Path

import torch
from arwork.bench import bench
from arwork.layers import set_attention_backend, _xformers_ops
from arwork import zoo
from arwork.core import randomize_zero_params_

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('out', type=Path, help='folder for gpu_check.jsonl and the training runs')
ap.add_argument('--device', default='cuda', help="device to check (default: cuda; 'cpu' with --size tiny tries the script)")
ap.add_argument('--size', default=None, help="benchmark size (default: each benchmark's official one; 'tiny' to try the script)")
ARGS = ap.parse_args()
OUT, DEVICE = ARGS.out, torch.device(ARGS.device)
OUT.mkdir(parents=True, exist_ok=True)
LOG = OUT / 'gpu_check.jsonl'


def record(row: dict):
    line = json.dumps(row)
    print(line, flush=True)
    with LOG.open('a') as f: f.write(line + '\n')


def attempt(what: dict, fn):
    t0 = time.time()
    try: record({**what, **fn(), 'wall_s': round(time.time() - t0, 2)})
    except Exception as e:
        record({**what, 'error': f'{type(e).__name__}: {e}', 'trace': traceback.format_exc(limit=3)[-600:]})


def environment() -> dict:
    xformers = getattr(sys.modules.get('xformers'), '__version__', None) if _xformers_ops() else None
    if DEVICE.type != 'cuda': return dict(check='environment', torch=torch.__version__, device=str(DEVICE), xformers=xformers)
    p = torch.cuda.get_device_properties(DEVICE)
    return dict(check='environment', torch=torch.__version__, cuda=torch.version.cuda, gpu=p.name,
                memory_gb=round(p.total_memory / 2**30, 1), multiprocessors=p.multi_processor_count, xformers=xformers)

def sync():
    if DEVICE.type == 'cuda': torch.cuda.synchronize(DEVICE)


def benchmarks():
    backends = ['sdpa'] + (['xformers'] if _xformers_ops() else [])
    for family in ['llamagen', 'var', 'mar', 'rcg', 'iar2']:
        for backend in backends:
            set_attention_backend(backend)
            for batch in (8, 64) if backend == 'sdpa' else (64,):
                for precision in ('fp32', 'bf16'):
                    for mode in ({}, {'cuda_graph': True}) if family in GRAPHED and backend == 'sdpa' else ({},):
                        attempt(dict(check='bench', attention=backend), lambda: bench(
                            family, size=ARGS.size, device=DEVICE, batch=batch, precision=precision, warmup=1, repeats=3, **mode))
    set_attention_backend('auto')


# the families with a `cuda_graph` knob: (tiny model, official model, the knobs of the check)
GRAPHED = {'llamagen': ('llamagen-gpt-tiny', 'llamagen-gpt-b-256', {'cfg': 4.0}),
           'iar2': ('iar2-tiny', 'iar2-b', {})}                       # IAR2: its README's guidance, the knobs' defaults


def cuda_graph_decode():
    "Each graphed family's decode with and without `cuda_graph`, batch 8: speed, and how many tokens agree at the same seed."
    from arwork.pipeline import precision_mode
    for family, (tiny, official, knobs) in GRAPHED.items():
        name = tiny if ARGS.size == 'tiny' else official
        model = randomize_zero_params_(zoo.pipeline(name, device=DEVICE), seed=0).eval().model
        labels = torch.arange(8, device=DEVICE) % model.config.num_classes
        def draw(graph):
            codes = model.sample(labels, cuda_graph=graph, generator=torch.Generator(DEVICE).manual_seed(0), **knobs)
            return torch.cat(codes, 1) if isinstance(codes, tuple) else codes          # IAR2: (s, d) side by side
        for precision in ('fp32', 'bf16'):
            def run():
                out = {}
                with torch.no_grad(), precision_mode(model, precision):
                    for graph in (False, True):
                        draw(graph)                                                       # warm-up
                        sync(); t0 = time.perf_counter()
                        codes = draw(graph)
                        sync()
                        out[f'seconds_graph_{graph}'.lower()] = round(time.perf_counter() - t0, 4)
                        out[f'codes_{graph}'] = codes
                agree = (out.pop('codes_True') == out.pop('codes_False')).float().mean().item()
                return dict(**out, tokens_agree=round(agree, 4), speedup=round(out['seconds_graph_false'] / out['seconds_graph_true'], 2))
            attempt(dict(check='cuda_graph', family=family, model=name, batch=8, **knobs, precision=precision), run)


def fsdp_smoke():
    "`arwork train` with strategy fsdp on one GPU, fp32 and bf16-mixed: it must run and write its checkpoint."
    for name, precision in (('var-tiny', '32-true'), ('llamagen-gpt-tiny', 'bf16-mixed')):
        run_dir = Path(tempfile.mkdtemp(prefix='arwork-fsdp-')) / name      # checkpoints stay off OUT (it comes back)
        cfg = run_dir.with_suffix('.json')
        cfg.write_text(json.dumps({'model': name, 'data': {'source': 'shapes', 'num_images': 256, 'res': 32},
                                   'train': {'steps': 20, 'batch_size': 16, 'accelerator': DEVICE.type, 'devices': 1,
                                             'strategy': 'fsdp', 'precision': precision}, 'run_dir': str(run_dir)}))
        def run():
            p = subprocess.run([sys.executable, '-m', 'arwork', 'train', str(cfg)], capture_output=True, text=True, timeout=240)
            if p.returncode: raise RuntimeError(f'exit {p.returncode}: {(p.stderr or p.stdout)[-800:]}')
            return dict(checkpoint=(run_dir / 'last.pt').exists(), last_line=p.stdout.strip().splitlines()[-1][-200:])
        attempt(dict(check='fsdp', model=name, precision=precision), run)


if __name__ == '__main__':
    record(environment())
    cuda_graph_decode()
    fsdp_smoke()
    benchmarks()
