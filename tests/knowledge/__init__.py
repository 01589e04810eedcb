"""Tests of the knowledge package: lexicons, retrieval, versions."""
