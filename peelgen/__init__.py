"""peelgen: PEEL-style police inspection reports from YAML, as HTML and PDF."""

__version__ = "0.1.0"
