"""Pure business rules: pipeline and forecast maths, grading, coverage."""
