"""The memory a run needs, estimated from its settings and its network's size before the
engine is built, so a run too big for the machine is refused in one line rather than
allocating until the machine runs out.

The estimate adds up a run's big parts: its series (a row a step, kept for every
replication), its tables (a row per provider, and per acute provider and quarter, for
every replication), its queues (a cohort per step of the longest wait, in every bed pool),
its stays (lognormal stays: a bucket per step of the horizon, in every pool), mutual aid
in flight (a slot per step of the longest delay and loan, on every link) and the network
itself (networkx, Mesa). It is rough (within a factor of about two), which is enough
to tell a run that fits from one that needs ten times the machine.
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import Any

from collabsim.config import Config
from collabsim.errors import ConfigError

GIB = 2**30
WORD = 8  # bytes of one count or measure
BASE = 0.4 * GIB  # Python, numba, pandas, Mesa and the compiled kernels
STEP_ONCE = 50 * WORD  # the recorder's rows of a step
STEP_PER_RUN = 3 * 60 * WORD  # a series row of a replication: the frame, stacked, written
PROVIDER_PER_RUN = 2 * 60 * WORD  # a providers.parquet row of a replication
QUARTER_PER_RUN = 2 * 20 * WORD  # a quarters.parquet row of a replication
RUN_ROW = 20_000  # a runs.parquet row: every parameter and measure, as Python objects
PROVIDER = 5_000  # a provider in networkx, Mesa and the engine's own rows
LINK = 1_000  # a link in networkx, Mesa's space and the engine's link tables
QUARTER_DAYS = 91.3


def machine_memory() -> int | None:
    """Bytes of memory this process may use: the machine's, or its container's (cgroup)
    limit when lower; None when unknown."""
    limits = []
    with contextlib.suppress(ValueError, OSError, AttributeError):  # not on every system
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    for name in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(name).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:  # "max" or a huge number: no limit
            limits.append(int(text))
    return min(limits) if limits else None


def network_size(config: Config, graph: Any = None) -> tuple[int, int, float]:
    """(providers, links, acute beds) of the run's network: counted in ``graph`` when
    given, else from the settings of a generated network (without making it)."""
    if graph is not None:
        acute = sum(d["capacity"] for _, d in graph.nodes(data=True) if d["kind"] == "acute")
        return graph.number_of_nodes(), graph.number_of_edges(), float(acute)
    from collabsim.network import generated_size, resolve

    net = resolve(config.network)
    providers, links = generated_size(net)
    mean_beds = net.acute_beds_median * math.exp(net.acute_beds_sigma**2 / 2)
    return providers, links, net.acute * max(mean_beds, net.acute_beds_min)


def estimate(config: Config, providers: int, links: int, acute_beds: float) -> dict[str, float]:
    """Bytes each big part of the run needs, by what sets its size."""
    step = config.sim.step_days
    runs = config.replications
    steps = config.sim.days / step
    pools = providers + (acute_beds / max(config.wards.beds, 1.0) if config.wards.beds else 0)
    stays = config.discharge.los_horizon_days / step if config.discharge.los == "lognormal" else 1
    in_flight = 2 * (config.aid.delay_days / step + 1) + config.aid.loan_days / step + 1
    quarters = config.sim.days / QUARTER_DAYS + 1
    return {
        "the series (sim.days / sim.step_days steps, x replications)": steps
        * (STEP_ONCE + runs * STEP_PER_RUN),
        "the tables (providers and quarters, x replications)": runs
        * (RUN_ROW + providers * (PROVIDER_PER_RUN + quarters * QUARTER_PER_RUN)),
        "the queues (sim.max_wait_days / sim.step_days, in every bed pool)": 2
        * pools
        * (config.sim.max_wait_days / step + 1)
        * WORD,
        "the stays (discharge.los_horizon_days / sim.step_days, in every bed pool)": pools
        * stays
        * WORD,
        "mutual aid in flight (aid.delay_days and aid.loan_days / sim.step_days, on every "
        "link)": links * in_flight * WORD,
        "the network (providers and links)": providers * PROVIDER + links * LINK,
    }


def check_memory(config: Config, graph: Any = None, limit: int | None = None) -> None:
    """Refuse, in one line naming the estimate and what takes most, a run that needs more
    memory than this machine has (``limit``: bytes, default the machine's). ``graph``:
    the run's network, if made (a file preset's size is known only from its files)."""
    if graph is None and config.network.preset == "file":
        return
    limit = machine_memory() if limit is None else limit
    if limit is None:
        return
    parts = estimate(config, *network_size(config, graph))
    need = BASE + sum(parts.values())
    if need > limit:
        most = max(parts, key=parts.__getitem__)
        raise ConfigError(
            f"this run needs about {need / GIB:,.1f} GiB of memory, mostly for {most}; "
            f"this machine has {limit / GIB:,.1f} GiB"
        )
