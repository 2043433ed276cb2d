"""What every feature's screens share: widgets, list and id models, the record form, formatting
of money, dates and labels, list export.
"""
