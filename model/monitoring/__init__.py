"""Monitoring over time (issue 22): population stability and back-testing per period.

Pure functions and one scikit-learn-style estimator over DataFrames; no Dash, no Flask. The
command line (`python -m model monitor`) is `model.monitoring.run`.
"""
