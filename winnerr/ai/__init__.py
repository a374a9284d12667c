"""AI that works offline: deterministic and explainable, with no model or data downloaded at run time.

- `sentiment`: VADER (its lexicon ships inside the vaderSentiment package) adapted to real-estate talk.
- `voice_search`: a spoken request turned into the filters of the people, property and deal searches.
- `lead_score`: a lead score from a person's real signals, with the factors that add up to it.
"""
