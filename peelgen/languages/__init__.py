"""Language catalogues: one YAML file per language (see peelgen/language.py)."""
