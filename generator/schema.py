"""The catalog's schema, declared once.

Every field carries a docstring. Validation, the JSON Schema files under ``data/schema/`` and
the site's "data format" page are all derived from these classes, so they cannot drift apart.
"""

from __future__ import annotations

import calendar
import re
import types
import typing
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)
from pydantic.fields import FieldInfo

LEVELS = ("open", "partial", "closed", "unknown", "not_applicable")
KINDS = ("base", "continued-pretraining", "fine-tune", "instruct", "chat")
Level = Literal["open", "partial", "closed", "unknown", "not_applicable"]
Kind = Literal["base", "continued-pretraining", "fine-tune", "instruct", "chat"]
COMPONENT_KEY = r"^[a-z][a-z_]{0,40}$"
"""The shape of a component's key; every level's key has it too (templates write keys into ids)."""

_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_DATE_SHAPE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE_MESSAGE = "must be a date YYYY-MM-DD, YYYY-MM or YYYY"
_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)
_LICENSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")


def _check(pattern: re.Pattern[str], message: str):
    def check(value: str) -> str:
        if not pattern.match(value) or ".." in value:
            raise ValueError(message)
        return value

    return check


RepoId = Annotated[StrictStr, AfterValidator(_check(_REPO_ID, "must be a Hub repo id like 'org/name'"))]
Slug = Annotated[StrictStr, AfterValidator(_check(_SLUG, "must be lowercase letters, digits and '-'"))]


def _real_date(value: str) -> str:
    """A YYYY-MM-DD, YYYY-MM or YYYY (or an ISO time) that is a day, month or year of the calendar,
    not just of the pattern. A date of the right shape but an impossible month or day is told which
    part is wrong."""
    day_part = value[:10]
    shape = _DATE_SHAPE.match(day_part)
    if not shape:
        raise ValueError(_DATE_MESSAGE)
    year, month, day = int(shape.group(1)), shape.group(2), shape.group(3)
    if year == 0:
        raise ValueError(f"{day_part}: there is no year 0000")
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"{day_part}: there is no month {month}; months run from 01 to 12")
    if day is not None:
        last = calendar.monthrange(year, int(month))[1]
        if not 1 <= int(day) <= last:
            raise ValueError(f"{day_part}: {calendar.month_name[int(month)]} {year} has days 01 to {last}, not {day}")
    return value


def _year_as_text(value: object) -> object:
    """YAML reads a bare year such as 2022 as a number; as a release date it means the text '2022'.
    Any other whole number becomes text too, so that the date check says what is wrong with it."""
    return str(value) if type(value) is int else value


def _four_digit_year(value: str) -> str:
    if value.isascii() and value.isdigit() and len(value) != 4:
        raise ValueError(f"{value}: a year has four digits, e.g. 2023")
    return value


ReleaseDate = Annotated[StrictStr, BeforeValidator(_year_as_text), AfterValidator(_four_digit_year),
                        AfterValidator(_check(_DATE_SHAPE, _DATE_MESSAGE)),
                        AfterValidator(_real_date),
                        WithJsonSchema({"anyOf": [{"type": "string", "pattern": _DATE_SHAPE.pattern},
                                                  {"type": "integer", "minimum": 1000, "maximum": 9999}]})]
"""A day, a month or a year: the finest precision the evidence supports (rule release-date-precision)."""
LicenseId = Annotated[StrictStr, AfterValidator(_check(_LICENSE_ID, "must be an SPDX id or LicenseRef-..."))]


def _check_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        scheme = value.split(":", 1)[0] if ":" in value else ""
        raise ValueError(f"only http(s) links are allowed, not '{scheme}:'" if scheme else
                         "must be a full http(s) URL")
    if not _URL.match(value):
        raise ValueError("URL contains spaces, quotes or other characters that are not allowed")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValueError("URL is malformed") from None
    if "@" in parts.netloc:
        raise ValueError("URL must not contain a user name or password (the part before '@')")
    if not host:
        raise ValueError("URL has no host name")
    return value


