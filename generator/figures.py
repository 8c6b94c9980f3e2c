"""The lesson's pictures, drawn at build time from the catalog as inline SVG.

A hand-written page asks for a figure with a line of its own, ``<!-- figure: spectrum -->``;
``expand_figures`` replaces it with the drawing and a text alternative (a collapsible list that
links to the atlas pages). An unknown name stops the build with the page and line, so a typo
never reaches readers as an empty space.

Every drawing has ``role="img"``, a ``<title>`` and a ``<desc>``; labels come from the catalog
(translated there) or from the gettext catalog of the template strings (``_`` below), so a
translator sees them with the others. Colours are CSS classes, so both colour schemes work.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from generator import schema
from generator.catalog import Catalog
from generator.markers import expand_markers
from generator.openness import Assessment
from generator.render import Localizer, family_page, model_page, relative

SPECTRUM_MODELS = ["meta-llama/Meta-Llama-3-8B", "google/gemma-7b", "Qwen/Qwen2.5-7B", "mistralai/Mistral-7B-v0.1",
                   "deepseek-ai/DeepSeek-R1", "microsoft/phi-2", "tiiuae/falcon-40b", "bigscience/bloom",
                   "EleutherAI/pythia-6.9b", "LLM360/Amber", "allenai/OLMo-7B"]
"""Base models of the lesson's families, from the most to the least guarded."""

LINEAGE_BASES = ["meta-llama/Llama-2-7b-hf", "mistralai/Mistral-7B-v0.1", "tiiuae/falcon-40b", "tiiuae/falcon-7b"]
"""The bases whose fine-tunes the original lesson names (ELYZA, LLaMA Pro, BioMistral, OpenMath, ...)."""

LESSON_FAMILIES = ["llama-2", "mistral", "falcon", "olmo", "pythia", "bloom", "amber", "llama-3", "gemma", "phi",
                   "qwen", "deepseek"]
"""The families the lesson's "Exploring" page names; the atlas's charts show all of them."""

MEMORY_MODELS = ["microsoft/phi-2", "mistralai/Mistral-7B-v0.1", "meta-llama/Llama-2-13b-hf",
                 "mistralai/Mixtral-8x7B-v0.1", "meta-llama/Llama-2-70b-hf"]

CHAT_MODELS = ["meta-llama/Llama-2-7b-chat-hf", "mistralai/Mistral-7B-Instruct-v0.1", "allenai/OLMo-2-1124-7B-Instruct"]
"""Chat models of the lesson's families, one of them fully open: interchangeable behind one API, unequal in openness."""

MIXTRAL = "mistralai/Mixtral-8x7B-v0.1"
MIXTRAL_ACTIVE = 12_900_000_000
"""Parameters used per token, from Mistral AI's announcement and the Mixtral paper (arXiv 2401.04088)."""

@dataclass(frozen=True)
class Figure:
    """A drawing and the same content in words."""

    title: str
    description: str
    svg_body: str
    width: int
    height: int
    words: list[str]
    """Markdown list items (already escaped) for the text alternative."""


@dataclass
class Context:
    """What the drawings read: the catalog, its scores, the reader's language and the page's path."""

    catalog: Catalog
    assessments: dict[str, Assessment]
    loc: Localizer
    page: str

    def _(self, message: str) -> str:
        return self.loc.gettext(message)

    def name(self, model_id: str) -> str:
        return self.catalog.models[model_id].name

    def score(self, model_id: str) -> float:
        return self.assessments[model_id].score or 0.0

    def percent(self, model_id: str) -> str:
        return str(self.loc.percent(self.assessments[model_id].score))

    def model_link(self, model_id: str) -> str:
        return f"[{md(self.name(model_id))}]({relative(self.page, model_page(model_id))})"

    def family_link(self, family_id: str) -> str:
        family = self.catalog.families[family_id]
        return f"[{md(self.loc.text(family, 'name'))}]({relative(self.page, family_page(family_id))})"


