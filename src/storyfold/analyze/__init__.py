"""Per-story analysis: provenance now; quotes, entities, comparison and summaries grow here."""
