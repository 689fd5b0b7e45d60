"""A structure-aware fuzzer for inspector: mutated fixtures and corpus models run through every command
and format (`python -m fuzz.run --help`). A small budget runs in the test suite (tests/test_fuzz.py)."""
