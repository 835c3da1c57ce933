"""Statistics and analysis: intervals, paired differences, decision maps, scenario discovery, a
sweep's tables."""
