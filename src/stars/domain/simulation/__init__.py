"""The contract simulator: what the contract will pay, save and cost, and how sure we are.

``fit`` reads the assumptions from the records as of a date D (arrivals, progression,
closures, weeks sustained, guaranteed funding); ``montecarlo`` draws what happens after D,
run by run, and prices each run through the engine and the payment seam; ``summary``
turns the runs into distributions (docs/tracker-format.md, "Simulation (JSON)");
``whatif`` changes terms or assumptions for a side-by-side comparison.
"""
