"""The scenario library: data, not code. One TOML file per scenario, shipped with the package."""
