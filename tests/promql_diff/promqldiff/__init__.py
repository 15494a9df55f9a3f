"""The parts of the differential PromQL test (promql_diff_test.py beside this package)."""
