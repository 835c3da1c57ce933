"""Examples that use the model with other tools (Mesa's SolaraViz: `mesa_viz`)."""
