"""Speech: French normalization, sentence splitting, engines, cache."""
