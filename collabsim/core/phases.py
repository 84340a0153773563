"""The step: one explicit, ordered list of phases, and the state rows they declare.

``PHASES`` is the schedule, in one place: it is what ``docs/ODD.md`` documents and
where a probe or a new phase is inserted (one module, one line here). ``ROWS`` is
every per-provider quantity of the state, in this order: the shared beds and
queue, then each phase's own rows in step order; ``ROW`` names their positions
(in ``State.block``, the recorder's rows and the series).
"""

from __future__ import annotations

from collections.abc import Sequence

from collabsim.core.admission import Admit, Arrive
from collabsim.core.aid import BeginAid, MutualAid
from collabsim.core.discharge import Discharge
from collabsim.core.escalation import Escalate
from collabsim.core.pathway import PlaceDelayed
from collabsim.core.phase import Phase
from collabsim.core.pressure import Pressure
from collabsim.core.record import Record
from collabsim.core.state import SHARED_ROWS, Row, row_index
from collabsim.core.trust import UpdateTrust

PHASES: tuple[type[Phase], ...] = (
    Arrive,  # demand: age the queues, add this step's arrivals
    Discharge,  # stays end; some acute patients become delayed discharges
    PlaceDelayed,  # discharge pathway: delayed patients move to step-down partners
    BeginAid,  # loans due end; transfers and loans agreed earlier and due now start
    Escalate,  # at a decision: escalation beds open where patients wait, close where none do
    Pressure,  # true and reported pressure, requests, spare beds; hidden pressure found out
    MutualAid,  # the policy (from the registry) agrees transfers and loans
    Admit,  # oldest-first admission into free beds, waits recorded
    UpdateTrust,  # help, refusals, harm, drift; self-preservation adapts
    Record,  # per-step totals into preallocated arrays
)


def rows_of(phases: Sequence[type[Phase]]) -> tuple[Row, ...]:
    """The state rows of a system stepped by ``phases``: shared rows, then each phase's."""
    return SHARED_ROWS + tuple(row for phase in phases for row in phase.rows)


ROWS = rows_of(PHASES)
ROW = row_index(ROWS)
