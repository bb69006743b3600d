"""Newsletters, subscribers and campaigns (see DESIGN.md, "Campaign send")."""
