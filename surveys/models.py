"""Perception surveys, waves and anonymous responses (see DESIGN.md, "Survey")."""
