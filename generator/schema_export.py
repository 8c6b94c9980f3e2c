"""JSON Schema files derived from the pydantic schema, for editors and for the site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator import schema
from generator.files import write_if_changed

EXAMPLE_VALUES: dict[str, str] = {
    "Model.id": "allenai/OLMo-7B",
    "Model.name": "OLMo 7B",
    "Model.family": "olmo",
    "Model.kind": "base",
    "Model.base_model": "meta-llama/Llama-2-7b-hf",
    "Model.release_date": "2024-02-01",
    "Model.parameters": "7000000000",
    "Model.license": "Apache-2.0",
    "Model.components": "training_data: {level: open, evidence: [...], note: ...}",
    "Component.level": "open",
    "Component.evidence": "[https://huggingface.co/datasets/allenai/dolma]",
    "Component.note": "The full pre-training corpus is published on the Hub.",
    "Family.id": "olmo",
    "Family.name": "OLMo",
    "Family.organisation": "Allen Institute for AI",
    "Family.summary": "A family of language models released with their data and code.",
    "Family.key_facts": "[Trained on the Dolma corpus]",
    "Family.links": "[{title: Paper, url: https://arxiv.org/abs/2402.00838}]",
    "Family.translations": "{sv: {summary: En familj av språkmodeller som släpps med sin data och kod.}}",
    "Link.title": "Paper",
    "Link.url": "https://arxiv.org/abs/2402.00838",
    "License.id": "Apache-2.0",
    "License.name": "Apache License 2.0",
    "License.url": "https://www.apache.org/licenses/LICENSE-2.0",
    "License.osi_approved": "true",
    "License.hub_ids": "[apache-2.0]",
}


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
