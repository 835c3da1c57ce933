"""Running: one run as a function, a sweep's runs on executors, and the result store they stream
into."""
