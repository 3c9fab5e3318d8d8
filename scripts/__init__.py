"""Developer scripts. `scripts.stack` is imported by the tests, benchmarks and load tests
(its free_port() and Stack); the shell scripts are run by the Makefile."""
