"""Visit planning without Qt: the gazetteer, the route solver and the week plan."""
