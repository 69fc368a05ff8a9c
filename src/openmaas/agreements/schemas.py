"""The disclaimer's answer (CONTRACT 6.5)."""

from __future__ import annotations

from openmaas.wire import Answer


class Agreement(Answer):
    id: str
    agreement_id: str
    agreement_data: str
    open_notice: str
    close_notice: str
