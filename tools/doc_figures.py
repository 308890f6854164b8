"""Figures drawn while the docs are built, for the module pages whose notebook draws none (or is too slow to run
then): `python tools/doc_figures.py OUT_DIR NB...` writes `OUT_DIR/<notebook stem>.png` and `OUT_DIR/figures.json`
(`{notebook: {file, caption}}`); `tools/build_docs.py` runs it and puts each figure under its page's title.

Every figure comes from arwork's own API, in a second or a few on a CPU. The pictures of models start from the demo
weights in `data/` when they are there (`data/<zoo name>.safetensors`, `zoo.demo_path`, for the generator and each part;
see `demo_pipeline`) and say so in their caption; until then the models have random weights, and the caption says
that too. A notebook that draws its own pictures (run by the build) needs none of these: its page shows its own.
"""
import json, math, sys, tempfile, time
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))       # this checkout's arwork
DEMO_DIR = ROOT / 'data'
FIGURES = {}   # notebook -> function returning (matplotlib figure, caption)

def figure(notebook):
    "Register the decorated function as the build-time figure of `notebook`."
    def reg(fn): FIGURES[notebook] = fn; return fn
    return reg

# ---------------------------------------------------------------- models: demo weights when there are any

def demo_file(name):
    "The demo weights of zoo model `name` (`zoo.demo_path`: `data/<name>.safetensors`), or None."
    from arwork import zoo
    return zoo.demo_path(name)

def demo_pipeline(name):
    """The pipeline of zoo generator `name` and a phrase for the caption: from its demo weights (and its parts') when
    `data/` has them, else random weights with every parameter perturbed (so that the pictures are not flat)."""
    from arwork import zoo
    from arwork.core import perturb_params_
    entry = zoo.info(name)
    ckpt = demo_file(name)
    parts = {f'{role}_ckpt': str(f) for role, part in entry.parts.items() if (f := demo_file(part))}
    if ckpt:
        files = ', '.join(Path(f).relative_to(ROOT).as_posix() for f in [ckpt, *parts.values()])
        return zoo.pipeline(name, ckpt, **parts).eval(), f'demo weights ({files})'
    torch.manual_seed(0)
    return perturb_params_(zoo.pipeline(name).eval()), 'random weights: the point is the layout, not the content'

# fewer iterations and diffusion steps than the defaults, so that a figure takes a second or two on a CPU
FAST_KNOBS = {'mar-tiny': dict(num_iter=8, num_steps=5), 'rcg-rdm-tiny': dict(rdm_steps=10, num_iter=6), 'mage-tiny': dict(num_iter=6)}

def _grid_axes(n, size=1.6, rows=1):
    cols = math.ceil(n / rows)
    fig, axs = plt.subplots(rows, cols, figsize=(size * cols, size * rows + 0.3), squeeze=False)
    for ax in axs.flat: ax.axis('off')
    return fig, list(axs.flat)

def _show(ax, img, title=None):
    from arwork.core import to_uint8
    ax.imshow(to_uint8(img).numpy()); ax.axis('off')
    if title: ax.set_title(title, fontsize=8)

# ---------------------------------------------------------------- one figure per module page

@figure('00_core.ipynb')
def core_figure():
    from arwork.core import show_images
    from arwork.data import shapes_tensors, SHAPES_CLASSES
    imgs, labels, _ = shapes_tensors(40, 32, seed=0)
    first = [int((labels == c).nonzero()[0]) for c in range(len(SHAPES_CLASSES))]
    fig = show_images(imgs[first], nrow=5, titles=[SHAPES_CLASSES[c] for c in range(len(first))], figsize=1.4)
    return fig, ('`core.show_images(images, nrow=5, titles=...)`: one image of each class of the embedded dataset '
                 '(`data.shapes_tensors`), float `NCHW` in [-1, 1] shown as uint8.')