def pick(ctx: Context, preferred: list[str], fallback: Callable[[schema.Model], bool], n: int = 8) -> list[str]:
    """The preferred models the catalog holds; without any, up to ``n`` of its models that pass ``fallback``.

    The examples are the lesson's, but a contributor's catalog (or a test's) may lack them: the
    figure then shows what there is instead of failing.
    """
    present = [m for m in preferred if m in ctx.catalog.models]
    if present:
        return present
    return sorted((m.id for m in ctx.catalog.models.values() if fallback(m)), key=str.lower)[:n]


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def md(text: str) -> str:
    """Text safe inside Markdown link text or a list item: no markup, no link syntax."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def text(x: float, y: float, label: str, cls: str = "", anchor: str = "start") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}"{klass}>{esc(label)}</text>'


def rect(x: float, y: float, w: float, h: float, cls: str, rx: int = 4) -> str:
    return f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="{rx}" class="{cls}"/>'


def line(x1: float, y1: float, x2: float, y2: float, cls: str = "om-fig-line") -> str:
    return f'<path d="M{x1:.0f} {y1:.0f} L{x2:.0f} {y2:.0f}" class="{cls}"/>'


def components(ctx: Context) -> Figure:
    """The twelve components in their five areas, the lesson's five criteria starred."""
    criteria, loc = ctx.catalog.criteria, ctx.loc
    five = set(criteria.verdicts.lesson_criteria.require_open)
    col_w, gap, row_h, top = 150, 10, 24, 30
    groups = [(g, [c for c in criteria.components if c.group == g.key]) for g in criteria.groups]
    width = len(groups) * (col_w + gap) - gap
    height = top + max(len(members) for _, members in groups) * row_h + 34
    parts, words = [], []
    for i, (group, members) in enumerate(groups):
        x = i * (col_w + gap)
        parts.append(rect(x, 0, col_w, top + len(members) * row_h + 6, "om-fig-box"))
        parts.append(text(x + col_w / 2, 20, loc.text(group, "label"), "om-fig-head", "middle"))
        names = []
        for j, comp in enumerate(members):
            label = loc.text(comp, "label")
            starred = comp.key in five
            y = top + j * row_h
            parts.append(rect(x + 6, y, col_w - 12, row_h - 4, "om-fig-key" if starred else "om-fig-cell", 3))
            parts.append(text(x + 12, y + 15, ("★ " if starred else "") + label, "om-fig-strong" if starred else ""))
            names.append(md(label) + (" ★" if starred else ""))
        words.append(f"{md(loc.text(group, 'label'))}: " + ", ".join(names))
    legend = ctx._("★ one of the five criteria of the original lesson")
    parts.append(text(0, height - 8, legend))
    words.append(md(legend))
    return Figure(ctx._("What a model release can contain: twelve components in five areas"),
                  ctx._("Each area is a box listing its components; the five components the original lesson "
                        "asks for are starred."),
                  "".join(parts), width, height, words)


