"""Charts as lean, accessible SVG: style and sizes (:mod:`.style`), drawing each kind
(:mod:`.kinds`, on the shared parts in :mod:`.axes`) as a scene of plain shapes
(:mod:`.scene`) with text measured from the bundled font (:mod:`.measure`), written as
SVG (:mod:`.svg`) or PNG (:mod:`.png`), and a cache (:mod:`.cache`).

peelgen draws its charts itself rather than through a plotting library: five chart kinds
need little of one, and the library's import and text layout cost more than the rest of
peelgen's own work on a report (see ``docs/performance.md``).

The public entry point is :func:`peelgen.render_charts.render_charts`.
"""
