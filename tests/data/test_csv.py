"""CSV loader: every accepted layout, and one precise message per kind of bad input."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest

import fer_report.data.pixels as pixels_module
from fer_report import CLASSES
from fer_report.data import load_dataset
from fer_report.data.csv import load_csv
from fer_report.data.splits import stratified_split
from fer_report.errors import DataError

KAGGLE_HEADER = "emotion,pixels,Usage"


def make_rows(per_class: dict[str, int], side: int = 48, seed: int = 0) -> list[tuple[int, np.ndarray, str]]:
    """(label, pixels, usage) rows: ``per_class[usage]`` images of every class, random pixels."""
    rng = np.random.default_rng(seed)
    rows = []
    for usage, n in per_class.items():
        for label in range(len(CLASSES)):
            for _ in range(n):
                rows.append((label, rng.integers(0, 256, side * side), usage))
    return rows


def kaggle_text(rows) -> str:
    lines = [KAGGLE_HEADER] + [f"{lab},{' '.join(map(str, px))},{usage}" for lab, px, usage in rows]
    return "\n".join(lines) + "\n"


def course_text(rows) -> str:
    lines = ["label,feature"] + [f"{lab},{' '.join(map(str, px))}" for lab, px, _ in rows]
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str, name: str = "fer.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.fixture
def rows():
    return make_rows({"Training": 3, "PublicTest": 1, "PrivateTest": 1})


@pytest.fixture
def good_lines(rows) -> list[str]:
    """The lines of a valid Kaggle file (header + 35 rows), for tests that break one of them."""
    return kaggle_text(rows).splitlines()


def load_error(tmp_path: Path, text: str, name: str = "fer.csv") -> str:
    with pytest.raises(DataError) as info:
        load_csv(write(tmp_path, text, name), seed=0)
    message = str(info.value)
    assert "\n" not in message
    assert name in message
    return message


# --- accepted inputs -----------------------------------------------------------------------------


def test_kaggle_csv_keeps_its_usage_split_and_pixels(tmp_path, rows):
    ds = load_csv(write(tmp_path, kaggle_text(rows)), seed=0)
    assert ds.name == "fer.csv" and ds.classes == CLASSES
    assert ds.split_names == {"train": "Training", "val": "PublicTest", "test": "PrivateTest"}
    assert (len(ds.train), len(ds.val), len(ds.test)) == (21, 7, 7)
    for split in ds.splits().values():
        assert split.x.dtype == np.uint8 and split.x.shape[1:] == (48, 48)
        assert split.y.dtype == np.int64 and set(split.y) == set(range(7))
    training = [r for r in rows if r[2] == "Training"]
    assert np.array_equal(ds.train.x.reshape(21, -1), np.stack([px for _, px, _ in training]))
    assert np.array_equal(ds.train.y, [lab for lab, _, _ in training])
    assert ds.source == "Kaggle FER2013 CSV fer.csv: 35 rows (21 Training / 7 PublicTest / 7 PrivateTest), 48x48"


def test_gzip_and_zip_load_the_same_data(tmp_path, rows):
    text = kaggle_text(rows)
    plain = load_csv(write(tmp_path, text), seed=0)
    gz = tmp_path / "fer.csv.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    zipped = tmp_path / "fer.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("fer2013/fer.csv", text)
        zf.writestr("fer2013/README.txt", "not data")
    for p in (gz, zipped):
        ds = load_dataset(p, seed=0)
        assert ds.fingerprint() == plain.fingerprint()
        assert ds.name == p.name


def test_chunks_and_irregular_spacing_parse_like_the_fast_path(tmp_path, rows, monkeypatch):
    monkeypatch.setattr(pixels_module, "CHUNK_ROWS", 4)
    plain = load_csv(write(tmp_path, kaggle_text(rows)), seed=0)
    lines = kaggle_text(rows).splitlines()
    label, pixels, usage = lines[5].split(",")
    lines[5] = f"{label}, {pixels.replace(' ', '  ', 3)} ,{usage}"  # extra spaces: slow path, same values
    spaced = load_csv(write(tmp_path, "\r\n".join(lines) + "\r\n", "spaced.csv"), seed=0)
    assert spaced.fingerprint() == plain.fingerprint()


def test_missing_usages_are_stratified_tenths_of_training(tmp_path):
    rows = make_rows({"Training": 20})
    path = write(tmp_path, kaggle_text(rows))
    ds = load_csv(path, seed=0)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (112, 14, 14)
    assert np.array_equal(np.bincount(ds.val.y), [2] * 7)
    assert ds.split_names == {"train": "Training", "val": "10% of Training", "test": "10% of Training"}
    assert "no PublicTest/PrivateTest rows" in ds.source and "10% of Training" in ds.source
    assert load_csv(path, seed=0).fingerprint() == ds.fingerprint()
    assert load_csv(path, seed=1).fingerprint() != ds.fingerprint()


def test_only_private_test_missing_takes_test_from_training(tmp_path):
    rows = make_rows({"Training": 10, "PublicTest": 1})
    ds = load_csv(write(tmp_path, kaggle_text(rows)), seed=0)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (63, 7, 7)
    assert ds.split_names == {"train": "Training", "val": "PublicTest", "test": "10% of Training"}


def test_course_csv_gets_a_seeded_stratified_80_10_10_split(tmp_path):
    rows = make_rows({"-": 10})
    path = write(tmp_path, course_text(rows), "train.csv")
    ds = load_csv(path, seed=0)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (56, 7, 7)
    for split in ds.splits().values():
        assert np.array_equal(np.bincount(split.y, minlength=7), [len(split) // 7] * 7)
    assert ds.split_names == {"train": "80% of file", "val": "10% of file", "test": "10% of file"}
    assert ds.source.startswith("course CSV train.csv: 70 rows (56 train / 7 val / 7 test), 48x48")
    assert load_csv(path, seed=0).fingerprint() == ds.fingerprint()
    assert load_csv(path, seed=5).fingerprint() != ds.fingerprint()


def test_kaggle_challenge_train_csv_without_usage_is_split_like_the_course_csv(tmp_path, rows):
    """The challenge's own train.csv is `emotion,pixels`: a stratified 80/10/10 split from the seed."""
    text = "emotion,pixels\n" + "".join(f"{lab},{' '.join(map(str, px))}\n" for lab, px, _ in rows * 2)
    ds = load_csv(write(tmp_path, text, "train.csv"), seed=0)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (56, 7, 7)
    assert set(ds.val.y) == set(range(7)) and ds.source.startswith("Kaggle train.csv train.csv: 70 rows")


