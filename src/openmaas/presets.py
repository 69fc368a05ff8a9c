"""The preset-model catalogue: which models a ``custom_from_maas`` endpoint may name (CONTRACT 6.4).

The catalogue is a small JSON file shipped in this package (``preset_models.json``, documented in its
``about`` key); ``OPENMAAS_PRESET_MODELS_FILE`` replaces it. It is read once, when the app is built,
so a broken file stops the server at start-up instead of failing requests.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from openmaas.names import INT32_MAX

SHIPPED_CATALOGUE = Path(__file__).with_name("preset_models.json")


class PresetModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model_name: str = Field(min_length=1, max_length=128)
    resident_model_id: str = Field(min_length=1, max_length=64)
    max_rpm: int = Field(ge=1, le=INT32_MAX)
    max_tpm: int = Field(ge=1, le=INT32_MAX)
    # The OpenAI-compatible server that answers for the model on this deployment (the data plane's
    # upstream, D-14), and the model name it serves (default: model_name). None: not callable here.
    upstream_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")
    upstream_model: str | None = Field(default=None, min_length=1, max_length=256)


class PresetCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    about: str = ""
    models: tuple[PresetModel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_unique(self) -> PresetCatalogue:
        names = [model.model_name for model in self.models]
        if len(set(names)) != len(names):
            raise ValueError("a model_name appears twice")
        return self

    def find(self, model_name: str) -> PresetModel | None:
        return next((model for model in self.models if model.model_name == model_name), None)

    def names(self) -> list[str]:
        return [model.model_name for model in self.models]


class InvalidCatalogue(ValueError):
    """The preset-model file cannot be used; the message names the file and the problem."""


def load_catalogue(path: Path | None) -> PresetCatalogue:
    source = path or SHIPPED_CATALOGUE
    try:
        return PresetCatalogue.model_validate_json(source.read_bytes())
    except OSError as error:
        raise InvalidCatalogue(f"{source}: cannot be read ({error})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        raise InvalidCatalogue(f"{source}: {where}: {first['msg']}") from None
