"""The MaaS data plane: OpenAI-compatible calls of a custom endpoint, forwarded to its model server."""
