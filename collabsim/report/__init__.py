"""``collabsim report <dir>``: one self-contained HTML page (figures embedded) for a board.

The page compares the *what-ifs* of a sweep (the settings that differ between its
runs, e.g. ``policy=ics_pool`` against ``policy=trust_gated``): a table of headline
measures with means and 95 % confidence intervals over replications; the difference
from a baseline what-if, paired by seed where the runs share seeds (common random
numbers); waits and trust over time with 95 % bands; the trust dividend where the
sweep varies trust; and a map of the network coloured by how full each provider was.
The PNG figures are also written to ``<dir>/figures/``.

``analysis`` makes the numbers, ``figures`` draws them and ``page`` writes the HTML.
The table's measures are those ``collabsim.core.metrics.MEASURES`` marks for the report.
"""

from collabsim.report.page import make_report

__all__ = ["make_report"]