def test_icml_face_data_with_spaces_after_the_commas(tmp_path, rows):
    """icml_face_data.csv: `emotion, Usage, pixels`, a space after each comma, in another column order."""
    text = "emotion, Usage, pixels\n" + "".join(f"{lab}, {usage}, {' '.join(map(str, px))}\n" for lab, px, usage in rows)
    ds = load_csv(write(tmp_path, text, "icml_face_data.csv"), seed=0)
    plain = load_csv(write(tmp_path, kaggle_text(rows)), seed=0)
    assert ds.fingerprint() == plain.fingerprint()


def test_unlabelled_test_csv_is_refused_as_data_and_read_for_predictions(tmp_path, rows):
    from fer_report.data.csv import load_unlabelled

    pixels = [" ".join(map(str, px)) for _, px, _ in rows[:5]]
    bare = write(tmp_path, "pixels\n" + "\n".join(pixels) + "\n", "test.csv")
    with pytest.raises(DataError, match=r"test.csv line 1: header 'pixels' has no labels .*--predict"):
        load_csv(bare, seed=0)
    ids, x = load_unlabelled(bare)
    assert ids.tolist() == [0, 1, 2, 3, 4] and x.shape == (5, 48, 48)
    assert np.array_equal(x[2].reshape(-1), rows[2][1])
    with_id = write(tmp_path, "id,pixels\n" + "".join(f"{10 + i},{p}\n" for i, p in enumerate(pixels)), "t2.csv")
    assert load_unlabelled(with_id)[0].tolist() == [10, 11, 12, 13, 14]
    course = write(tmp_path, "id,feature\n" + "".join(f"{i},{p}\n" for i, p in enumerate(pixels)), "t3.csv")
    assert load_unlabelled(course)[1].shape == (5, 48, 48)
    bad = write(tmp_path, "id,pixels\nx1," + pixels[0] + "\n", "t4.csv")
    with pytest.raises(DataError, match=r"t4.csv line 2: id 'x1' is not a whole number"):
        load_unlabelled(bad)


