"""What the user names, read and checked: scenario and sweep files, plans, timelines, and the one
entry point that resolves a built-in name or a path."""
