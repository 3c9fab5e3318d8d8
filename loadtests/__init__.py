"""Locust load tests: `make loadtest` (loadtests/run.py) or `locust -f loadtests/locustfile.py`."""
