"""A small deterministic OpenAI-compatible model server (``openmaas mock-model``): a model to try the
data plane with, offline. It imports nothing from openmaas: it stands for any model server.

Tokens, by this server's own rule: a token is a whitespace-separated word. A prompt counts the
words of every message's text plus 3 for each message; an answer counts the words it sends. Its
``usage`` is exact by that rule. The same messages always get the same answer.
"""

from openmaas.mock_model.app import MockOptions, create_mock_app

__all__ = ["MockOptions", "create_mock_app"]
