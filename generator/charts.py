"""Pictures drawn at build time as inline SVG: a few general primitives, and the atlas's charts.

Every picture is plain SVG text, the same for the same input (coordinates are rounded, nothing
depends on time or ordering of dicts), with ``role="img"`` (``role="group"`` when it holds links,
which an image would hide), a ``<title>`` and a ``<desc>`` that screen readers announce; the
pages put the same numbers in a table beside it.

The primitives (``Svg``, ``PATTERNS``, ``text_width``, ``LogScale``/``LinearScale``) know nothing
about models; lesson diagrams can use them as they are::

    svg = Svg(320, 120, "diagram-1", title="Data flows into training", desc="...")
    svg.rect(10, 10, 100, 40, cls="om-node")
    svg.text(60, 35, "Data", anchor="middle")
    svg.arrow(110, 30, 200, 30, label="trains")
    markup = svg.render()

Colours come from CSS classes (``openmodels.css``), so the dark scheme can restyle them; texts
use ``currentColor``. Levels are told apart by pattern as well as colour (``pattern_fill``).
Labels arrive already translated: templates pass them in, so the gettext catalogs hold them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup


def num(value: float) -> str:
    """A coordinate as short, stable text: at most one decimal, no '-0'."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def esc(text: object) -> str:
    """Text or an attribute value, escaped for SVG inside HTML.

    Markup (a template's output, which may carry entities) is turned back into text first, so
    nothing is escaped twice.
    """
    if isinstance(text, Markup):
        text = text.unescape()
    return html.escape(str(text), quote=True)


# Average advance of a character as a share of the font size, for sans-serif text. Wide enough that
# labels sized by it do not overlap in the fonts browsers fall back to.
_CHAR_WIDTH = 0.6


def text_width(text: str, size: float) -> float:
    """A generous estimate of how wide ``text`` is drawn at font size ``size`` (SVG cannot measure)."""
    return len(text) * size * _CHAR_WIDTH


# Fill patterns, so that levels differ by more than colour. Each is drawn over the level's colour.
PATTERNS: dict[str, str] = {
    "solid": "",
    "hatch": '<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#fff" stroke-width="1.2"/>',
    "cross": '<path d="M0 0L6 6M6 0L0 6" stroke="#fff" stroke-width="1"/>',
    "dots": '<circle cx="3" cy="3" r="1.1" fill="#fff"/>',
    "blank": "",
}


