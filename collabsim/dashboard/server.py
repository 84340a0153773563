"""``collabsim dashboard``: serve the training page with Solara.

Bound to 127.0.0.1 unless told otherwise: the page runs simulations on this machine for
whoever opens it, so serving a room on a network (``--host 0.0.0.0``) is a choice made on
purpose. Solara's production mode (no auto-restart, no check page that calls the
internet) and no telemetry: a training room may have no internet, and everything the
page needs comes from installed packages (``solara-assets`` holds the browser code).
"""

from __future__ import annotations

import os
import socket

from collabsim.errors import CollabsimError

APP = "collabsim.dashboard.app"


class ServeError(CollabsimError):
    """The page cannot be served (the port is taken, the host is not this machine's)."""


def check_address(host: str, port: int) -> None:
    """Refuse, in one line, a port outside 1-65535 or one something else already uses."""
    if not 0 < port < 65536:
        raise ServeError(f"--port: {port} is not a port (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServeError(f"--host: cannot use {host!r} ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ServeError(
                f"cannot serve on {host}:{port}: {exc.strerror} (another program uses it? "
                "choose another with --port)"
            ) from None


def main(
    args: list[str],
    app: str = APP,
    prog: str = "collabsim dashboard",
    description: str = "The trust dividend live in a browser, for training sessions.",
    port: int = 8765,
) -> None:
    """Serve ``app`` (a Solara page's module): the dashboard, or the game (``collabsim
    play``)."""
    from collabsim.commands import _Parser

    parser = _Parser(prog=prog, description=description)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1: this machine only; "
        "0.0.0.0 serves the room's network)",
    )
    parser.add_argument("--port", type=int, default=port, help=f"port (default {port})")
    ns = parser.parse_args(args)
    check_address(ns.host, ns.port)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # a closed tab's model (and its play loop) goes after 2 minutes, not Solara's 24 hours:
    # a reload starts a fresh session anyway, and a room of 30 would otherwise pile up
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "2m")
    from solara.__main__ import cli

    shown = "127.0.0.1" if ns.host in ("0.0.0.0", "::") else ns.host
    print(
        f"{prog}: open http://{shown}:{ns.port} in a browser (Ctrl+C stops it)",
        flush=True,
    )
    cli.main(
        [
            "run",
            app,
            "--host",
            ns.host,
            "--port",
            str(ns.port),
            "--production",
            "--no-open",
            "--log-level-uvicorn",
            "warning",
        ],
        prog_name=prog,
        standalone_mode=True,
    )
