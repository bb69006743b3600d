"""Printed leaflets and removable signs with QR codes (guide, section 8)."""
