"""Only chest radiographs enter a chest-radiograph task: a DICOM of another modality (CT, MR, ...) or with
non-grey pixels (PALETTE COLOR, RGB), and an image under the minimum size, are refused by `data check` and by
the run's image check, in one line naming the file and the value."""
from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
import pytest
from click.testing import CliRunner

import fixtures.formats as F
from gazebench.cli.main import cli
from gazebench.data.check import check, validate_images
from gazebench.data.images import MIN_SIDE, load_image, read_image
from gazebench.data.readers import READERS
from gazebench.errors import DataError


def rsna_copy(trees: dict[str, Path], tmp_path: Path) -> tuple[Path, Path]:
    """An editable RSNA tree and the DICOM of its first (positive) patient."""
    root = Path(shutil.copytree(trees["rsna"], tmp_path / "rsna"))
    return root, root / "stage_2_train_images" / f"{F.RSNA_IDS[0]}.dcm"


def retag(path: Path, **tags: str) -> None:
    ds = pydicom.dcmread(path)
    for name, value in tags.items():
        setattr(ds, name, value)
    ds.save_as(path)


@pytest.mark.parametrize("modality", ["CT", "MR", "US", "RTDOSE", "SEG"])
def test_a_dicom_of_another_modality_is_refused_naming_file_and_modality(
        modality: str, trees: dict[str, Path], tmp_path: Path) -> None:
    root, dicom = rsna_copy(trees, tmp_path)
    retag(dicom, Modality=modality)
    report = check("rsna", root)
    assert not report.usable
    assert report.problems == (f"{dicom}: DICOM Modality is {modality}, not a chest radiograph (CR, DX, RG); "
                               "refused",)
    result = CliRunner().invoke(cli, ["data", "check", "rsna", str(root)])
    assert result.exit_code == 1 and f"{dicom}: DICOM Modality is {modality}" in result.output.replace("\n", "")
    samples = READERS.create("rsna", root=root).samples
    with pytest.raises(DataError, match=rf"1 of {len(samples)} images cannot be used .*Modality is {modality}"):
        validate_images(samples, root)  # the run's check, before any model time


@pytest.mark.parametrize("photometric", ["PALETTE COLOR", "RGB", "YBR_FULL"])
def test_non_grey_dicom_pixels_are_refused_not_read_as_indices(photometric: str, tmp_path: Path) -> None:
    path = F.write_dicom(tmp_path / "x.dcm", F.pattern(64, 64))
    retag(path, PhotometricInterpretation=photometric)
    with pytest.raises(DataError, match=rf"x\.dcm: DICOM PhotometricInterpretation is {photometric}, not "
                                        "MONOCHROME1 or MONOCHROME2; refused"):
        read_image(path)
    with pytest.raises(DataError, match="PhotometricInterpretation"):
        load_image(path, 32)


def test_radiograph_modalities_and_a_dicom_without_modality_are_read(tmp_path: Path) -> None:
    for i, modality in enumerate(["CR", "DX", "RG", "DX "]):
        path = F.write_dicom(tmp_path / f"{i}.dcm", F.pattern(64, 64))
        retag(path, Modality=modality)
        assert load_image(path, 32).shape == (32, 32)
    bare = F.write_dicom(tmp_path / "bare.dcm", F.pattern(64, 64))
    ds = pydicom.dcmread(bare)
    del ds.Modality
    ds.save_as(bare)
    assert read_image(bare).shape == (64, 64)


def test_an_image_under_the_minimum_size_is_refused_by_check_and_run(trees: dict[str, Path],
                                                                      tmp_path: Path) -> None:
    root = Path(shutil.copytree(trees["chexpert"], tmp_path / "chexpert"))
    tiny = F.write_jpg(root / "valid/patient64541/study1/view1_frontal.jpg", width=1, height=1)
    report = check("chexpert", root)
    assert report.problems == (f"{tiny}: image is 1x1 pixels, below the minimum of {MIN_SIDE} per side for a chest "
                               "radiograph",)
    assert CliRunner().invoke(cli, ["data", "check", "chexpert", str(root)]).exit_code == 1
    with pytest.raises(DataError, match=r"1 of 2 images cannot be used .*view1_frontal\.jpg: image is 1x1"):
        validate_images(READERS.create("chexpert", root=root).samples, root)
    narrow = F.write_jpg(tmp_path / "narrow.jpg", width=MIN_SIDE - 1, height=400)
    with pytest.raises(DataError, match=f"image is {MIN_SIDE - 1}x400 pixels"):
        load_image(narrow, 224)
    assert load_image(F.write_jpg(tmp_path / "ok.jpg", width=MIN_SIDE, height=MIN_SIDE), 8).shape == (8, 8)


def test_a_tiny_dicom_is_refused_before_its_cached_copy_is_served(tmp_path: Path) -> None:
    path = F.write_dicom(tmp_path / "one.dcm", F.pattern(1, 1))
    for _ in range(2):  # the refusal is never cached as an image
        with pytest.raises(DataError, match=r"one\.dcm: image is 1x1 pixels"):
            load_image(path, 24)