@figure('02_layers.ipynb')
def layers_figure():
    from arwork.layers import rope_2d_table, timestep_embedding
    grid, head_dim = 8, 32
    table = rope_2d_table(grid, head_dim)[1:]                  # (grid*grid, head_dim//2, 2): the class row left out
    fig, axs = plt.subplots(1, 5, figsize=(11, 2.4))
    for ax, j in zip(axs[:4], (0, 1, 8, 9)):
        ax.imshow(table[:, j, 0].view(grid, grid), cmap='coolwarm', vmin=-1, vmax=1)
        ax.set_title(f'cos, frequency {j}', fontsize=8); ax.set_xticks([]); ax.set_yticks([])
    emb = timestep_embedding(torch.linspace(0, 999, 100), 64)
    axs[4].imshow(emb.T, aspect='auto', cmap='coolwarm'); axs[4].set_title('timestep_embedding(t, 64)', fontsize=8)
    axs[4].set_xlabel('t', fontsize=8); axs[4].set_ylabel('dimension', fontsize=8); axs[4].tick_params(labelsize=7)
    fig.tight_layout()
    return fig, (f'Left: `rope_2d_table({grid}, {head_dim})` over the {grid}x{grid} code grid, four of its frequencies: '
                 'half of them vary along rows, half along columns. Right: `timestep_embedding` of 100 timesteps.')

@figure('03_diffusion.ipynb')
def diffusion_figure():
    from arwork.diffusion import GaussianDiffusion, cosine_betas, linear_betas, ldm_linear_betas
    from arwork.data import shapes_tensors
    fig = plt.figure(figsize=(11, 2.6))
    ax = fig.add_axes([0.05, 0.18, 0.25, 0.7])
    for name, betas in [('cosine (MAR)', cosine_betas()), ('linear (DDPM)', linear_betas()), ('ldm_linear (RCG)', ldm_linear_betas())]:
        ax.plot(np.cumprod(1 - betas), label=name)
    ax.set_xlabel('t', fontsize=8); ax.set_ylabel(r'$\bar\alpha_t$', fontsize=9); ax.legend(fontsize=7); ax.tick_params(labelsize=7)
    x0 = shapes_tensors(1, 32, seed=3)[0]
    diffusion, ts = GaussianDiffusion.create(schedule='cosine'), (0, 100, 250, 500, 750, 999)
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(0))
    for k, t in enumerate(ts):
        ax = fig.add_axes([0.34 + k * 0.11, 0.18, 0.1, 0.7])
        _show(ax, diffusion.q_sample(x0, torch.tensor([t]), noise).clamp(-1, 1)[0], f't = {t}')
    return fig, ('Left: ᾱ_t (the share of the image left at step t) of the three noise schedules. Right: `GaussianDiffusion.create().q_sample(x0, t, noise)`, '
                 'the forward process of the cosine schedule on one image of the embedded dataset.')

@figure('04_pipeline.ipynb')
def pipeline_figure():
    from arwork import zoo
    names = [n for n in ('llamagen-gpt-tiny', 'var-tiny', 'mar-tiny', 'iar2-tiny', 'rcg-rdm-tiny', 'mage-tiny')
             if n in zoo.names('generator')]
    fig, axs = _grid_axes(2 * len(names), 1.3, rows=2)
    weights = set()
    for k, name in enumerate(names):
        pipe, w = demo_pipeline(name); weights.add(w)
        labels = [1, 4] if pipe.conditional else None
        with torch.no_grad():
            images = pipe.sample(labels, batch=None if labels else 2, generator=torch.Generator().manual_seed(0),
                                 **FAST_KNOBS.get(name, {}))
        for r in range(2): _show(axs[r * len(names) + k], images[r], name if r == 0 else None)
    return fig, ('One call for every family: `zoo.pipeline(name).sample(labels, generator=...)` with each tiny generator, '
                 f'two images each (fewer iterations than the default for MAR, RCG and MAGE) ({"; ".join(sorted(weights))}).')

