"""Reports: the sweep report's HTML and CSVs, the headline figure and the shipped evidence."""
