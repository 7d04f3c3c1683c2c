"""Tests of `cwmb report` and `cwmb show`."""