def spectrum(ctx: Context) -> Figure:
    """From closed to fully open: example base models placed by their openness score, one row each."""
    ids = sorted(pick(ctx, SPECTRUM_MODELS, lambda m: m.base_model is None),
                 key=lambda m: (-ctx.score(m), ctx.name(m)))
    name_w, left, scale, row_h, top = 150, 160, 480, 22, 44
    parts = ['<defs><linearGradient id="om-spectrum-grad"><stop offset="0" class="om-fig-stop-closed"/>'
             '<stop offset="1" class="om-fig-stop-open"/></linearGradient></defs>',
             f'<rect x="{left}" y="18" width="{scale}" height="10" rx="5" fill="url(#om-spectrum-grad)"/>',
             text(left, 12, "← " + ctx._("Closed: only an API"), "om-fig-strong"),
             text(left + scale, 12, ctx._("Fully open: everything published") + " →", "om-fig-strong", "end")]
    for i, m in enumerate(ids):
        y = top + i * row_h
        x = left + ctx.score(m) * scale
        parts.append(text(name_w, y + 4, ctx.name(m), anchor="end"))
        parts.append(line(left, y, left + scale, y, "om-fig-grid"))
        parts.append(f'<circle cx="{x:.0f}" cy="{y}" r="6" class="om-fig-dot"/>')
        parts.append(text(x + 10, y + 4, ctx.percent(m), "om-fig-small"))
    axis_y = top + len(ids) * row_h
    for pct in (0, 25, 50, 75, 100):
        parts.append(text(left + pct / 100 * scale, axis_y + 4, ctx.loc.percent(pct / 100), "om-fig-small", "middle"))
    words = [f"{ctx.model_link(m)}: {ctx.percent(m)}" for m in ids]
    words.append(md(ctx._("The score is the share of the twelve components that are open, "
                          "partial ones counting half.")))
    return Figure(ctx._("From closed to open: example models placed by their openness score"),
                  ctx._("A scale from closed (0 %) to fully open (100 %), with one row and dot for each "
                        "example model: ")
                  + "; ".join(f"{ctx.name(m)} {ctx.percent(m)}" for m in ids) + ".",
                  "".join(parts), left + scale + 50, axis_y + 10, words)


def lineage(ctx: Context) -> Figure:
    """Base models and the fine-tunes made from them, each with its openness score."""
    models = ctx.catalog.models
    rows: list[tuple[int, str]] = []

    def walk(model_id: str, depth: int) -> None:
        rows.append((depth, model_id))
        for child in sorted(m.id for m in models.values() if m.base_model == model_id):
            walk(child, depth + 1)

    parents = {m.base_model for m in models.values() if m.base_model in models}
    for base in pick(ctx, LINEAGE_BASES, lambda m: m.id in parents and m.base_model is None, 4):
        walk(base, 0)
    row_h, indent, right, bar_w = 26, 40, 330, 100
    parts, words, last_at_depth = [], [], {}
    for i, (depth, model_id) in enumerate(rows):
        x, y = depth * indent, i * row_h
        if depth:
            px, py = last_at_depth[depth - 1]
            parts.append(f'<path d="M{px + 12} {py + 20} V{y + 10} H{x}" class="om-fig-line"/>')
        last_at_depth[depth] = (x, y)
        parts.append(rect(x, y, right - x, row_h - 6, "om-fig-cell" if depth else "om-fig-key", 3))
        parts.append(text(x + 8, y + 14, ctx.name(model_id), "" if depth else "om-fig-strong"))
        bx = right + 10
        parts.append(rect(bx, y + 3, bar_w, 12, "om-fig-track", 2))
        parts.append(rect(bx, y + 3, max(bar_w * ctx.score(model_id), 1), 12, "om-fill-open", 2))
        parts.append(text(bx + bar_w + 8, y + 14, ctx.percent(model_id), "om-fig-small"))
        base = ctx.catalog.models[model_id].base_model
        made_from = ctx._("made from %(base)s") % {"base": ctx.model_link(base)} if base and depth else \
            ctx._("base model")
        words.append(f"{ctx.model_link(model_id)} ({made_from}): {ctx.percent(model_id)}")
    width = right + 10 + bar_w + 60
    return Figure(ctx._("Fine-tunes and the models they were made from, with each one's openness score"),
                  ctx._("A tree: each base model on the left, the fine-tunes made from it indented below it, "
                        "and a bar for each model's openness score."),
                  "".join(parts), width, len(rows) * row_h, words)


