"""Klyngekort's pure core: sources, tables, assignment model, aggregation, classification, maps."""