Url = Annotated[StrictStr, AfterValidator(_check_url)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=300)]
Prose = Annotated[StrictStr, Field(max_length=2000)]


class Translatable:
    """Marks a field (or the items of a list field) as curated prose readers see: ``openmodels i18n
    extract`` puts every such string into the data catalogs (data/locales/), and the pages show its
    translation. Contributors write these in English only."""

    def __repr__(self) -> str:
        return "TRANSLATABLE"


TRANSLATABLE = Translatable()
Tr = TRANSLATABLE  # short, for the annotations below


def is_translatable(annotation: object, metadata: list[object] = ()) -> bool:  # type: ignore[assignment]
    """Whether a field's annotation (or its pydantic ``metadata``) carries the :data:`TRANSLATABLE` marker,
    on the field itself or on the items of a list."""
    if any(isinstance(m, Translatable) for m in metadata):
        return True
    if typing.get_origin(annotation) is Annotated:
        return any(isinstance(m, Translatable) for m in annotation.__metadata__)
    if typing.get_origin(annotation) is list:
        return is_translatable(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(is_translatable(arg) for arg in typing.get_args(annotation))
    return False


def file_stem(model_id: str) -> str:
    """The name every file about a model takes after its Hub id, ``org/name`` -> ``org__name``: its
    data file, its page and its badge. The one place this rule is written."""
    return model_id.replace("/", "__")


def model_id_of(stem: str) -> str:
    """The Hub id a file stem made by :func:`file_stem` stands for."""
    return stem.replace("__", "/", 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


def _hint(text: str) -> dict:
    """What a contributor is told about a wrong value of a field, in place of the plain 'e.g. {example}'
    (see :func:`field_hint`); ``{example}`` in it stands for the field's examples."""
    return {"hint": text}


def show_example(value: object) -> str:
    """An example value as it would be written in a YAML file (flow style for lists and mappings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show_example(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_example(v)}" for k, v in value.items()) + "}"
    return str(value)


def field_hint(info: FieldInfo, item: bool = False) -> str:
    """The hint for a wrong value of a field: its choices, or what it holds and a short example (of
    one item of a list with ``item``). Derived from the field's annotation, ``examples`` and ``hint``."""
    choices = _choices(info.annotation)
    if choices:
        return "one of: " + ", ".join(choices)
    examples = [e[0] if item and isinstance(e, list) and e else e for e in info.examples or []]
    template = (info.json_schema_extra or {}).get("hint", "e.g. {example}" if examples else "")
    shown = [show_example(e) for e in examples]
    return template.format(example=" or ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 2 else shown))


def _choices(annotation: object) -> tuple[str, ...]:
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    for arg in typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else ():
        if typing.get_origin(arg) is Literal:
            return typing.get_args(arg)
    return ()


class Component(_Strict):
    """How open one component of a model is, and why we think so."""

    level: Level = Field(examples=["open"])
    """One of open, partial, closed, unknown or not_applicable (see data/criteria.yml)."""
    evidence: list[Url] = Field(default_factory=list, max_length=20,
                                examples=[["https://arxiv.org/abs/2402.00838"]])
    """Links (http or https) to the pages that support the level. Required unless data/criteria.yml
    sets needs_evidence: false for the level."""
    note: Annotated[Prose, Tr] = Field("", examples=["The full pre-training corpus is published on the Hub."],
                        json_schema_extra=_hint("one or two sentences in your own words"))
    """One or two sentences, in your own words, on what the evidence shows."""


class Model(_Strict):
    """One released version of a model, as published on the Hugging Face Hub."""

    id: RepoId = Field(examples=["allenai/OLMo-7B"])
    """The Hub repo id, e.g. 'allenai/OLMo-7B'. The file is named after it, with '/' as '__'."""
    name: Text = Field(examples=["OLMo 7B"])
    """The display name, e.g. 'OLMo 7B'."""
    family: Slug = Field(examples=["olmo"], json_schema_extra=_hint("the name of a file in data/families/ without "
                                                                    ".yml, e.g. {example}"))
    """The id of the family this model belongs to (a file in data/families/)."""
    kind: Kind = Field(examples=["base"])
    """What sort of release this is: base, continued-pretraining, fine-tune, instruct or chat."""
    base_model: RepoId | None = Field(None, examples=["meta-llama/Llama-2-7b-hf"],
                                      json_schema_extra=_hint("e.g. {example}, or leave it out"))
    """The Hub id of the model this one was derived from, if any; it must be in the catalog."""
    release_date: ReleaseDate | None = Field(None, examples=["2024-02-01", "2024-02", "2024"])
    """When the weights were first public: YYYY-MM-DD, YYYY-MM when the day is not known, or YYYY when
    the evidence places the release within a year but not a month."""
    parameters: Annotated[StrictInt, Field(gt=0)] | None = Field(
        None, examples=[7000000000], json_schema_extra=_hint("a whole number, e.g. {example} for 7B"))
    """The headline parameter count given by the developer, e.g. 7000000000 for '7B'."""
    license: LicenseId = Field(examples=["Apache-2.0"],
                               json_schema_extra=_hint("an id from data/licenses.yml, e.g. {example}"))
    """The licence of the weights: an id from data/licenses.yml."""
    components: dict[StrictStr, Component] = Field(
        examples=[{"training_data": {"level": "open", "evidence": ["https://huggingface.co/datasets/allenai/dolma"],
                                     "note": "The full pre-training corpus is published on the Hub."}}],
        json_schema_extra=_hint("each key of data/criteria.yml with its level, evidence and note"))
    """The openness of each component: every key of data/criteria.yml, each exactly once."""


class Link(_Strict):
    """A titled link."""

    title: Annotated[Text, Tr] = Field(examples=["Technical report"])
    """What the link points at, e.g. 'Technical report'."""
    url: Url = Field(examples=["https://arxiv.org/abs/2402.00838"])
    """The address (http or https)."""


class Family(_Strict):
    """A family of models from one organisation, e.g. Llama 2."""

    id: Slug = Field(examples=["olmo"])
    """The family id; the file is data/families/<id>.yml and its models live in data/models/<id>/."""
    name: Annotated[Text, Tr] = Field(examples=["OLMo"])
    """The display name, e.g. 'Llama 2' (translated where a language needs another, e.g. 'Mistral och Mixtral')."""
    organisation: Text = Field(examples=["Allen Institute for AI"])
    """Who releases the family, e.g. 'Meta'."""
    summary: Annotated[StrictStr, Field(min_length=1, max_length=2000), Tr] = Field(
        examples=["A family of language models released with their data and code."])
    """A short description of the family, in your own words."""
    key_facts: list[Annotated[StrictStr, Field(min_length=1, max_length=300), Tr]] = Field(
        default_factory=list, examples=[["Trained on the Dolma corpus"]])
    """Short facts readers should know, e.g. 'Mixture-of-experts with 8 experts per layer'."""
    links: list[Link] = Field(default_factory=list,
                              examples=[[{"title": "Paper", "url": "https://arxiv.org/abs/2402.00838"}]])
    """Papers, announcements and repositories about the family."""


class License(_Strict):
    """One licence of the registry in data/licenses.yml."""

    id: LicenseId = Field(examples=["Apache-2.0"])
    """The SPDX identifier where one exists, 'LicenseRef-...' otherwise."""
    name: Annotated[Text, Tr] = Field(examples=["Apache License 2.0"])
    """The licence's full name."""
    url: Url = Field(examples=["https://www.apache.org/licenses/LICENSE-2.0"])
    """Where the licence text can be read."""
    osi_approved: StrictBool = Field(examples=[True])
    """True only when the Open Source Initiative has approved the licence."""
    hub_ids: list[StrictStr] = Field(default_factory=list, examples=[["apache-2.0"]])
    """The licence ids the Hugging Face Hub uses for it, e.g. 'apache-2.0' or 'llama2'."""


HubRelation = Literal["finetune", "adapter", "quantized", "merge"]
IsoDate = Annotated[StrictStr, AfterValidator(_check(re.compile(r"^\d{4}-\d{2}-\d{2}$"), "must be a date YYYY-MM-DD")),
                    AfterValidator(_real_date)]
IsoTime = Annotated[StrictStr, AfterValidator(_check(re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"),
                                                     "must be a UTC time YYYY-MM-DDTHH:MM:SSZ")),
                    AfterValidator(_real_date)]
Count = Annotated[StrictInt, Field(ge=0)]
_HUB_ID = r"^([A-Za-z0-9][A-Za-z0-9_.-]*/)?[A-Za-z0-9][A-Za-z0-9_.-]*$"


class HubBaseModel(_Strict):
    """A model the Hub says this one derives from."""

    id: Annotated[StrictStr, Field(max_length=200, pattern=_HUB_ID)]
    """The base model's Hub id as the Hub names it today (a few old repos have no organisation)."""
    relation: HubRelation | None = None
    """How it derives: finetune, adapter, quantized or merge; null when the Hub does not say."""


class HubSnapshot(_Strict):
    """Facts about one model as the Hugging Face Hub reported them; written by ``openmodels refresh``.

    Snapshots live in data/hub/<org>/<name>.yml, apart from the curated files, and are never edited by hand.
    """

    id: RepoId
    """The Hub repo id the facts belong to."""
    sha: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{40}$")] | None = None
    """The commit the repo's main branch pointed at."""
    last_modified: IsoTime | None = None
    """When the repo last changed (UTC)."""
    created: IsoTime | None = None
    """When the repo was created (UTC)."""
    gated: StrictBool | Literal["auto", "manual"] | None = None
    """false, or how access requests are approved: auto or manual (metadata stays public either way)."""
    hub_license: Annotated[StrictStr, Field(max_length=100)] | None = None
    """The licence id the Hub shows, e.g. 'llama3' or 'other' (not SPDX)."""
    hub_license_name: Annotated[StrictStr, Field(max_length=100)] | None = None
    """The card's license_name, given when the Hub's licence id is 'other'."""
    license: LicenseId | None = None
    """The Hub's licence mapped to data/licenses.yml through its hub_ids; null when no entry lists it."""
    downloads: Count | None = None
    """Downloads over the last 30 days."""
    likes: Count | None = None
    """How many Hub users liked the repo."""
    parameters: Count | None = None
    """Parameters counted in the safetensors weights; null without safetensors weights."""
    pipeline_tag: Annotated[StrictStr, Field(max_length=100)] | None = None
    """The Hub's task, e.g. 'text-generation'."""
    library: Annotated[StrictStr, Field(max_length=100)] | None = None
    """The library the weights are meant for, e.g. 'transformers'."""
    datasets: list[Annotated[StrictStr, Field(max_length=200)]] = Field(default_factory=list, max_length=200)
    """Datasets the card declares (the Hub's dataset: tags), sorted."""
    arxiv: list[Annotated[StrictStr, Field(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9./-]*$")]] = Field(
        default_factory=list, max_length=200)
    """arXiv ids from the Hub's arxiv: tags, sorted."""
    base_models: list[HubBaseModel] = Field(default_factory=list, max_length=50)
    """The models this one derives from, from the Hub's base_model: tags (the card's base_model only without
    them), sorted."""
    fetched: IsoDate
    """The day the Hub answered (its Date header); not a fact of its own, so a change of it alone is no change."""


class LevelDef(_Strict):
    """A level a component can take."""

    key: Level
    """The level's key."""
    label: Annotated[Text, Tr]
    """How readers see the level."""
    short: Annotated[Text, Tr] | None = None
    """A shorter label for narrow table cells; the label when absent."""
    icon: Text
    """A one-character symbol shown next to the label."""
    score: StrictFloat | StrictInt | None
    """Points this level earns (0 to 1); null leaves the component out of the score."""
    flagged: StrictBool = False
    """Whether the level is called out to readers as a gap in what we know; the verdicts treat a
    requirement on a flagged component as not known either way."""
    meets_requirements: StrictBool = False
    """Whether a component at this level satisfies a verdict's 'must be open'."""
    needs_evidence: StrictBool = True
    """Whether a component at this level must cite at least one evidence link."""


class GroupDef(_Strict):
    """A group of components, e.g. Data or Code."""

    key: Slug
    """The group's key."""
    label: Annotated[Text, Tr]
    """How readers see the group."""


class ComponentDef(_Strict):
    """An openness component: something about a model that can be open, partial or closed."""

    key: Annotated[StrictStr, Field(pattern=COMPONENT_KEY)]
    """The key used in model files, e.g. 'training_data'."""
    group: Slug
    """The key of the group this component belongs to."""
    label: Annotated[Text, Tr]
    """How readers see the component."""
    short: Annotated[Text, Tr] | None = None
    """A short column header for the compact family table, e.g. 'Train data'; the label when absent."""
    description: Annotated[Prose, Tr]
    """What the component is."""
    open: Annotated[Prose, Tr]
    """What 'open' means for this component."""
    partial: Annotated[Prose, Tr]
    """What 'partial' means for this component."""
    closed: Annotated[Prose, Tr]
    """What 'closed' means for this component."""


class RuleCheck(_Strict):
    """The part of a rule a machine can check. ``openmodels validate`` applies it to every model that
    ``kinds`` selects and whose component has one of ``levels``; each requirement given must hold."""

    components: list[StrictStr] = Field(min_length=1)
    """The components the check reads, e.g. [finetuning_data, finetuning_code]."""
    kinds: list[Kind] = Field(default_factory=lambda: list(KINDS))
    """The kinds of release the check covers; all kinds when left out."""
    levels: list[Level] = Field(default_factory=lambda: list(LEVELS))
    """The levels the check constrains; a component at another level is left alone."""
    allowed_levels: list[Level] | None = None
    """The component must have one of these levels."""
    evidence_matches: list[Annotated[StrictStr, Field(min_length=1, max_length=200)]] | None = None
    """At least one evidence link must match one of these regular expressions (searched, not anchored)."""
    evidence_beyond_base: StrictBool = False
    """At least one evidence link must not be cited for the same component of the base_model: the level
    must rest on this release's own evidence, not only on what it inherits."""
    evidence_off_gated_hub: StrictBool = False
    """When the model's Hub snapshot says the repository is gated, at least one evidence link must point
    somewhere other than huggingface.co (the ungated copy the level rests on)."""


class Rule(_Strict):
    """One judgement the criteria leave open, decided once and applied to every model."""

    key: Slug
    """The rule's key, e.g. 'paper-is-a-document'."""
    title: Annotated[Text, Tr]
    """A short title for readers."""
    text: Annotated[Prose, Tr]
    """The rule in words, for readers and reviewers."""
    check: RuleCheck | None = None
    """What ``openmodels validate`` enforces of the rule; left out when only a reviewer can judge it."""


class LessonVerdict(_Strict):
    """The lesson's definition: a set of components that must all be open."""

    label: Annotated[Text, Tr]
    """How readers see the verdict."""
    require_open: list[StrictStr]
    """Components that must all be open."""


class OsaidVerdict(_Strict):
    """An estimate against the Open Source AI Definition."""

    label: Annotated[Text, Tr]
    """How readers see the verdict."""
    require_open: list[StrictStr]
    """Components that must be open."""
    require_osi_license: StrictBool
    """Whether the weights' licence must be OSI-approved."""
    data: StrictStr
    """The component about training data: open passes, partial passes only with documentation."""
    data_documentation: StrictStr
    """The component that, when open, makes partial training data count as documented."""
    data_documented_levels: list[Level] = Field(default_factory=list)
    """Levels of the data component that pass when the documentation component meets the requirements."""


class MofClass(_Strict):
    """One class of the Model Openness Framework."""

    key: Literal["III", "II", "I"]
    """The class: III (open model), II (open tooling) or I (open science)."""
    label: Annotated[Text, Tr]
    """The class's name."""
    require_open: list[StrictStr]
    """Components that must be open on top of those of the previous class."""


class MofVerdict(_Strict):
    """An estimate of the Model Openness Framework class."""

    label: Annotated[Text, Tr]
    """How readers see the verdict."""
    classes: list[MofClass]
    """The classes from the lowest (III) to the highest (I); each includes the ones before."""


class Verdicts(_Strict):
    """The three verdicts shown side by side."""

    lesson_criteria: LessonVerdict
    """The lesson's five criteria."""
    osaid: OsaidVerdict
    """The Open Source AI Definition estimate."""
    mof: MofVerdict
    """The Model Openness Framework estimate."""


class Criteria(_Strict):
    """The contents of data/criteria.yml."""

    levels: list[LevelDef]
    """Every level, in the order readers see them."""
    groups: list[GroupDef]
    """Groups of components."""
    components: list[ComponentDef]
    """The openness components, in the order of the table's columns."""
    verdicts: Verdicts
    """How the verdicts are reached."""
    rules: list[Rule] = Field(default_factory=list)
    """Judgements the component definitions leave open, each decided once for the whole catalog."""

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.components]

    def level(self, key: str) -> LevelDef:
        return next(level for level in self.levels if level.key == key)


TrackerSourceKey = Literal["eosai", "mot"]
_TRACKER_ENTRY = r"^[A-Za-z0-9][A-Za-z0-9 _.+()-]{0,99}$"


class TrackerComponent(_Strict):
    """One of our components as a tracker sees it, mapped onto our levels."""

    level: Level = Field(examples=["partial"])
    """The tracker's finding, mapped onto our levels through data/trackers/mapping.yml."""
    tracker: Annotated[StrictStr, Field(max_length=300)] = Field(examples=["Model parameters (Final): unlicensed"])
    """What the tracker itself recorded, e.g. 'datasources_basemodel: partial' or
    'Model parameters (Final): unlicensed'."""
    links: list[Url] = Field(default_factory=list, max_length=20,
        examples=[["https://huggingface.co/allenai/Olmo-3.1-32B-Think"]])
    """The tracker's evidence links for this component (http or https only)."""


class TrackerMatch(_Strict):
    """A model of the catalog that a tracker entry describes."""

    model: RepoId = Field(examples=["tiiuae/falcon-40b"])
    """The model's Hub id."""
    view: Literal["end", "base", "release"] = Field(examples=["release"])
    """Which part of the entry describes it: the EOSAI's end or base model, or the MOT's release."""
    how: Literal["hub", "name", "curated"] = Field(examples=["hub"])
    """How the match was made: the Hub repository, the exact model name, or data/trackers/matches.yml."""


class TrackerEntry(_Strict):
    """One tracker entry, normalised; written by ``openmodels trackers import``.

    Entries live in data/trackers/<source>/<entry>.yml, apart from the curated files, and are never edited by hand.
    """

    source: TrackerSourceKey = Field(examples=["mot"])
    """The tracker: eosai (European Open Source AI Index) or mot (Model Openness Tool)."""
    id: Annotated[StrictStr, Field(pattern=_TRACKER_ENTRY)] = Field(examples=["Falcon-40B"])
    """The entry's file name in the tracker, without its extension."""
    name: Text = Field(examples=["Falcon-40B"])
    """The name the tracker gives the model or system."""
    url: Url = Field(examples=["https://osai-index.eu/model/OLMo"])
    """The entry's page on the tracker's site or in its repository."""
    type: Annotated[StrictStr, Field(max_length=40)] = Field("", examples=["text"])
    """The kind of model the tracker says it is, e.g. text or language."""
    hub_id: RepoId | None = Field(None, examples=["tiiuae/falcon-40b"])
    """The Hub repository the entry describes, when it names one."""
    base_model: Annotated[StrictStr, Field(max_length=200)] | None = Field(None, examples=["Olmo-3-1125-32B"])
    """EOSAI: the base model's name as the index writes it."""
    end_model: Annotated[StrictStr, Field(max_length=200)] | None = Field(None, examples=["Olmo-3.1-32B-Think"])
    """EOSAI: the end model's name (the one users talk to) as the index writes it."""
    release_date: Annotated[StrictStr, Field(max_length=20)] | None = Field(None, examples=["2025-12"])
    """The date the tracker gives for the release or the listing."""
    rank: Annotated[StrictInt, Field(ge=1)] | None = Field(None, examples=[1])
    """EOSAI: the entry's place among the index's systems of the same type, by the index's own score."""
    ranked: Annotated[StrictInt, Field(ge=1)] | None = Field(None, examples=[123])
    """EOSAI: how many systems of that type the index ranks."""
    mof_class: Literal["III", "II", "I"] | None = Field(None, examples=["III"])
    """MOT: the Model Openness Framework class the listing reaches by the MOT's own rules; null for none."""
    views: dict[Literal["end", "base", "release"], dict[StrictStr, TrackerComponent]] = Field(default_factory=dict,
        examples=[{"release": {"weights": {"level": "partial", "tracker": "...", "links": []}}}])
    """Per part of the entry (end, base or release), our component keys with the tracker's mapped levels."""
    matches: list[TrackerMatch] = Field(default_factory=list,
        examples=[[{"model": "tiiuae/falcon-40b", "view": "release", "how": "hub"}]])
    """The catalog models this entry describes, as matched at import time."""
    family: Slug | None = Field(None, examples=["olmo"])
    """The family whose latest release this entry describes, when it matches none of our models."""


class TrackerSource(_Strict):
    """Where a tracker's entries came from; data/trackers/<source>/_source.yml."""

    source: TrackerSourceKey = Field(examples=["eosai"])
    """The tracker's key."""
    name: Text = Field(examples=["European Open Source AI Index"])
    """The tracker's full name."""
    home: Url = Field(examples=["https://osai-index.eu/"])
    """The tracker's site."""
    repository: Url = Field(examples=["https://github.com/Language-Technology-Assessment/main-database"])
    """The repository the entries were read from."""
    commit: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{7,40}$")] = Field(examples=["5a388e8"])
    """The repository's commit the snapshot was taken at."""
    license: LicenseId = Field(examples=["CC-BY-4.0"])
    """The licence of the tracker's data."""
    attribution: Annotated[StrictStr, Field(max_length=600)] = Field(
        examples=["European Open Source AI Index ..., cited as doi:10.5281/zenodo.15386042."])
    """How the tracker asks to be credited."""
    notice: Annotated[StrictStr, Field(max_length=4000)] = Field("",
        examples=["Copyright 2024 The Model Openness Tool Authors ..."])
    """The licence notice that must accompany the data (the MOT's MIT notice), from the snapshot's LICENSE."""
    entries: Annotated[StrictInt, Field(ge=0)] = Field(examples=[193])
    """How many entries were imported."""
    skipped: list[Annotated[StrictStr, Field(max_length=300)]] = Field(default_factory=list,
        examples=[["mot/models/BLOOM.yml: line 1, column 10: YAML syntax: ..."]])
    """Files that could not be read, each with the reason."""