def moe(ctx: Context) -> Figure:
    """How a sparse mixture of experts sends each token through two of its eight experts."""
    _ = ctx._
    experts, active = 8, (2, 5)
    parts = [rect(0, 95, 90, 34, "om-fig-key"), text(45, 117, _("Token"), "om-fig-strong", "middle"),
             line(90, 112, 130, 112), rect(130, 95, 100, 34, "om-fig-key"),
             text(180, 117, _("Router"), "om-fig-strong", "middle")]
    for k in range(experts):
        y = 4 + k * 28
        on = k in active
        parts.append(line(230, 112, 300, y + 11, "om-fig-line-on" if on else "om-fig-line-off"))
        parts.append(rect(300, y, 130, 22, "om-fig-on" if on else "om-fig-cell", 3))
        parts.append(text(365, y + 15, _("Expert %(n)d") % {"n": k + 1}, "om-fig-strong" if on else "", "middle"))
        if on:
            parts.append(line(430, y + 11, 500, 112, "om-fig-line-on"))
    parts += [rect(500, 95, 110, 34, "om-fig-key"), text(555, 117, _("Weighted sum"), "om-fig-strong", "middle"),
              line(610, 112, 640, 112), text(645, 117, _("Output"), "om-fig-strong")]
    total = ctx.catalog.models[MIXTRAL].parameters if MIXTRAL in ctx.catalog.models else None
    facts = []
    if total:
        billions = {"total": ctx.loc.number(round(total / 1e9, 1)),
                    "active": ctx.loc.number(round(MIXTRAL_ACTIVE / 1e9, 1))}
        facts.append(_("Mixtral 8x7B: about %(total)s billion parameters in all, about %(active)s billion used "
                       "for each token.") % billions)
    words = [md(_("The router scores all eight experts for each token and picks the two best.")),
             md(_("Only those two experts run; their answers are added up, weighted by the router's scores.")),
             md(_("The other six experts are skipped for this token, which saves computation but not memory."))]
    words += [md(f) for f in facts]
    return Figure(_("Mixture of experts: each token goes through two of eight experts"),
                  " ".join(w.replace("\\", "") for w in words), "".join(parts), 700, 232, words)


def families(ctx: Context) -> Figure:
    """The lesson's families (every family, in a catalog without them) as rows, a dot per model at its score."""
    catalog = ctx.catalog
    named = [f for f in LESSON_FAMILIES if f in catalog.families] or list(catalog.families)
    rows = []
    for family in (catalog.families[f] for f in named):
        ids = [m.id for m in catalog.family_models(family.id)]
        if ids:
            rows.append((max(ctx.score(m) for m in ids), family, ids))
    rows.sort(key=lambda r: (-r[0], r[1].name.lower()))
    name_w, left, scale, row_h = 130, 140, 500, 24
    parts, words = [], []
    for i, (_best, family, ids) in enumerate(rows):
        y = 10 + i * row_h
        parts.append(text(name_w, y + 5, ctx.loc.text(family, "name"), anchor="end"))
        parts.append(line(left, y, left + scale, y, "om-fig-grid"))
        for m in ids:
            parts.append(f'<circle cx="{left + ctx.score(m) * scale:.0f}" cy="{y}" r="5" class="om-fig-dot"/>')
        scores = sorted(ctx.score(m) for m in ids)
        span = ctx.loc.percent(scores[0]) + ("" if scores[0] == scores[-1] else f"–{ctx.loc.percent(scores[-1])}")
        words.append(f"{ctx.family_link(family.id)}: " + ctx.loc.ngettext("%(n)d model", "%(n)d models", len(ids))
                     % {"n": len(ids)} + f", {span}")
    axis_y = 10 + len(rows) * row_h
    for pct in (0, 25, 50, 75, 100):
        parts.append(text(left + pct / 100 * scale, axis_y + 4, ctx.loc.percent(pct / 100), "om-fig-small", "middle"))
    return Figure(ctx._("The families at a glance: one dot per model at its openness score"),
                  ctx._("One row per family, most open first; each dot is one model of the family, placed "
                        "between 0 % (closed) and 100 % (fully open)."),
                  "".join(parts), left + scale + 30, axis_y + 12, words)


