"""The Experiments page: small sweeps from the dashboard and their report."""