def test_64x64_rows(tmp_path):
    rows = make_rows({"Training": 2, "PublicTest": 1, "PrivateTest": 1}, side=64)
    ds = load_csv(write(tmp_path, kaggle_text(rows)), seed=0)
    assert ds.image_size == 64 and ds.test.x.shape == (7, 64, 64)


def test_stratified_split_is_proportional_disjoint_and_deterministic():
    y = np.repeat(np.arange(7), [100, 10, 50, 1, 3, 20, 30])
    parts = stratified_split(y, (0.8, 0.1, 0.1), seed=3)
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(y)))
    assert [len(p) for p in parts] == [172, 21, 21]
    assert np.array_equal(np.bincount(y[parts[1]], minlength=7), [10, 1, 5, 0, 0, 2, 3])
    assert np.array_equal(np.bincount(y[parts[0]], minlength=7), [80, 8, 40, 1, 3, 16, 24])  # scarce classes: train first
    again = stratified_split(y, (0.8, 0.1, 0.1), seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    other = stratified_split(y, (0.8, 0.1, 0.1), seed=4)
    assert not all(np.array_equal(a, b) for a, b in zip(parts, other))


def test_real_small_fer2013_if_present():
    path = Path(__file__).resolve().parents[3] / "shared/data/fer2013-small.csv"
    if not path.exists():
        pytest.skip(f"{path} not present (real FER2013 subset is optional)")
    ds = load_csv(path, seed=0)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (4000, 1000, 1000)
    assert ds.image_size == 48 and set(ds.train.y) == set(range(7))


# --- bad inputs: one line naming the file, the line, what was found and what was expected ---------


def test_empty_file(tmp_path):
    assert "file is empty" in load_error(tmp_path, "")


def test_header_only(tmp_path):
    message = load_error(tmp_path, KAGGLE_HEADER + "\n")
    assert "header only" in message and "no data rows" in message


def test_unknown_columns_say_which_were_expected(tmp_path):
    message = load_error(tmp_path, "emotion,image\n0,1 2 3\n")
    assert "line 1" in message and "emotion,image" in message
    assert "emotion,pixels,Usage" in message and "label,feature" in message


def test_second_header_inside_the_data(tmp_path, good_lines):
    good_lines.insert(4, KAGGLE_HEADER)
    message = load_error(tmp_path, "\n".join(good_lines))
    assert "line 5" in message and "second header" in message


def test_first_row_of_an_unknown_size(tmp_path):
    message = load_error(tmp_path, f"{KAGGLE_HEADER}\n0,{' '.join(['7'] * 100)},Training\n")
    assert "line 2: 100 pixels, expected 2304 (48x48) or 4096 (64x64)" in message


def test_later_row_with_one_pixel_missing(tmp_path, good_lines):
    label, pixels, usage = good_lines[25].split(",")
    good_lines[25] = f"{label},{pixels.rsplit(' ', 1)[0]},{usage}"
    message = load_error(tmp_path, "\n".join(good_lines))
    assert "line 26: 2303 pixels, expected 2304 (48x48) like line 2" in message


def test_blank_lines_do_not_shift_line_numbers(tmp_path, good_lines):
    good_lines[10] = good_lines[10].replace(",Training", ",Trainig")
    good_lines.insert(3, "")
    message = load_error(tmp_path, "\n".join(good_lines) + "\n\n")
    assert "line 12: Usage 'Trainig'; expected Training, PublicTest or PrivateTest" in message


@pytest.mark.parametrize(
    ("pixel", "found"),
    [("x7", "pixel 3 is 'x7', expected an integer 0..255"), ("256", "pixel 3 is 256, outside 0..255"), ("-1", "pixel 3 is -1, outside 0..255"), ("2.5", "pixel 3 is '2.5'")],
)
def test_bad_pixel_values(tmp_path, good_lines, pixel, found, monkeypatch):
    monkeypatch.setattr(pixels_module, "CHUNK_ROWS", 8)
    label, pixels, usage = good_lines[19].split(",")
    tokens = pixels.split()
    tokens[2] = pixel
    good_lines[19] = f"{label},{' '.join(tokens)},{usage}"
    assert f"line 20: {found}" in load_error(tmp_path, "\n".join(good_lines))


@pytest.mark.parametrize(("label", "found"), [("7", "emotion 7;"), ("x", "emotion 'x' is not an integer"), ("1.0", "emotion '1.0' is not an integer"), ("", "emotion '' is not")])
def test_bad_labels(tmp_path, good_lines, label, found):
    good_lines[6] = label + good_lines[6][1:]
    message = load_error(tmp_path, "\n".join(good_lines))
    assert f"line 7: {found}" in message and "expected an integer 0..6" in message and "1 Disgust" in message


def test_course_label_column_is_named_in_its_message(tmp_path):
    rows = make_rows({"-": 1})
    lines = course_text(rows).splitlines()
    lines[3] = "9" + lines[3][1:]
    assert "line 4: label 9; expected an integer 0..6" in load_error(tmp_path, "\n".join(lines))


def test_class_without_training_images(tmp_path, rows):
    rows = [(lab, px, "PublicTest" if lab == 1 else usage) for lab, px, usage in rows]
    message = load_error(tmp_path, kaggle_text(rows))
    assert "class Disgust (1) has no training images" in message


def test_course_csv_missing_classes(tmp_path):
    rows = [r for r in make_rows({"-": 3}) if r[0] not in (1, 4)]
    message = load_error(tmp_path, course_text(rows))
    assert "classes Disgust (1), Sad (4) have no training images" in message


def test_row_with_too_many_fields(tmp_path, good_lines):
    good_lines[8] += ",extra"
    assert "line 9: 4 comma-separated fields, expected 3" in load_error(tmp_path, "\n".join(good_lines))


def test_first_row_with_too_many_fields(tmp_path, good_lines):
    good_lines[1] += ",extra"
    message = load_error(tmp_path, "\n".join(good_lines))
    assert "line 2: more comma-separated fields than the header" in message


def test_broken_gzip(tmp_path):
    message = load_error(tmp_path, "emotion,pixels,Usage\n", "fer.csv.gz")
    assert "cannot read" in message


def test_unsupported_suffix(tmp_path):
    assert "expected a .csv, .csv.gz or .zip file" in load_error(tmp_path, "x", "faces.png")


@pytest.mark.parametrize(("members", "found"), [({"a.txt": "x"}, "no .csv file (found: a.txt)"), ({"a.csv": "x", "b.csv": "y"}, "2 .csv files (a.csv, b.csv)")])
def test_zip_without_exactly_one_csv(tmp_path, members, found):
    path = tmp_path / "fer.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    with pytest.raises(DataError, match="fer.zip") as info:
        load_csv(path, seed=0)
    assert found in str(info.value) and "expected exactly one .csv" in str(info.value)


def test_errors_inside_a_zip_name_the_member_and_line(tmp_path, good_lines):
    good_lines[3] = good_lines[3].replace("Training", "Validation")
    path = tmp_path / "fer.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("inner.csv", "\n".join(good_lines))
    with pytest.raises(DataError) as info:
        load_csv(path, seed=0)
    assert "fer.zip:inner.csv line 4: Usage 'Validation'" in str(info.value)


def test_first_row_with_too_many_fields_in_a_gzip(tmp_path, good_lines):
    good_lines[1] += ",extra"  # pandas only lets the first data row through with a warning
    path = tmp_path / "fer.csv.gz"
    path.write_bytes(gzip.compress("\n".join(good_lines).encode()))
    with pytest.raises(DataError) as info:
        load_csv(path, seed=0)
    assert "fer.csv.gz line 2: more comma-separated fields than the header" in str(info.value)
