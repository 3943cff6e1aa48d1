"""Cross-cutting parts every app may use: actors, permissions, audit chain, errors, jobs."""
