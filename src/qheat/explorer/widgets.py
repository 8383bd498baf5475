"""The explorer's parameter slider: Panel's editable slider, refusing values that are not numbers.

Panel's :class:`~panel.widgets.EditableFloatSlider` is a slider and a number field that copy
each other's value whenever it changes. ``NaN != NaN``, so a NaN (a websocket message from the
browser, or the field's value after a typed ``nan``) is a change every time it is copied back:
the copies recurse until Python's ``RecursionError``. :class:`FiniteSlider` stops a value that
is not finite where it enters, from either part, puts the last finite value back and reports
the refusal to the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import panel as pn
import param

__all__ = ["FiniteSlider"]


class FiniteSlider(pn.widgets.EditableFloatSlider):
    """An editable float slider whose slider and field accept finite numbers only.

    ``on_refused(message)`` is called with a one-line message naming the slider and the value
    when a NaN or an infinity arrives; the value stays the last finite one.
    """

    on_refused = param.Callable(default=None, doc="called with the message of a refused value")

    def _sync_value(self, event: Any) -> None:
        """Panel's copy of a part's value into the slider's, unless it is not finite."""
        new = event.new
        if event.name in ("value", "value_throttled") and _not_finite(new):
            kept = self.value
            event.obj.param.update(**{event.name: kept})  # the browser shows the kept value
            if callable(self.on_refused):
                callback: Callable[[str], None] = self.on_refused
                callback(
                    f"{self.label or self.name}: {new} is not a finite number; "
                    f"the value stays {kept:g}"
                )
            return
        super()._sync_value(event)


def _not_finite(value: object) -> bool:
    """A float that is NaN or infinite (None, an emptied field, is the page's own case)."""
    return isinstance(value, float) and not math.isfinite(value)
