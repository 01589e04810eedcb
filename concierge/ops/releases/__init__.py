"""Releases: the prompt versions, provider chain and thresholds the turns run with, activated and rolled back."""