@figure('16_encoders.inception.ipynb')
def inception_figure():
    from arwork import zoo
    model, shapes = zoo.build('fid-inception', device='meta'), {}
    def record(name, out):                          # the output shape of each block, once
        if isinstance(out, list): out = torch.cat(out, 1)
        if torch.is_tensor(out): shapes.setdefault(name, tuple(out.shape))
    def traced(branches, name):
        def run(x): out = branches(x); record(name, out); return out
        return run
    for name, child in model.named_children():
        child.register_forward_hook(lambda m, i, o, name=name: record(name, o))
        if hasattr(child, 'branches'): child.branches = traced(child.branches, name)   # Mixed_6d runs only these
    with torch.no_grad(): model(torch.zeros(1, 3, 299, 299, device='meta'))
    order = [n for n, _ in model.named_children() if n in shapes]
    shapes = [(n, shapes[n]) for n in order]
    names, ch, side = [s[0] for s in shapes], [s[1][1] for s in shapes], [s[1][2] for s in shapes]
    fig, ax = plt.subplots(figsize=(10, 2.8))
    ax.bar(range(len(names)), ch, color='#4c78a8'); ax.set_ylabel('channels', fontsize=8)
    ax.set_xticks(range(len(names)), [f'{n}\n{s}x{s}' for n, s in zip(names, side)], rotation=60, fontsize=6.5)
    ax.tick_params(axis='y', labelsize=7); fig.tight_layout()
    return fig, ('The FID Inception-v3, block by block: output channels and spatial size for a 299x299 input, traced on '
                 "PyTorch's meta device (no weights needed); the 2048 channels of the last block are FID's pool features.")

@figure('30_losses.ipynb')
def losses_figure():
    from arwork.losses import hinge_d_loss, hinge_g_loss, PatchGANDiscriminator
    from arwork.data import shapes_tensors
    x = torch.linspace(-3, 3, 121)
    d_real = [float(hinge_d_loss(v.view(1), torch.full((1,), -1.0))) for v in x]
    d_fake = [float(hinge_d_loss(torch.full((1,), 1.0), v.view(1))) for v in x]
    g = [float(hinge_g_loss(v.view(1))) for v in x]
    fig, axs = plt.subplots(1, 3, figsize=(10, 2.6), gridspec_kw={'width_ratios': [2, 1, 1]})
    axs[0].plot(x, d_real, label='hinge_d_loss: D(real) = logit'); axs[0].plot(x, d_fake, label='hinge_d_loss: D(fake) = logit')
    axs[0].plot(x, g, label='hinge_g_loss(logit)'); axs[0].legend(fontsize=7); axs[0].set_xlabel('logit', fontsize=8)
    axs[0].tick_params(labelsize=7)
    torch.manual_seed(0)
    disc = PatchGANDiscriminator(n_layers=2).eval()
    img = shapes_tensors(1, 64, seed=5)[0]
    with torch.no_grad(): logits = disc(img)[0, 0]
    _show(axs[1], img[0], '64x64 image'); axs[2].imshow(logits, cmap='viridis'); axs[2].axis('off')
    axs[2].set_title(f'PatchGAN logits {tuple(logits.shape)}', fontsize=8)
    fig.tight_layout()
    return fig, ('Left: the hinge GAN losses of the tokenizer training, for one logit (the other term held where it costs '
                 'nothing). Right: a PatchGAN discriminator (random weights) gives one logit per patch of the image.')

