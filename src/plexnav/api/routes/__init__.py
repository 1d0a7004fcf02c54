"""Thin API routes: parse, call a service or the engine, return a schema."""
