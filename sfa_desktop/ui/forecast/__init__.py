"""Forecasts: the rep's page and call, the manager's team tree, drill-down, moves, adjustments,
trend and exports.
"""
