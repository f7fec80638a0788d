"""Named training recipes (``fer-report train --recipe NAME`` reads ``NAME.toml`` from here); installed
as ``fer_report.configs`` so they ship inside the package like the templates."""
