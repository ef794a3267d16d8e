"""Commands beyond the build pipeline: each module holds one command's logic; cli.py registers it."""
