"""Survey results weighted to the area's population, beside the unweighted ones."""
