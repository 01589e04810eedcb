"""Background work: the turn worker, the sender and the other loops, and the process `serve` starts."""
