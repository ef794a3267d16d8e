"""Charts as lean, accessible SVG: style and sizes (:mod:`.style`), drawing each kind
(:mod:`.kinds`), tidying matplotlib's SVG (:mod:`.svg`) and a cache (:mod:`.cache`).

The public entry point is :func:`peelgen.render_charts.render_charts`.
"""
