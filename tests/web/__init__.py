"""Tests of the web sign-in and the owner's pages."""
