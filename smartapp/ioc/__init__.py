"""Figures for the provincial operations centre (IOC), from the core and every utility."""
