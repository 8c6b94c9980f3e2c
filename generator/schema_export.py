"""JSON Schema files derived from the pydantic schema, for editors and for the site."""

from __future__ import annotations

import json
from typing import Any

from generator import schema

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
    "TrackerEntry.source": "mot",
    "TrackerEntry.id": "Falcon-40B",
    "TrackerEntry.name": "Falcon-40B",
    "TrackerEntry.url": "https://osai-index.eu/model/OLMo",
    "TrackerEntry.type": "text",
    "TrackerEntry.hub_id": "tiiuae/falcon-40b",
    "TrackerEntry.base_model": "Olmo-3-1125-32B",
    "TrackerEntry.end_model": "Olmo-3.1-32B-Think",
    "TrackerEntry.release_date": "2025-12",
    "TrackerEntry.rank": "1",
    "TrackerEntry.ranked": "123",
    "TrackerEntry.mof_class": "III",
    "TrackerEntry.views": "{release: {weights: {level: partial, tracker: ..., links: []}}}",
    "TrackerEntry.matches": "[{model: tiiuae/falcon-40b, view: release, how: hub}]",
    "TrackerEntry.family": "olmo",
    "TrackerComponent.level": "partial",
    "TrackerComponent.tracker": "Model parameters (Final): unlicensed",
    "TrackerComponent.links": "[https://huggingface.co/allenai/Olmo-3.1-32B-Think]",
    "TrackerMatch.model": "tiiuae/falcon-40b",
    "TrackerMatch.view": "release",
    "TrackerMatch.how": "hub",
    "TrackerSource.source": "eosai",
    "TrackerSource.name": "European Open Source AI Index",
    "TrackerSource.home": "https://osai-index.eu/",
    "TrackerSource.repository": "https://github.com/Language-Technology-Assessment/main-database",
    "TrackerSource.commit": "5a388e8",
    "TrackerSource.license": "CC-BY-4.0",
    "TrackerSource.attribution": "European Open Source AI Index ..., cited as doi:10.5281/zenodo.15386042.",
    "TrackerSource.notice": "Copyright 2024 The Model Openness Tool Authors ...",
    "TrackerSource.entries": "193",
    "TrackerSource.skipped": "[mot/models/BLOOM.yml: line 1, column 10: YAML syntax: ...]",
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
