"""The published disclaimers, read once from ``agreements.json`` in this package.

Agreements are versioned data, not rows: a deployment ships the texts it serves, and a new version is
a new entry with a new ``agreement_id``. Only the latest version's ``agreement_id`` may turn content
moderation off on a custom endpoint (CONTRACT 6.4).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openmaas.errors import InvalidParameter

AGREEMENTS_FILE = Path(__file__).with_name("agreements.json")
LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"


class AgreementText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    agreement_data: str = Field(min_length=1)
    open_notice: str = Field(min_length=1)
    close_notice: str = Field(min_length=1)


class AgreementVersion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    agreement_id: str = Field(min_length=1, max_length=64)
    texts: dict[str, AgreementText]

    @model_validator(mode="after")
    def _every_language(self) -> AgreementVersion:
        missing = set(LANGUAGES) - set(self.texts)
        if missing:
            raise ValueError(f"version {self.version} has no text in {sorted(missing)}")
        return self


class AgreementBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    about: str = ""
    versions: tuple[AgreementVersion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> AgreementBook:
        for values in ([v.version for v in self.versions], [v.agreement_id for v in self.versions]):
            if len(set(values)) != len(values):
                raise ValueError("two versions share a version number or an agreement_id")
        return self

    @property
    def latest(self) -> AgreementVersion:
        return max(self.versions, key=lambda version: version.version)

    def latest_body(self, language: str) -> dict[str, Any]:
        """CONTRACT 6.5: the latest agreement in ``language`` (one of LANGUAGES, else 400 naming lang)."""
        if language not in LANGUAGES:
            raise InvalidParameter("lang", f"must be one of {', '.join(LANGUAGES)}")
        latest = self.latest
        text = latest.texts[language]
        return {
            "id": text.id,
            "agreement_id": latest.agreement_id,
            "agreement_data": text.agreement_data,
            "open_notice": text.open_notice,
            "close_notice": text.close_notice,
        }


@cache
def agreement_book() -> AgreementBook:
    return AgreementBook.model_validate_json(AGREEMENTS_FILE.read_bytes())
