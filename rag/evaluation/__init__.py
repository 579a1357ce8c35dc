"""The eval: a set of known figures read from the seeds, deterministic scoring, and a report."""