@figure('40_samplers.ipynb')
def samplers_figure():
    from arwork.samplers import process_logits, cosine_schedule
    logits = torch.randn(1, 24, generator=torch.Generator().manual_seed(1)) * 1.5
    order = logits[0].argsort(descending=True)
    rows = [('temperature 1', {}), ('temperature 0.5', dict(temperature=0.5)), ('top_k 6', dict(top_k=6)),
            ('top_p 0.8', dict(top_p=0.8))]
    fig, axs = plt.subplots(1, len(rows) + 1, figsize=(12, 2.4))
    for ax, (title, kw) in zip(axs, rows):
        p = process_logits(logits.clone(), **kw).softmax(-1)[0][order]
        ax.bar(range(24), p, color=['#4c78a8' if v > 0 else '#dddddd' for v in p]); ax.set_ylim(0, 1)
        ax.set_title(f'process_logits({title.replace(" ", "=")})', fontsize=8); ax.set_xticks([]); ax.tick_params(labelsize=7)
    for n in (8, 12, 16): axs[-1].plot(range(1, n + 1), cosine_schedule(n, 256), marker='.', label=f'num_iter={n}')
    axs[-1].set_title('cosine_schedule(num_iter, 256)', fontsize=8); axs[-1].legend(fontsize=7)
    axs[-1].set_xlabel('step', fontsize=8); axs[-1].set_ylabel('still masked', fontsize=8); axs[-1].tick_params(labelsize=7)
    fig.tight_layout()
    return fig, ('Left: one distribution over 24 tokens (most likely first) after temperature, top-k and top-p '
                 '(grey: filtered out). Right: how many of 256 tokens MaskGIT-style samplers leave masked after each step.')

@figure('50_train.ipynb')
def train_figure():
    from arwork.train import lr_factor
    steps = 1000
    fig, ax = plt.subplots(figsize=(6, 2.6))
    for schedule, warmup, floor in [('constant', 0, 0.0), ('constant', 100, 0.0), ('cosine', 100, 0.0), ('linear', 50, 0.1)]:
        ax.plot([lr_factor(s, steps, warmup, schedule, floor) for s in range(steps)],
                label=f"{schedule}, warmup {warmup}" + (f', min_lr_ratio {floor}' if floor else ''))
    ax.set_xlabel('step', fontsize=8); ax.set_ylabel('lr / peak lr', fontsize=8); ax.legend(fontsize=7)
    ax.tick_params(labelsize=7); fig.tight_layout()
    return fig, ('`lr_factor(step, steps, warmup, schedule, min_lr_ratio)`: the learning-rate schedules a `TrainConfig` '
                 'can ask for, over 1000 steps.')

@figure('60_eval.ipynb')
def eval_figure():
    from arwork.eval import quantize_images
    x = torch.linspace(-1, -1 + 8 / 127.5, 400).view(1, 1, 1, -1).expand(1, 3, 1, -1)
    fig, ax = plt.subplots(figsize=(6, 2.6))
    for rule, style in (('half-up', '-'), ('truncate', '--'), ('round', ':')):
        ax.step(x[0, 0, 0], quantize_images(x, rule)[0, 0, :, 0].float(), style, where='post', label=rule, lw=1.6)
    ax.set_xlabel('float pixel value', fontsize=8); ax.set_ylabel('uint8', fontsize=8); ax.legend(fontsize=7)
    ax.tick_params(labelsize=7); fig.tight_layout()
    return fig, ("`quantize_images(x, rule)` near black: the official scripts turn floats into uint8 differently "
                 "(LlamaGen 'half-up', VAR 'truncate', MAR 'round'), which moves FID; each family's pipeline names its rule.")

@figure('65_bench.ipynb')
def bench_figure():
    from arwork.bench import bench
    batches = (1, 2, 4, 8)
    rows = [bench('var', size='tiny', batch=b, warmup=1, repeats=1) for b in batches]
    fig, ax = plt.subplots(figsize=(6, 2.6))
    ax.bar([str(b) for b in batches], [r['generate_s'] for r in rows], label='generate')
    ax.bar([str(b) for b in batches], [r['decode_s'] for r in rows], bottom=[r['generate_s'] for r in rows], label='decode')
    for k, r in enumerate(rows): ax.text(k, r['seconds'], f"{r['images_per_s']:.1f} img/s", ha='center', va='bottom', fontsize=7)
    ax.set_xlabel('batch', fontsize=8); ax.set_ylabel('seconds', fontsize=8); ax.legend(fontsize=7); ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig, (f"`bench('var', size='tiny', batch=b, repeats=1)` for four batch sizes, measured while this site was built "
                 f"({torch.get_num_threads()} CPU threads, random weights, a single run: rough numbers).")

