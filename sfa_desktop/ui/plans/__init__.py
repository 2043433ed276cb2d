"""Account plans: the plans page, the plan editor and its tables, the optimiser dialog."""
