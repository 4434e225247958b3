"""Cold (decode + resize + write) vs cached load time per image, for realistic CXR files written to a temp dir:
a 2048x2500 uint16 DICOM (BitsStored 12), a 1024x1024 JPEG-baseline DICOM (SIIM/RSNA-like) and a 2544x3056 JPG
(MIMIC-CXR-JPG-like). Run: `python benchmarks/image_cache.py [--size 224] [--repeats 3]`."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fixtures.formats import pattern, write_dicom  # noqa: E402


def _files(folder: Path) -> dict[str, Path]:
    from PIL import Image

    rng = np.random.default_rng(0)
    big = pattern(2500, 2048, top=4095)
    big = np.clip(big + rng.integers(0, 200, big.shape), 0, 4095).astype(np.uint16)
    jpg = folder / "mimic.jpg"
    photo = pattern(3056, 2544) * 0.9 + rng.integers(0, 20, (3056, 2544))
    Image.fromarray(photo.astype(np.uint8)).save(jpg, quality=95)
    return {
        "DICOM 2048x2500 uint16 (12-bit)": write_dicom(folder / "big.dcm", big, bits_stored=12),
        "DICOM 1024x1024 JPEG baseline": write_dicom(folder / "siim.dcm", pattern(1024, 1024), jpeg=True),
        "JPG 2544x3056": jpg,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GAZEBENCH_CACHE"] = str(Path(tmp) / "cache")
        from gazebench.data.images import load_image

        files = _files(Path(tmp))
        print(f"load_image(path, {args.size}) — best of {args.repeats}; cold = cache emptied before each try")
        print(f"{'file':34} {'bytes':>10} {'cold ms':>9} {'cached ms':>10} {'speed-up':>9}")
        for label, path in files.items():
            cold, warm = [], []
            for _ in range(args.repeats):
                for entry in (Path(tmp) / "cache" / "images").rglob("*.npy"):
                    entry.unlink()
                t0 = time.perf_counter()
                load_image(path, args.size)
                cold.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                load_image(path, args.size)
                warm.append(time.perf_counter() - t0)
            c, w = min(cold) * 1e3, min(warm) * 1e3
            print(f"{label:34} {path.stat().st_size:>10} {c:>9.1f} {w:>10.2f} {c / w:>8.0f}x")


if __name__ == "__main__":
    main()