@figure('70_widgets.ipynb')
def widgets_figure():
    img = plt.imread(ROOT / 'figures' / 'widgets_browser.png')
    fig, ax = plt.subplots(figsize=(10, 10 * img.shape[0] / img.shape[1])); ax.imshow(img); ax.axis('off')
    fig.subplots_adjust(0, 0, 1, 1)
    return fig, ('The widgets tutorial in JupyterLab, in headless Chromium: the `SamplingExplorer` after its sliders were '
                 'moved with the keyboard (`figures/widgets_browser.png`, updated by `python tools/browser_test.py --update-figure`).')

@figure('80_zoo.ipynb')
def zoo_figure():
    from arwork import zoo
    from arwork.core import num_params
    rows = []
    for name in zoo.names():
        try: rows.append((name, zoo.info(name).kind, num_params(zoo.build(name, device='meta'))))
        except Exception as e: print(f'zoo figure: {name} left out ({type(e).__name__}: {e})', file=sys.stderr)
    colours = {'tokenizer': '#4c78a8', 'generator': '#f58518', 'encoder': '#54a24b'}
    fig, ax = plt.subplots(figsize=(8, 0.17 * len(rows) + 0.8))
    ax.barh(range(len(rows)), [r[2] for r in rows], color=[colours.get(r[1], 'grey') for r in rows])
    ax.set_xscale('log'); ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=6.5); ax.invert_yaxis()
    ax.set_xlabel('parameters', fontsize=8); ax.tick_params(axis='x', labelsize=7)
    for kind, c in colours.items(): ax.barh([0], [0], color=c, label=kind)
    ax.legend(fontsize=7, loc='lower right'); fig.tight_layout()
    return fig, (f'Every model of the zoo ({len(rows)}) and its parameter count, `num_params(zoo.build(name, '
                 "device='meta'))`: built on the meta device, so the 3B-parameter ones take no memory.")

def _cli_sample_grid(model, argv_extra=()):
    from arwork import cli
    from arwork.core import from_uint8, image_grid
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / 'samples.npz'
        weights, extra = 'random weights', ['--random-weights']
        if (ckpt := demo_file(model)):      # no flag: the CLI finds the demo weights by name, the tokenizer's too
            weights, extra = f'its demo weights, found by name ({ckpt.relative_to(ROOT)} and its tokenizer)', []
        argv = ['sample', model, '--num', '8', '--batch', '8', '--out', str(out), *extra, *argv_extra]
        rc = cli.main(argv)
        if rc: raise RuntimeError(f'arwork {" ".join(argv)} exited with {rc}')
        images = from_uint8(torch.from_numpy(np.load(out)['arr_0']))
    return image_grid(images, nrow=8), argv, weights

@figure('90_cli.ipynb')
def cli_figure():
    grid, argv, weights = _cli_sample_grid('var-tiny')
    fig, ax = plt.subplots(figsize=(8, 2.3)); _show(ax, grid); fig.subplots_adjust(0, 0, 1, 1)
    shown = ' '.join(a if not a.startswith('/') else 'samples.npz' for a in argv)
    return fig, f'`arwork {shown}`: the npz it writes, shown as a grid ({weights}).'

@figure('91_main.ipynb')
def main_figure():
    from arwork.cli import build_parser
    lines = ['$ python -m arwork --help', *build_parser().format_help().splitlines()[:30]]
    fig, ax = plt.subplots(figsize=(8, 0.2 * len(lines) + 0.2)); ax.axis('off')
    ax.text(0.01, 0.99, '\n'.join(lines), family='monospace', fontsize=9, va='top', transform=ax.transAxes)
    fig.subplots_adjust(0, 0, 1, 1)
    return fig, '`python -m arwork --help`: the same console script as `arwork`, as it prints its help.'

# ---------------------------------------------------------------- tokenizers, encoders and generators

