"""inspector's implementation: private, its names may change in any release.

The public API is the package `inspector` (its `__all__`), `inspector.results` (the result types),
`inspector.format` (the file format's typed messages) and `inspector.beam` (the pipeline).
"""
