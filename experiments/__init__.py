"""Runs, sweeps, result stores and analysis on top of `sim`; the command-line interface."""