def demo_model(name):
    "Zoo model `name` from its demo weights, else with random weights, and a phrase for the caption."
    from arwork import zoo
    if (f := demo_file(name)): return zoo.load(name, f).eval(), f'demo weights ({f.relative_to(ROOT)})'
    torch.manual_seed(0)
    return zoo.build(name).eval(), 'random weights (no demo weights in data/): the point is the layout, not the content'

def code_picture(codes, size):
    """A picture of a tokenizer's codes at the image size: a code grid (the finest scale of a multi-scale list, the
    semantic grid of a pair) as one random colour per code, a continuous latent as its channel 0."""
    import torch.nn.functional as F
    if isinstance(codes, (list, tuple)): codes = codes[-1] if len(codes) > 2 or codes[0].ndim == 2 else codes[0]
    if codes.is_floating_point():
        m = codes[:, :1]
        lo, hi = m.amin((1, 2, 3), keepdim=True), m.amax((1, 2, 3), keepdim=True)
        pic, what = ((m - lo) / (hi - lo + 1e-8) * 2 - 1).expand(-1, 3, -1, -1), 'latent ch. 0'
    else:
        if codes.ndim == 2: codes = codes.view(len(codes), *[int(math.isqrt(codes.shape[1]))] * 2)
        palette = torch.rand(int(codes.max()) + 1, 3, generator=torch.Generator().manual_seed(0)) * 2 - 1
        pic, what = palette[codes].permute(0, 3, 1, 2), f'{codes.shape[-1]}x{codes.shape[-1]} codes'
    return F.interpolate(pic, size=size, mode='nearest'), what

def tokenizer_figure(name):
    "Eight images of the embedded dataset, their codes and their reconstructions `decode(encode(x))` by tokenizer `name`."
    from arwork.core import show_images
    from arwork.data import shapes_tensors
    images = shapes_tensors(8, 32, seed=0)[0]
    model, weights = demo_model(name)
    with torch.no_grad(): codes = model.encode(images); recon = model.decode(codes).clamp(-1, 1)
    pic, what = code_picture(codes, images.shape[-1])
    fig = show_images(torch.cat([images, pic, recon]), nrow=8, figsize=1.0,
                      titles=['image'] + [''] * 7 + [what] + [''] * 7 + ['reconstruction'] + [''] * 7)
    return fig, (f'`{name}`: images of the embedded dataset (top), `encode(images)` (middle; one colour per code) and '
                 f'`decode(encode(images))` (bottom); {weights}.')

for _nb, _name in [('10_tokenizers.vq.ipynb', 'llamagen-vq-tiny'), ('11_tokenizers.msvq.ipynb', 'var-vqvae-tiny'),
                   ('12_tokenizers.kl.ipynb', 'mar-kl-tiny'), ('13_tokenizers.sdvq.ipynb', 'iar2-vq-tiny'),
                   ('14_tokenizers.vqgan.ipynb', 'mage-vqgan-tiny')]:
    figure(_nb)(lambda name=_name: tokenizer_figure(name))

def generator_figure(name, **knobs):
    "Two samples of generator `name` step by step (`return_intermediates=True`), at most eight steps shown."
    from arwork.core import show_images
    pipe, weights = demo_pipeline(name)
    labels = [1, 4] if pipe.conditional else None
    with torch.no_grad():
        _, steps = pipe.sample(labels, batch=None if labels else 2, generator=torch.Generator().manual_seed(0),
                               return_intermediates=True, **knobs)
    if len(steps) > 8: steps = [steps[round(i * (len(steps) - 1) / 7)] for i in range(8)]
    titles = [str(s.get('title', f'step {k + 1}')).split(':')[0] for k, s in enumerate(steps)]
    images = torch.stack([s['images'][:2].clamp(-1, 1) for s in steps], 1).flatten(0, 1)
    fig = show_images(images, nrow=len(steps), titles=titles + [''] * len(steps), figsize=1.3)
    from arwork.data import SHAPES_CLASSES
    what = (f'classes {labels[0]} ({SHAPES_CLASSES[labels[0]]}, top) and {labels[1]} ({SHAPES_CLASSES[labels[1]]}, bottom)'
            if labels else 'two unconditional samples')
    return fig, (f"`zoo.pipeline('{name}').sample(..., return_intermediates=True)`: {what}, the picture after each step "
                 f'(left to right); {weights}.')

