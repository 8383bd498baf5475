"""Figures: take a Dataset, return a matplotlib Figure; no physics.

Import from the submodules (e.g. ``from qheat.figures.paper import paper_figure``).
"""
