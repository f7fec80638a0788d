"""Drawing: the report's matplotlib style and figure files, shared figure grids, formulas typeset as SVG.
Explanations compute arrays; sections draw them with these."""
