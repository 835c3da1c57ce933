"""`python -m dashboard [--host HOST] [--port PORT]`: serve the dashboard."""

from __future__ import annotations

import argparse

from dashboard.app import main

parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: localhost)")
parser.add_argument("--port", type=int, default=8050, help="port (default: 8050)")
arguments = parser.parse_args()
main(arguments.host, arguments.port)
