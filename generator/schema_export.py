"""JSON Schema files derived from the pydantic schema, for editors and for the site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator import schema
from generator.files import write_if_changed


def model_schema(component_keys: list[str]) -> dict[str, Any]:
    """JSON Schema of a model file; the component keys come from data/criteria.yml."""
    result = schema.Model.model_json_schema()
    component_ref = result["properties"]["components"]["additionalProperties"]
    result["properties"]["components"] = {
        "type": "object",
        "description": result["properties"]["components"].get("description", ""),
        "properties": {key: component_ref for key in component_keys},
        "required": list(component_keys),
        "additionalProperties": False,
    }
    result["$id"] = "model.schema.json"
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return result


def family_schema() -> dict[str, Any]:
    """JSON Schema of a family file."""
    result = schema.Family.model_json_schema()
    result["$id"] = "family.schema.json"
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return result


def schema_files(component_keys: list[str]) -> dict[str, str]:
    """The schema files by name, as deterministic JSON text."""
    return {
        "model.schema.json": json.dumps(model_schema(component_keys), indent=2, sort_keys=True) + "\n",
        "family.schema.json": json.dumps(family_schema(), indent=2, sort_keys=True) + "\n",
    }


def update_schema_files(schema_dir: Path, component_keys: list[str], write: bool) -> list[Path]:
    """With ``write``, bring the files in ``schema_dir`` up to date and return those written; without,
    return those that are missing or out of date, writing nothing."""
    changed = []
    for name, text in schema_files(component_keys).items():
        path = schema_dir / name
        if write:
            if write_if_changed(path, text):
                changed.append(path)
        elif not path.is_file() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
    return changed
