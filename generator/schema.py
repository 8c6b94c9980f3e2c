"""The catalog's schema, declared once.

Every field carries a docstring. Validation, the JSON Schema files under ``data/schema/`` and
the site's "data format" page are all derived from these classes, so they cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

LEVELS = ("open", "partial", "closed", "unknown", "not_applicable")
KINDS = ("base", "continued-pretraining", "fine-tune", "instruct", "chat")
Level = Literal["open", "partial", "closed", "unknown", "not_applicable"]
Kind = Literal["base", "continued-pretraining", "fine-tune", "instruct", "chat"]

_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$")
_LICENSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")


def _check(pattern: re.Pattern[str], message: str):
    def check(value: str) -> str:
        if not pattern.match(value) or ".." in value:
            raise ValueError(message)
        return value

    return check


RepoId = Annotated[StrictStr, AfterValidator(_check(_REPO_ID, "must be a Hub repo id like 'org/name'"))]
Slug = Annotated[StrictStr, AfterValidator(_check(_SLUG, "must be lowercase letters, digits and '-'"))]
ReleaseDate = Annotated[StrictStr, AfterValidator(_check(_DATE, "must be a date YYYY-MM-DD or YYYY-MM"))]
LicenseId = Annotated[StrictStr, AfterValidator(_check(_LICENSE_ID, "must be an SPDX id or LicenseRef-..."))]


def _check_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        scheme = value.split(":", 1)[0] if ":" in value else ""
        raise ValueError(f"only http(s) links are allowed, not '{scheme}:'" if scheme else
                         "must be a full http(s) URL")
    if not _URL.match(value):
        raise ValueError("URL contains spaces, quotes or other characters that are not allowed")
    return value


Url = Annotated[StrictStr, AfterValidator(_check_url)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=300)]
Prose = Annotated[StrictStr, Field(max_length=2000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class Component(_Strict):
    """How open one component of a model is, and why we think so."""

    level: Level
    """One of open, partial, closed, unknown or not_applicable (see data/criteria.yml)."""
    evidence: list[Url] = Field(default_factory=list, max_length=20)
    """Links (http or https) to the pages that support the level. Required unless the level is
    unknown or not_applicable."""
    note: Prose = ""
    """One or two sentences, in your own words, on what the evidence shows."""


class Model(_Strict):
    """One released version of a model, as published on the Hugging Face Hub."""

    id: RepoId
    """The Hub repo id, e.g. 'allenai/OLMo-7B'. The file is named after it, with '/' as '__'."""
    name: Text
    """The display name, e.g. 'OLMo 7B'."""
    family: Slug
    """The id of the family this model belongs to (a file in data/families/)."""
    kind: Kind
    """What sort of release this is: base, continued-pretraining, fine-tune, instruct or chat."""
    base_model: RepoId | None = None
    """The Hub id of the model this one was derived from, if any; it must be in the catalog."""
    release_date: ReleaseDate | None = None
    """When the model was released: YYYY-MM-DD, or YYYY-MM when the day is not known."""
    parameters: Annotated[StrictInt, Field(gt=0)] | None = None
    """The headline parameter count given by the developer, e.g. 7000000000 for '7B'."""
    license: LicenseId
    """The licence of the weights: an id from data/licenses.yml."""
    components: dict[StrictStr, Component]
    """The openness of each component: every key of data/criteria.yml, each exactly once."""


class Link(_Strict):
    """A titled link."""

    title: Text
    """What the link points at, e.g. 'Technical report'."""
    url: Url
    """The address (http or https)."""


class Family(_Strict):
    """A family of models from one organisation, e.g. Llama 2."""

    id: Slug
    """The family id; the file is data/families/<id>.yml and its models live in data/models/<id>/."""
    name: Text
    """The display name, e.g. 'Llama 2'."""
    organisation: Text
    """Who releases the family, e.g. 'Meta'."""
    summary: Annotated[StrictStr, Field(min_length=1, max_length=2000)]
    """A short description of the family, in your own words."""
    key_facts: list[Annotated[StrictStr, Field(min_length=1, max_length=300)]] = Field(default_factory=list)
    """Short facts readers should know, e.g. 'Mixture-of-experts with 8 experts per layer'."""
    links: list[Link] = Field(default_factory=list)
    """Papers, announcements and repositories about the family."""


class License(_Strict):
    """One licence of the registry in data/licenses.yml."""

    id: LicenseId
    """The SPDX identifier where one exists, 'LicenseRef-...' otherwise."""
    name: Text
    """The licence's full name."""
    url: Url
    """Where the licence text can be read."""
    osi_approved: StrictBool
    """True only when the Open Source Initiative has approved the licence."""
    hub_ids: list[StrictStr] = Field(default_factory=list)
    """The licence ids the Hugging Face Hub uses for it, e.g. 'apache-2.0' or 'llama2'."""


class LevelDef(_Strict):
    """A level a component can take."""

    key: Level
    """The level's key."""
    label: Text
    """How readers see the level."""
    icon: Text
    """A one-character symbol shown next to the label."""
    score: StrictFloat | StrictInt | None
    """Points this level earns (0 to 1); null leaves the component out of the score."""
    flagged: StrictBool = False
    """Whether the level is called out to readers as a gap in what we know."""


class GroupDef(_Strict):
    """A group of components, e.g. Data or Code."""

    key: Slug
    """The group's key."""
    label: Text
    """How readers see the group."""


class ComponentDef(_Strict):
    """An openness component: something about a model that can be open, partial or closed."""

    key: Annotated[StrictStr, Field(pattern=r"^[a-z][a-z_]{0,40}$")]
    """The key used in model files, e.g. 'training_data'."""
    group: Slug
    """The key of the group this component belongs to."""
    label: Text
    """How readers see the component."""
    description: Prose
    """What the component is."""
    open: Prose
    """What 'open' means for this component."""
    partial: Prose
    """What 'partial' means for this component."""
    closed: Prose
    """What 'closed' means for this component."""


class LessonVerdict(_Strict):
    """The lesson's definition: a set of components that must all be open."""

    label: Text
    """How readers see the verdict."""
    require_open: list[StrictStr]
    """Components that must all be open."""


class OsaidVerdict(_Strict):
    """An estimate against the Open Source AI Definition."""

    label: Text
    """How readers see the verdict."""
    require_open: list[StrictStr]
    """Components that must be open."""
    require_osi_license: StrictBool
    """Whether the weights' licence must be OSI-approved."""
    data: StrictStr
    """The component about training data: open passes, partial passes only with documentation."""
    data_documentation: StrictStr
    """The component that, when open, makes partial training data count as documented."""


class MofClass(_Strict):
    """One class of the Model Openness Framework."""

    key: Literal["III", "II", "I"]
    """The class: III (open model), II (open tooling) or I (open science)."""
    label: Text
    """The class's name."""
    require_open: list[StrictStr]
    """Components that must be open on top of those of the previous class."""


class MofVerdict(_Strict):
    """An estimate of the Model Openness Framework class."""

    label: Text
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

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.components]

    def level(self, key: str) -> LevelDef:
        return next(level for level in self.levels if level.key == key)
