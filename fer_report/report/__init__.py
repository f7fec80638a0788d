"""Making the report: the build, the section contract and the artefacts sections ask for, the outline and
course presets, the student's answers, the result cache, the report's sentences and the HTML/PDF render."""
