"""The paper's figures as reproducible computations.

* :mod:`~qheat.paper.specs` -- each figure's parameters (from the captions) and chosen ranges;
* :mod:`~qheat.paper.coherences` -- Fig. 2's Dataset (equilibrium coherences vs the mean-force
  Gibbs state);
* :mod:`~qheat.paper.currents` -- Figs. 3-6's Datasets (``J_1`` against ``dT``, one batched
  solve per master equation);
* :mod:`~qheat.paper.summary` -- NDTC and suppression of every curve (``summary.json``);
* :mod:`~qheat.paper.claims` -- the paper's claims checked against the data (``summary.md``).

Import from the submodules.
"""
