"""Compatibility home for names that earlier Pyxle releases exposed here."""
