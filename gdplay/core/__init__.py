"""The numerical core: numpy and the standard library only (no Qt), so tests, benchmarks and the
command line drive exactly what the window shows."""
