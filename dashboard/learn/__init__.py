"""The Learn page: guided lessons for a class and the checks of what each says."""
