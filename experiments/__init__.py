"""Runs, sweeps, result stores and analysis on top of `eachcustomer.sim`; the command-line
interface."""