for _nb, _name, _knobs in [('20_generators.gpt.ipynb', 'llamagen-gpt-tiny', {}), ('21_generators.var.ipynb', 'var-tiny', {}),
                           ('22_generators.mar.ipynb', 'mar-tiny', FAST_KNOBS['mar-tiny']), ('23_generators.iar2.ipynb', 'iar2-tiny', {}),
                           ('24_generators.rcg.ipynb', 'rcg-rdm-tiny', FAST_KNOBS['rcg-rdm-tiny']),
                           ('25_generators.mage.ipynb', 'mage-tiny', FAST_KNOBS['mage-tiny'])]:
    figure(_nb)(lambda name=_name, knobs=_knobs: generator_figure(name, **knobs))

figure('17_tokenizers.ldm8.ipynb')(lambda: tokenizer_figure('ldm-vq-f8-tiny'))
figure('26_generators.rcgpix.ipynb')(lambda: generator_figure('rcg-rdm-tiny-dit', rdm_steps=10, steps=10))

@figure('05_unet.ipynb')
def unet_figure():
    from arwork.generators.rcgpix import ADMConfig, LDM8Config
    fig, axs = plt.subplots(1, 2, figsize=(8, 2.8))
    for ax, (title, cfg, side) in zip(axs, [('ADM (RCG, 256 px)', ADMConfig(), 256), ('LDM-8 (RCG, 32x32 latents)', LDM8Config(), 32)]):
        ds = [2 ** i for i in range(len(cfg.channel_mult))]
        chans = [cfg.model_channels * m for m in cfg.channel_mult]
        attend = [d in cfg.attention_ds for d in ds]
        ax.bar(range(len(ds)), chans, color=['tab:orange' if a else 'tab:blue' for a in attend])
        ax.set_xticks(range(len(ds)), [f'{side // d}' for d in ds], fontsize=8)
        ax.set_title(title, fontsize=9); ax.set_ylabel('channels'); ax.set_xlabel('side of the level (px or latents)', fontsize=8)
    from matplotlib.patches import Patch
    fig.legend(handles=[Patch(color='tab:orange', label='attention (LDM-8: cross-attention to the representation)'),
                        Patch(color='tab:blue', label='residual blocks only')], loc='lower center', ncol=2, fontsize=7)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig, ("The two official UNets the `unet` module builds, level by level down the encoder (the decoder mirrors "
                 "it): channels per level, orange where the blocks attend.")

@figure('09_tokenizers.ldm.ipynb')
def ldm_figure():
    import torch.nn.functional as F
    from arwork.core import show_images
    from arwork.data import shapes_tensors
    from arwork.tokenizers.ldm import LDMConfig, LDMEncoder
    torch.manual_seed(0)
    enc = LDMEncoder(LDMConfig(ch=16, ch_mult=(1, 2, 4), num_res_blocks=1, z_channels=4)).eval()
    images, maps = shapes_tensors(4, 32, 0)[0], []
    with torch.no_grad():
        h = enc.conv_in(images)
        for level in enc.down:
            h = level.run_blocks(h); maps.append(h[:, :1])
            if hasattr(level, 'downsample'): h = level.downsample(h)
        maps.append(enc(images)[:, :1])
    def as_picture(m):
        lo, hi = m.amin((1, 2, 3), keepdim=True), m.amax((1, 2, 3), keepdim=True)
        return F.interpolate((m - lo) / (hi - lo + 1e-8) * 2 - 1, size=32, mode='nearest').expand(-1, 3, -1, -1)
    cols = [images] + [as_picture(m) for m in maps]
    titles = ['image'] + [f'level {i} ({m.shape[-1]}x{m.shape[-1]})' for i, m in enumerate(maps[:-1])] + ['latent']
    fig = show_images(torch.stack(cols, 1).flatten(0, 1), nrow=len(cols), titles=titles * len(images), figsize=1.2)
    return fig, ('The shared LDM encoder (random weights) level by level: channel 0 of each level\'s feature map, '
                 'enlarged to the image size, down to the latent.')