def memory(ctx: Context) -> Figure:
    """Memory the weights alone need at 16, 8 and 4 bits, for example models of the atlas."""
    _ = ctx._
    ids = [m for m in pick(ctx, MEMORY_MODELS, lambda m: bool(m.parameters), 5) if ctx.catalog.models[m].parameters]
    precisions = [(2, _("16-bit")), (1, _("8-bit")), (0.5, _("4-bit"))]
    top_gb = max((ctx.catalog.models[m].parameters * 2 / 1e9 for m in ids), default=1)
    name_w, left, scale, bar_h, group_h = 150, 160, 440, 10, 44
    parts, words, described = [], [], []
    for i, m in enumerate(ids):
        y = i * group_h
        params = ctx.catalog.models[m].parameters
        parts.append(text(name_w, y + 20, ctx.name(m), anchor="end"))
        sizes = []
        for j, (bytes_per, label) in enumerate(precisions):
            gb = params * bytes_per / 1e9
            by = y + j * (bar_h + 2)
            parts.append(rect(left, by, max(gb / top_gb * scale, 1), bar_h, f"om-fig-bits{j}", 1))
            value = _("%(gb)s GB") % {"gb": ctx.loc.number(round(gb, 1 if gb < 10 else 0))}
            parts.append(text(left + gb / top_gb * scale + 6, by + 9, f"{label}: {value}", "om-fig-small"))
            sizes.append(f"{label} {value}")
        billions = ctx.loc.number(round(params / 1e9, 1))
        words.append(f"{ctx.model_link(m)} " + md(_("(%(n)s billion parameters)") % {"n": billions})
                     + ": " + ", ".join(sizes))
        described.append(f"{ctx.name(m)}: " + ", ".join(sizes))
    words.append(md(_("Running a model needs more than this: add room for the context and the software.")))
    return Figure(_("Memory for the weights alone, at 16, 8 and 4 bits per parameter"),
                  _("Three bars per model, one per precision; halving the bits halves the memory.") + " "
                  + "; ".join(described) + ".",
                  "".join(parts), left + scale + 140, max(len(ids), 1) * group_h, words)


def chat_models(ctx: Context) -> list[str]:
    return pick(ctx, CHAT_MODELS, lambda m: m.base_model is not None, 3)


def flexibility(ctx: Context) -> Figure:
    """One application talking to interchangeable open models through one kind of API."""
    _ = ctx._
    ids = chat_models(ctx)
    box_h, gap, model_x, model_w = 30, 12, 390, 230
    height = max(len(ids) * (box_h + gap) - gap, 44) + 4
    mid = height / 2
    parts = [rect(0, mid - 20, 150, 40, "om-fig-key"),
             text(75, mid + 5, _("Your application"), "om-fig-strong", "middle"), line(150, mid, 200, mid),
             rect(200, mid - 20, 120, 40, "om-fig-key"),
             text(260, mid + 5, _("One kind of API"), "om-fig-strong", "middle")]
    for i, m in enumerate(ids):
        y = 2 + i * (box_h + gap)
        on = i == 0
        parts.append(line(320, mid, model_x, y + box_h / 2, "om-fig-line-on" if on else "om-fig-line-off"))
        parts.append(rect(model_x, y, model_w, box_h, "om-fig-on" if on else "om-fig-cell", 3))
        parts.append(text(model_x + 10, y + 19, ctx.name(m), "om-fig-strong" if on else ""))
    sends = _("Your application sends its requests through one kind of API.")
    answers = _("Any of these open models can answer behind it; switching needs no change to the application:")
    words = [md(sends), f"{md(answers)} " + ", ".join(ctx.model_link(m) for m in ids) + "."]
    return Figure(_("Flexibility: one application, interchangeable open models"),
                  f"{sends} {answers} " + ", ".join(ctx.name(m) for m in ids) + ".",
                  "".join(parts), model_x + model_w + 10, height, words)


