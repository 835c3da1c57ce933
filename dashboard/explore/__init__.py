"""The Explore page: settings, a run watched week by week, changes during the run, exports."""
