"""A local HTTPS server that behaves like a Salesforce org, for development and tests.

Product code never imports this package; it talks to the emulator by URL, as to a real
org. Tests start one with `salesforce_emulator.testing.running_emulator`.
"""
