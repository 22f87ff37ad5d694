"""Read cs-demand-model's exported forecast (xlsx): last date, 'not in care' dropped.

Run with the peer's own venv: benchmarks/.venv-peer/bin/python peer_read.py FILE.xlsx
Prints JSON {category label: forecast} summed over age bands.
"""

import json
import sys

import pandas as pd

frame = pd.read_excel(sys.argv[1], index_col=0)
last = frame.iloc[-1]
totals: dict[str, float] = {}
for column, value in last.items():
    text = str(column)
    if "NOT_IN_CARE" in text.upper() or "NOT IN CARE" in text.upper():
        continue  # the quirk: 'not in care' columns ride along in the forecast table
    category = text.split(",")[-1].strip(" ()'\"").upper()
    totals[category] = totals.get(category, 0.0) + float(value)
print(
    json.dumps(
        {"date": str(frame.index[-1]), "columns": [str(c) for c in frame.columns], "totals": totals}
    )
)
