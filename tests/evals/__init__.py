"""The eval suites' tests; scenarios/, adversarial/ and realistic/ hold the suites' data."""