@dataclass
class Svg:
    """An SVG picture under construction: shapes are appended in drawing order, then ``render``ed.

    ``ident`` must be unique on the page: the title, description and patterns hang off it.
    """

    width: float
    height: float
    ident: str
    title: str
    desc: str
    cls: str = "om-chart-svg"
    parts: list[str] = field(default_factory=list)
    defs: dict[str, str] = field(default_factory=dict)
    interactive: bool = False
    """Whether it holds links: then it is a group (role="group"), since an image hides its content."""

    def add(self, markup: str) -> None:
        """Raw SVG markup, already escaped."""
        self.parts.append(markup)

    def rect(self, x: float, y: float, w: float, h: float, cls: str = "", fill: str = "", rx: float = 0,
             title: str = "") -> None:
        attrs = f' class="{esc(cls)}"' if cls else ""
        attrs += f' fill="{esc(fill)}"' if fill else ""
        attrs += f' rx="{num(rx)}"' if rx else ""
        inner = f"<title>{esc(title)}</title>" if title else ""
        self.add(f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(max(h, 0))}"{attrs}'
                 + (f">{inner}</rect>" if inner else "/>"))

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str = "om-axis") -> None:
        self.add(f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" class="{esc(cls)}"/>')

    def text(self, x: float, y: float, text: str, anchor: str = "start", size: float = 12, cls: str = "",
             bold: bool = False) -> None:
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += f' class="{esc(cls)}"' if cls else ""
        attrs += ' font-weight="bold"' if bold else ""
        self.add(f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}"{attrs}>{esc(text)}</text>')

    def marker(self, x: float, y: float, shape: str = "circle", r: float = 4, cls: str = "om-point",
               title: str = "") -> None:
        """A point: 'circle' (filled) or 'diamond' (outlined), with a tooltip."""
        inner = f"<title>{esc(title)}</title>" if title else ""
        if shape == "diamond":
            r += 1
            d = f"M{num(x)} {num(y - r)}L{num(x + r)} {num(y)}L{num(x)} {num(y + r)}L{num(x - r)} {num(y)}Z"
            self.add(f'<path d="{d}" class="{esc(cls)} om-hollow">{inner}</path>')
        else:
            self.add(f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" class="{esc(cls)}">{inner}</circle>')

    def arrow(self, x1: float, y1: float, x2: float, y2: float, label: str = "", cls: str = "om-edge") -> None:
        """A connector from (x1, y1) to (x2, y2): an S-curve with an arrow head and an optional label."""
        head = f"{self.ident}-head"
        self.defs[head] = (f'<marker id="{head}" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
                           'markerHeight="7" orient="auto"><path d="M0 0L8 4L0 8Z" class="om-edge-head"/></marker>')
        mid = (x1 + x2) / 2
        self.add(f'<path d="M{num(x1)} {num(y1)}C{num(mid)} {num(y1)} {num(mid)} {num(y2)} {num(x2)} {num(y2)}" '
                 f'class="{esc(cls)}" fill="none" marker-end="url(#{head})"/>')
        if label:
            width = text_width(label, 10) + 6
            ly = (y1 + y2) / 2
            self.rect(mid - width / 2, ly - 8, width, 14, cls="om-edge-label-bg", rx=3)
            self.text(mid, ly + 3, label, anchor="middle", size=10, cls="om-edge-label")

    def link(self, href: str, draw: Callable[[], None]) -> None:
        """Whatever ``draw`` adds, wrapped in a link to ``href`` (an already safe, relative URL), if any.

        The link's name is what it draws (texts, titles): draw the words a reader sees. A picture
        with links becomes a labelled group rather than an image, whose content would be hidden.
        """
        if not href:
            draw()
            return
        self.interactive = True
        self.add(f'<a href="{esc(href)}">')
        draw()
        self.add("</a>")

    def pattern_fill(self, pattern: str, cls: str) -> str:
        """The fill reference for ``pattern`` drawn over the colour of CSS class ``cls``."""
        if not PATTERNS.get(pattern):
            return ""
        pid = f"{self.ident}-{pattern}-{cls}"
        self.defs[pid] = (f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
                          f'<rect width="6" height="6" class="{esc(cls)}"/>{PATTERNS[pattern]}</pattern>')
        return f"url(#{pid})"

    def render(self) -> Markup:
        """The picture as one line of markup, safe to put in Markdown (no blank lines, no indentation)."""
        t, d = f"{self.ident}-title", f"{self.ident}-desc"
        role = "group" if self.interactive else "img"
        defs = "<defs>" + "".join(self.defs[k] for k in sorted(self.defs)) + "</defs>" if self.defs else ""
        return Markup(
            f'<svg xmlns="http://www.w3.org/2000/svg" class="{esc(self.cls)}" role="{role}" '
            f'width="{num(self.width)}" height="{num(self.height)}" viewBox="0 0 {num(self.width)} {num(self.height)}" '
            f'aria-labelledby="{t} {d}"><title id="{t}">{esc(self.title)}</title><desc id="{d}">{esc(self.desc)}</desc>'
            + defs + "".join(self.parts) + "</svg>")


class LinearScale:
    """Maps a data range onto a pixel range."""

    def __init__(self, lo: float, hi: float, start: float, end: float):
        self.lo, self.hi, self.start, self.end = lo, hi, start, end

    def __call__(self, value: float) -> float:
        return self.start + (value - self.lo) / (self.hi - self.lo) * (self.end - self.start)


class LogScale(LinearScale):
    """Maps a data range onto a pixel range, logarithmically (base 10)."""

    def __init__(self, lo: float, hi: float, start: float, end: float):
        super().__init__(math.log10(lo), math.log10(hi), start, end)

    def __call__(self, value: float) -> float:
        return super().__call__(math.log10(value))

    def decades(self) -> list[float]:
        """The powers of ten within the range, for ticks."""
        return [10.0 ** e for e in range(math.ceil(self.lo - 1e-9), math.floor(self.hi + 1e-9) + 1)]


# The atlas's levels: which pattern each is drawn with, beside its colour.
LEVEL_PATTERNS = {"open": "solid", "partial": "hatch", "closed": "cross", "unknown": "dots", "not_applicable": "blank"}


def level_fill(svg: Svg, level: str) -> tuple[str, str]:
    """(class, fill) that draw ``level`` in its colour and its pattern.

    A patterned shape gets no colour class: CSS would win over its ``fill`` attribute.
    """
    cls = f"om-fill-{level}"
    fill = svg.pattern_fill(LEVEL_PATTERNS.get(level, "solid"), cls)
    return ("om-patterned" if fill else cls), fill


def legend(svg: Svg, x: float, y: float, items: Sequence[tuple[str, str]], size: float = 12) -> float:
    """A one-row legend of (level, label) swatches starting at (x, y); returns the x where it ends."""
    for level, label in items:
        cls, fill = level_fill(svg, level)
        svg.rect(x, y - size + 2, size, size, cls=cls + " om-swatch", fill=fill)
        svg.text(x + size + 4, y, label, size=size)
        x += size + 4 + text_width(label, size) + 14
    return x


# --- The atlas's charts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    """One bar: a label, a value from 0 to 1 (None: no value), where it links, and its group."""

    label: str
    value: float | None
    href: str = ""
    group: str = ""


def score_bars(ident: str, bars: Sequence[Bar], title: str, desc: str, percent: Callable[[float | None], str],
               width: float = 640) -> Markup:
    """Horizontal bars, 0–100 %, one per item, under a heading per group (e.g. models by family)."""
    row, head, label_w = 18, 24, max([text_width(b.label, 12) for b in bars] + [80]) + 12
    groups = [g for i, g in enumerate(b.group for b in bars) if g and g not in [b.group for b in bars][:i]]
    height = 30 + len(bars) * row + len(groups) * head
    svg = Svg(width, height, ident, title, desc)
    scale = LinearScale(0, 1, label_w, width - 50)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        svg.line(scale(tick), 20, scale(tick), height - 4, cls="om-grid")
        svg.text(scale(tick), 14, percent(tick), anchor="middle", size=10)
    y, group = 24, None
    for bar in bars:
        if bar.group != group:
            group = bar.group
            svg.text(0, y + 16, group, size=12, bold=True)
            y += head

        def draw(bar: Bar = bar, y: float = y) -> None:
            svg.text(label_w - 8, y + 12, bar.label, anchor="end", size=12, cls="om-link-text")
            value = bar.value or 0
            svg.rect(scale(0), y + 3, scale(value) - scale(0), row - 6, cls="om-fill-score")
            svg.text(scale(value) + 4, y + 12, percent(bar.value), size=11)

        svg.link(bar.href, draw)
        y += row
    return svg.render()


@dataclass(frozen=True)
class Point:
    """One point of a scatter plot; ``hollow`` points are drawn as outlined diamonds."""

    label: str
    x: float
    y: float
    href: str = ""
    hollow: bool = False


def scatter_log_x(ident: str, points: Sequence[Point], title: str, desc: str, x_label: str, y_label: str,
                  x_tick: Callable[[float], str], y_tick: Callable[[float], str],
                  legend_items: Sequence[tuple[bool, str]] = (), width: float = 640, height: float = 380) -> Markup:
    """Points on a log-scale x axis (e.g. parameters) against a 0–1 y axis (e.g. score)."""
    svg = Svg(width, height, ident, title, desc)
    left, right, top, bottom = 56, width - 16, 30, height - 48
    xs = [p.x for p in points]
    lo, hi = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
    if hi == lo:
        hi = lo * 10
    sx, sy = LogScale(lo, hi, left, right), LinearScale(0, 1, bottom, top)
    for tick in sx.decades():
        svg.line(sx(tick), top, sx(tick), bottom, cls="om-grid")
        svg.text(sx(tick), bottom + 16, x_tick(tick), anchor="middle", size=10)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        svg.line(left, sy(tick), right, sy(tick), cls="om-grid")
        svg.text(left - 6, sy(tick) + 4, y_tick(tick), anchor="end", size=10)
    svg.line(left, bottom, right, bottom)
    svg.line(left, top, left, bottom)
    svg.text((left + right) / 2, height - 10, x_label, anchor="middle", size=12)
    svg.add(f'<text x="14" y="{num((top + bottom) / 2)}" font-size="12" text-anchor="middle" '
            f'transform="rotate(-90 14 {num((top + bottom) / 2)})">{esc(y_label)}</text>')
    x = left
    for hollow, label in legend_items:
        svg.marker(x + 5, 14, "diamond" if hollow else "circle")
        svg.text(x + 14, 18, label, size=11)
        x += 14 + text_width(label, 11) + 16
    for p in points:
        def draw(p: Point = p) -> None:
            svg.marker(sx(p.x), sy(p.y), "diamond" if p.hollow else "circle", title=p.label)

        svg.link(p.href, draw)
    return svg.render()


def stacked_shares(ident: str, rows: Sequence[tuple[str, dict[str, int]]], levels: Sequence[tuple[str, str]],
                   title: str, desc: str, percent: Callable[[float], str], width: float = 640) -> Markup:
    """One 100 % bar per row (e.g. a component) split into levels, each segment patterned and labelled."""
    row, label_w = 26, max([text_width(label, 12) for label, _ in rows] + [80]) + 12
    height = 40 + len(rows) * row
    svg = Svg(width, height, ident, title, desc)
    legend(svg, 0, 16, levels, size=11)
    scale = LinearScale(0, 1, label_w, width - 4)
    y = 30
    for label, counts in rows:
        total = sum(counts.values()) or 1
        svg.text(label_w - 8, y + 16, label, anchor="end", size=12)
        start = 0.0
        for level, level_label in levels:
            share = counts.get(level, 0) / total
            if not share:
                continue
            cls, fill = level_fill(svg, level)
            x0, x1 = scale(start), scale(start + share)
            svg.rect(x0, y + 3, x1 - x0, row - 6, cls=cls + " om-segment", fill=fill,
                     title=f"{label}, {level_label}: {percent(share)}")
            text = percent(share)
            if x1 - x0 > text_width(text, 10) + 6:
                svg.rect(x0 + (x1 - x0) / 2 - text_width(text, 10) / 2 - 2, y + 7, text_width(text, 10) + 4, 13,
                         cls="om-value-bg", rx=2)
                svg.text(x0 + (x1 - x0) / 2, y + 17, text, anchor="middle", size=10, cls="om-value")
            start += share
        y += row
    return svg.render()


@dataclass(frozen=True)
class Node:
    """A node of a tree drawing: its id, two lines of text, its link and its parent's id."""

    id: str
    label: str
    sub: str
    href: str
    parent: str | None
    edge_label: str = ""


def tree(ident: str, nodes: Iterable[Node], title: str, desc: str, node_h: float = 40, gap_y: float = 12) -> Markup:
    """A left-to-right tree (a forest): parents left of their children, each leaf on its own row.

    Nodes come in drawing order (a parent before its children); the edge into a node carries its
    ``edge_label``. Boxes are as wide as the longest name needs (within limits), and the space
    between columns as wide as the longest edge label.
    """
    nodes = list(nodes)
    node_w = min(max([text_width(n.label, 13) + 18 for n in nodes] + [150]), 260)
    gap_x = max([text_width(n.edge_label, 10) + 40 for n in nodes] + [60])
    ids = {n.id for n in nodes}
    children: dict[str | None, list[Node]] = {}
    for n in nodes:
        children.setdefault(n.parent if n.parent in ids else None, []).append(n)
    pos: dict[str, tuple[float, float]] = {}
    next_row = [0]

    def place(n: Node, depth: int) -> float:
        kids = children.get(n.id, [])
        if kids:
            ys = [place(k, depth + 1) for k in kids]
            y = (ys[0] + ys[-1]) / 2
        else:
            y = next_row[0] * (node_h + gap_y)
            next_row[0] += 1
        pos[n.id] = (depth * (node_w + gap_x), y)
        return y

    for root in children.get(None, []):
        place(root, 0)
    width = max(x for x, _ in pos.values()) + node_w + 2
    height = max(y for _, y in pos.values()) + node_h + 2
    svg = Svg(width, height, ident, title, desc, cls="om-chart-svg om-tree")
    for n in nodes:
        if n.parent in pos:
            px, py = pos[n.parent]
            x, y = pos[n.id]
            svg.arrow(px + node_w, py + node_h / 2 + 1, x, y + node_h / 2 + 1, n.edge_label)
    for n in nodes:
        x, y = pos[n.id]

        def draw(n: Node = n, x: float = x, y: float = y) -> None:
            svg.rect(x + 1, y + 1, node_w - 2, node_h - 2, cls="om-node", rx=5)
            label = n.label if text_width(n.label, 13) < node_w - 12 else n.label[: int((node_w - 12) / 7.8) - 1] + "…"
            svg.text(x + 8, y + 18, label, size=13, bold=True, cls="om-link-text")
            svg.text(x + 8, y + 33, n.sub, size=11)

        svg.link(n.href, draw)
    return svg.render()


def badge(label: str, value: str, title: str) -> str:
    """A small two-part badge (label | value), as a standalone SVG file with a title."""
    size, pad = 11, 6
    lw, vw = text_width(label, size) + 2 * pad, text_width(value, size) + 2 * pad
    w, h = lw + vw, 20
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(w)}" height="{h}" viewBox="0 0 {num(w)} {h}" '
            f'role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>'
            f'<rect width="{num(w)}" height="{h}" rx="3" fill="#37474f"/>'
            f'<rect x="{num(lw)}" width="{num(vw)}" height="{h}" fill="#00695c"/>'
            f'<rect x="{num(lw)}" width="{num(vw)}" height="{h}" rx="3" fill="#00695c"/>'
            f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="{size}">'
            f'<text x="{num(lw / 2)}" y="14" text-anchor="middle">{esc(label)}</text>'
            f'<text x="{num(lw + vw / 2)}" y="14" text-anchor="middle">{esc(value)}</text></g></svg>\n')
