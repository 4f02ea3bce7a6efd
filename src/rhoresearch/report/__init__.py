"""What a notebook uses to show and save results: the runtime (disclosure-checked tables, figures,
CSVs), figures (:mod:`~rhoresearch.report.plotting`) and sentences built from numbers
(:mod:`~rhoresearch.report.narrative`)."""