def compare(ctx: Context) -> Figure:
    """Chat models side by side, component by component, each cell showing its level as colour, icon and word."""
    criteria, loc, models = ctx.catalog.criteria, ctx.loc, ctx.catalog.models
    ids = chat_models(ctx)
    name_w, col_w, row_h, top = 150, 180, 22, 40
    parts, words = [], []
    for j, m in enumerate(ids):
        # A long name such as "OLMo 2 7B Instruct (November 2024)" takes two lines, split before its bracket.
        head, _sep, rest = ctx.name(m).partition(" (")
        x = name_w + j * col_w
        parts.append(text(x + col_w / 2, 14, head, "om-fig-strong", "middle"))
        if rest:
            parts.append(text(x + col_w / 2, 30, f"({rest}", "om-fig-small", "middle"))
    def level(model_id: str, comp: schema.ComponentDef) -> schema.LevelDef:
        return criteria.level(models[model_id].components[comp.key].level)

    for i, comp in enumerate(criteria.components):
        y = top + i * row_h
        parts.append(text(name_w - 8, y + 15, loc.text(comp, "label"), anchor="end"))
        for j, m in enumerate(ids):
            x = name_w + j * col_w
            parts.append(rect(x + 4, y + 2, 18, row_h - 6, f"om-fill-{level(m, comp).key}", 3))
            parts.append(text(x + 30, y + 15, f"{level(m, comp).icon} {loc.text(level(m, comp), 'label')}"))
    for m in ids:
        levels = [f"{md(loc.text(c, 'label'))}: {md(loc.text(level(m, c), 'label'))}" for c in criteria.components]
        words.append(f"{ctx.model_link(m)}: " + "; ".join(levels))
    return Figure(ctx._("Chat models part by part: which parts can you depend on?"),
                  ctx._("A table with one row per component and one column per model; each cell gives the "
                        "component's level as a colour, a symbol and a word.") + " "
                  + " ".join(f"{ctx.name(m)}: {ctx.percent(m)}." for m in ids),
                  "".join(parts), name_w + max(len(ids), 1) * col_w, top + len(criteria.components) * row_h, words)


FIGURES: dict[str, Callable[[Context], Figure]] = {
    "components": components, "spectrum": spectrum, "lineage": lineage, "moe": moe,
    "families": families, "memory": memory, "flexibility": flexibility, "compare": compare,
}


def render_figure(figure: Figure, key: str, words_label: str) -> str:
    """The figure as a raw HTML block (no blank lines inside) followed by its text alternative."""
    title_id, desc_id = f"om-fig-{key}-title", f"om-fig-{key}-desc"
    svg = (f'<svg class="om-fig-svg" role="img" aria-labelledby="{title_id} {desc_id}" '
           f'viewBox="0 0 {figure.width} {figure.height}" width="{figure.width}" '
           f'xmlns="http://www.w3.org/2000/svg">'
           f'<title id="{title_id}">{esc(figure.title)}</title><desc id="{desc_id}">{esc(figure.description)}</desc>'
           f"{figure.svg_body}</svg>")
    caption = f"<figcaption>{esc(figure.title)}</figcaption>"
    items = "\n".join(f"    - {item}" for item in figure.words)
    return (f'<figure class="om-figure" id="om-fig-{key}">\n{svg}\n{caption}\n</figure>\n\n'
            f'??? info "{esc(words_label)}"\n\n{items}\n')


def expand_figures(page_text: str, path: str, catalog: Catalog, assessments: dict[str, Assessment],
                   loc: Localizer) -> str:
    """``page_text`` with every figure marker replaced by its figure; raises BuildError for an unknown name."""
    ctx = Context(catalog, assessments, loc, path)

    def figure(name: str, nth: int) -> str:
        key = name if nth == 1 else f"{name}-{nth}"
        return render_figure(FIGURES[name](ctx), key, loc.gettext("The figure in words"))

    return expand_markers(page_text, path, "figure", FIGURES, figure)
