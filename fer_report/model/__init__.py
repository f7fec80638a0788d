"""The model a report is about, whatever the student brought: the built-ins, their own class or saved file,
their weights and checkpoints, what it takes (the input spec) and returns (the output kind), its source
code, layer table and cost. Nothing here trains, explains or writes a report."""
