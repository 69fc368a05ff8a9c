"""One module per command group; each defines a ``typer.Typer`` (or a command) that main.py mounts."""
