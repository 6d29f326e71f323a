"""`python -m cli ...` runs the `indsats` command."""

from cli.app import app

app()
