"""Every benchmark records the machine's reference workload beside its timings (bench/reference.py):
a timing without it cannot be compared with one from another machine or another hour."""

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
HELPERS = {"reference.py", "explain_baselines.py"}  # the reference itself; functions bench/explain.py times


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def test_every_benchmark_times_the_reference_workload():
    scripts = [p for p in sorted(BENCH.glob("*.py")) if p.name not in HELPERS]
    assert len(scripts) >= 9
    missing = [p.name for p in scripts
               if not ({"begin", "end", "save"} <= _calls(p) or "reference_seconds" in _calls(p))]
    assert missing == [], f"benchmarks without bench/reference.py's workload: {missing}"


def test_the_reference_is_the_fixed_workload_the_readme_quotes():
    import sys

    sys.path.insert(0, str(BENCH))
    try:
        import reference
    finally:
        sys.path.remove(str(BENCH))
    assert (reference.STEPS, reference.BATCH) == (200, 64)
    readme = (BENCH.parent / "README.md").read_text()
    assert reference.WORKLOAD in readme
    result = {"reference": {"seconds": 8.0}}
    assert reference.in_reference_units(156.0, result) == 19.5


def test_coverage_counts_parts_and_names_the_skipped_section():
    import sys

    sys.path.insert(0, str(BENCH))
    try:
        from coverage import coverage
    finally:
        sys.path.remove(str(BENCH))

    def block(number, level, *sections):
        return {"kind": "question", "number": number, "level": level, "refs": [{"section": s} for s in sections]}

    report = {"sections": [{"name": "architecture", "status": "ok"}, {"name": "confusion", "status": "ok"},
                           {"name": "augmentation_code", "status": "skipped", "reason": "use --code"}],
              "outline": [block("1", 2, "architecture"), block("2", 2), block("2a", 3, "augmentation_code"),
                          block("2b", 3), block("3", 2, "architecture", "confusion"), block("10", 2)]}
    got = coverage(report)
    assert got["computed"] == ["1", "3"] and got["student_only"] == ["2b", "10"] and got["total"] == 5
    assert got["not_computed"] == [{"question": "2a", "sections": {"augmentation_code": "use --code"}}]
