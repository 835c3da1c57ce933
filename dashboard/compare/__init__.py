"""The Compare page: plans on common random numbers, the verdict, and where it holds."""
