"""``python -m qheat ...``: the ``qheat`` command line (:func:`qheat.cli.main`)."""

import sys

from qheat.cli import main

sys.exit(main())
