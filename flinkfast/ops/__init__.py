"""The fault-and-load toolkit (load, faults, lookups, the recovery watch, the rescale) and `make drill` over it."""
