"""Analysis of steady states and currents: the perturbative picture of Appendix B, the
mean-force Gibbs state (Eq. 20), closed forms of the Lindblad current (Eqs. 24-26) and of the
symmetric limit (Appendix C), and NDTC analysis of current curves.

Import from the submodules (e.g. ``from qheat.analysis.mean_force import mean_force_gibbs``).
"""
