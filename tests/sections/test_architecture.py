from fer_report.config import Settings
from fer_report.data.synthetic import make_synthetic
from fer_report.model.inference import fitted_spec
from fer_report.model.builtin import build_model
from fer_report.sections import architecture


def run(model: str, lang: str = "en"):
    ds = make_synthetic(seed=0, size="tiny")
    return architecture.section.run(settings=Settings(model=model), dataset=ds,
                                    network=build_model(model), spec=fitted_spec(ds.train.x), text=architecture.section.text(lang))


def test_cnn4_reports_keras_parameter_count():
    r = run("cnn4")
    assert (r.numbers["total_params"], r.numbers["trainable_params"], r.numbers["buffer_params"]) == \
        (319_975, 318_055, 1_920)
    assert "319,975 parameters" in r.text[0] and "318,055 trainable" in r.text[0] and "1,920" in r.text[0]
    assert r.tables["layers"][0]["shape"] == "(None, 32, 48, 48)"


def test_table_rows_add_up_to_the_totals():
    r = run("cnn3", lang="zh-TW")
    rows = r.tables["layers"]
    assert sum(x["trainable"] for x in rows) == r.numbers["trainable_params"]
    assert sum(x["buffers"] for x in rows) == r.numbers["buffer_params"]
    assert "參數" in r.text[0]


def test_needs_no_training():
    assert "trained" not in architecture.section.needs and "predictions" not in architecture.section.needs
