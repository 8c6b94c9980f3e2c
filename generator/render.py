"""Render the catalog into Markdown pages with Jinja.

Templates own the markup; this module hands them plain data. Every value a template prints is
escaped for both HTML and Markdown unless the template marks it as markup on purpose, so text
from contributors (names, notes, summaries) always reaches readers as inert text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator import schema
from generator.catalog import Catalog
from generator.openness import Assessment

_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#!|<>&\"'~=:$^@]")
# List markers and rules only matter where text starts a line.
_MD_LEADING = re.compile(r"^[ ]*([-+.0-9])")


def escape_text(value: Any) -> Markup:
    """``value`` as text that Markdown and HTML both show literally, character for character."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Markup(value)
    text = str(value)
    text = _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text.replace("\n", " "))
    return Markup(_MD_LEADING.sub(lambda m: m.group()[:-1] + f"&#{ord(m.group(1))};", text))


def url_attr(url: str) -> Markup:
    """A validated http(s) URL, ready for a double-quoted ``href``."""
    return Markup(html.escape(url, quote=True))


def model_page(model_id: str) -> str:
    """The path, under the docs folder, of a model's page."""
    return "models/" + model_id.replace("/", "__") + ".md"


def family_page(family_id: str) -> str:
    return f"families/{family_id}.md"


def percent(score: float | None) -> Markup:
    return Markup("–" if score is None else f"{round(score * 100)}%")


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """A Jinja environment that fails on undefined names and escapes everything it prints."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=escape_text,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)
    env.filters.update(percent=percent, url=url_attr)
    env.globals.update(model_page=model_page, family_page=family_page)
    return env


def relative(from_page: str, to_page: str) -> str:
    """A relative link from one docs page to another, as MkDocs resolves Markdown links."""
    from_parts = from_page.split("/")[:-1]
    to_parts = to_page.split("/")
    common = 0
    while common < min(len(from_parts), len(to_parts) - 1) and from_parts[common] == to_parts[common]:
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:])


def render_pages(catalog: Catalog, assessments: dict[str, Assessment], templates_dir: Path) -> dict[str, str]:
    """Every generated page, as a mapping of docs-relative path to Markdown text."""
    env = make_environment(templates_dir)
    criteria = catalog.criteria
    common: dict[str, Any] = {
        "catalog": catalog,
        "criteria": criteria,
        "levels": {level.key: level for level in criteria.levels},
        "assessments": assessments,
        "labels": lambda keys: ", ".join(criteria.components[criteria.keys.index(k)].label for k in keys),
    }
    pages: dict[str, str] = {}

    def render(template: str, path: str, **context: Any) -> None:
        def link(target: str) -> Markup:
            # Targets are built from validated ids, so the path needs no escaping.
            return Markup(relative(path, target))

        pages[path] = env.get_template(template).render(**common, **context, page_path=path, link=link)

    families = sorted(catalog.families.values(), key=lambda f: f.name.lower())
    rows = []
    for family in families:
        members = [assessments[m.id] for m in catalog.family_models(family.id)]
        scores = [a.score for a in members if a.score is not None]
        rows.append({"family": family, "models": len(members), "best": max(scores) if scores else None,
                     "meeting": sum(a.lesson_criteria for a in members)})
    render("families.md.j2", "families/index.md", rows=rows)
    for family in families:
        models = catalog.family_models(family.id)
        render("family.md.j2", family_page(family.id), family=family, models=models)
    for model in catalog.models.values():
        children = sorted((m for m in catalog.models.values() if m.base_model == model.id), key=lambda m: m.id)
        render("model.md.j2", model_page(model.id), model=model, family=catalog.families[model.family],
               license=catalog.license_of(model), assessment=assessments[model.id], children=children)
    render("criteria.md.j2", "reference/criteria.md")
    render("data-format.md.j2", "reference/data-format.md", schema_docs=describe_schema())
    return pages


def describe_schema() -> list[dict[str, Any]]:
    """The catalog's file formats, field by field, for the data format page."""
    from generator.schema_export import EXAMPLE_VALUES

    described = []
    for cls, where in ((schema.Model, "data/models/<family>/<org>__<name>.yml"),
                       (schema.Component, "each entry under a model's components"),
                       (schema.Family, "data/families/<family>.yml"),
                       (schema.Link, "each entry under a family's links"),
                       (schema.License, "each entry of data/licenses.yml")):
        fields = []
        for name, info in cls.model_fields.items():
            fields.append({
                "name": name,
                "required": info.is_required(),
                "description": info.description or "",
                "example": EXAMPLE_VALUES.get(f"{cls.__name__}.{name}", ""),
            })
        described.append({"name": cls.__name__, "where": where, "doc": (cls.__doc__ or "").strip(), "fields": fields})
    return described
