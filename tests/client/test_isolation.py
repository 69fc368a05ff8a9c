"""The client is a separate package: it imports nothing from the server, and its public API is
``__all__`` with every other module private (STYLE habit 8)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap
import types

import openmaas_client

# Runs in a fresh interpreter where importing `openmaas` (or any submodule) raises.
BLOCKED_IMPORT = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "openmaas" or name.startswith("openmaas."):
                raise ImportError(f"the client imported the server: {name}")
            return None

    sys.meta_path.insert(0, Block())
    import openmaas_client
    for module in pkgutil.iter_modules(openmaas_client.__path__):
        importlib.import_module(f"openmaas_client.{module.name}")
    leaked = sorted(name for name in sys.modules if name == "openmaas" or name.startswith("openmaas."))
    print("leaked:", leaked)
    """
)


def test_client_imports_without_the_server() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "leaked: []"


def test_every_module_of_the_client_is_private() -> None:
    names = [module.name for module in pkgutil.iter_modules(openmaas_client.__path__)]
    assert names
    assert [name for name in names if not name.startswith("_")] == []


def test_public_api_is_exactly_all() -> None:
    public = {name for name in vars(openmaas_client) if not name.startswith("_")}
    assert public == set(openmaas_client.__all__)
    for name in openmaas_client.__all__:
        exported = getattr(openmaas_client, name)
        if isinstance(exported, types.UnionType):  # `Credentials`, an alias of our own classes
            assert all(member.__module__.startswith("openmaas_client") for member in exported.__args__)
        else:
            assert exported.__module__.startswith("openmaas_client")