@figure('15_encoders.mocov3.ipynb')
def mocov3_figure():
    from arwork.core import show_images
    from arwork.data import shapes_tensors
    from arwork.encoders.mocov3 import augment
    imgs = shapes_tensors(8, 32, seed=0)[0]
    torch.manual_seed(0)
    fig = show_images(torch.cat([imgs, augment(imgs), augment(imgs)]), nrow=8, figsize=1.0)
    return fig, "`augment(images)`: images of the embedded dataset (top row) and two random views of each, MoCo v3's pairs."

@figure('95_house.ipynb')
def house_figure():
    import ast
    import arwork
    pkg = Path(arwork.__file__).parent
    mods = {'.'.join(p.relative_to(pkg).with_suffix('').parts): p for p in sorted(pkg.rglob('*.py'))
            if p.name not in ('_modidx.py', '__init__.py')}
    def imports(name, path):
        out, base_pkg = set(), ('arwork.' + name).rsplit('.', 1)[0]
        for n in ast.walk(ast.parse(path.read_text())):
            if isinstance(n, ast.ImportFrom):
                base = n.module or ''
                if n.level: base = '.'.join(base_pkg.split('.')[:len(base_pkg.split('.')) - n.level + 1] + ([base] if base else []))
                cands = [base] + [f'{base}.{a.name}' for a in n.names]
            elif isinstance(n, ast.Import): cands = [a.name for a in n.names]
            else: continue
            out |= {c[len('arwork.'):] for c in cands if c.startswith('arwork.') and c[len('arwork.'):] in mods}
        return out - {name}
    names = list(mods)
    m = np.zeros((len(names), len(names)))
    for i, a in enumerate(names):
        for b in imports(a, mods[a]): m[i, names.index(b)] = 1
    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    ax.imshow(m, cmap='Blues', vmin=0, vmax=1.4)
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6.5); ax.set_yticks(range(len(names)), names, fontsize=6.5)
    ax.set_xlabel('imported module', fontsize=8); ax.set_ylabel('importing module', fontsize=8); fig.tight_layout()
    return fig, (f"arwork's import graph ({len(names)} modules, {int(m.sum())} imports between them): a filled cell is "
                 'an import of the column by the row; the house checks keep it free of cycles.')

# ---------------------------------------------------------------- drawing

def draw(notebooks, out_dir: Path, manifest: bool = True) -> dict:
    """Draw the figures of `notebooks` (those that have one) into `out_dir`; return the manifest (`{notebook: {file,
    caption, seconds}}`), and write it as `out_dir/figures.json` if `manifest`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    drawn, failed = {}, []
    for nb in notebooks:
        if nb not in FIGURES: continue
        t0 = time.perf_counter()
        try: fig, caption = FIGURES[nb]()
        except Exception as e:
            failed.append(f'{nb}: {type(e).__name__}: {e}'); continue
        file = Path(nb).stem + '.png'
        fig.savefig(out_dir / file, dpi=110, bbox_inches='tight'); plt.close(fig)
        drawn[nb] = dict(file=file, caption=caption, seconds=round(time.perf_counter() - t0, 1))
    if manifest: (out_dir / 'figures.json').write_text(json.dumps(drawn, indent=1))
    if failed: raise RuntimeError('build-time figures failed:\n  ' + '\n  '.join(failed))
    return drawn

if __name__ == '__main__':
    if len(sys.argv) < 2: sys.exit(__doc__)
    for nb, m in draw(sys.argv[2:] or list(FIGURES), Path(sys.argv[1])).items(): print(f'{nb}: {m["file"]} ({m["seconds"]} s)')
