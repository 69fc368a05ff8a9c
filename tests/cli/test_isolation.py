"""The client commands reach the server only through ``openmaas_client``: with the server package
unimportable, the CLI still loads and its client commands still parse (STYLE layout rule)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import openmaas_cli

BLOCKED_IMPORT = textwrap.dedent(
    """
    import sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "openmaas" or name.startswith("openmaas."):
                raise ImportError(f"the CLI imported the server: {name}")
            return None

    sys.meta_path.insert(0, Block())
    from typer.testing import CliRunner
    from openmaas_cli.main import app

    for group in ("regions", "workspaces", "services", "maas", "endpoints"):
        result = CliRunner().invoke(app, [group, "--help"])
        assert result.exit_code == 0, (group, result.output)
    result = CliRunner().invoke(app, ["login", "--help"])
    assert result.exit_code == 0, result.output
    print("ok", sorted(name for name in sys.modules if name.startswith("openmaas.")))
    """
)


def test_cli_loads_without_the_server_package() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok []"


def test_cli_uses_only_the_clients_public_names() -> None:
    """The client's underscore modules are its own business: the CLI imports from the package."""
    cli_sources = Path(openmaas_cli.__file__).parent.rglob("*.py")
    private = [
        f"{source.name}:{number}"
        for source in cli_sources
        for number, line in enumerate(source.read_text().splitlines(), 1)
        if re.search(r"\bopenmaas_client\._", line)
    ]
    assert private == []
