"""Many scanpaths packed as CSR arrays, so gaze maths runs vectorised over a whole dataset at once.

Single-record functions pack one Fixations and call the same batch code (one implementation).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gazebench.records import Fixations


class EmptyScanpath(ValueError):
    """A scanpath has no usable fixation (none on the image, or no finite time); callers decide what to do."""


@dataclass(frozen=True, eq=False)
class Scanpaths:
    """Fixations of S scanpaths: scanpath s owns rows offsets[s]:offsets[s+1] of the parallel arrays."""

    t_start: np.ndarray
    t_end: np.ndarray
    x: np.ndarray
    y: np.ndarray
    offsets: np.ndarray
    """(S+1,) int64, offsets[0] = 0, non-decreasing, offsets[-1] = number of fixations."""
    width: np.ndarray
    """(S,) image width W of each scanpath, pixels."""
    height: np.ndarray
    """(S,) image height H."""
    pixels_per_degree: np.ndarray
    """(S,) sigma of the 1-degree Gaussian, pixels."""

    @staticmethod
    def build(
        t_start: ArrayLike,
        t_end: ArrayLike,
        x: ArrayLike,
        y: ArrayLike,
        offsets: ArrayLike,
        image_size: ArrayLike,
        pixels_per_degree: ArrayLike = 50.0,
    ) -> Scanpaths:
        """Check and convert CSR inputs; `image_size` is one (W, H) or an (S, 2) array, ppd a scalar or (S,)."""
        arrays = [np.ascontiguousarray(a, dtype=np.float64).reshape(-1) for a in (t_start, t_end, x, y)]
        n = len(arrays[0])
        if any(len(a) != n for a in arrays):
            raise ValueError("t_start, t_end, x and y must have equal lengths")
        offsets = np.asarray(offsets, dtype=np.int64).reshape(-1)
        if len(offsets) < 1 or offsets[0] != 0 or offsets[-1] != n or np.any(np.diff(offsets) < 0):
            raise ValueError(f"offsets must rise from 0 to the number of fixations ({n})")
        s = len(offsets) - 1
        size = np.broadcast_to(np.asarray(image_size, dtype=np.float64), (s, 2))
        ppd = np.broadcast_to(np.asarray(pixels_per_degree, dtype=np.float64), (s,))
        if not (np.all(size > 0) and np.all(ppd > 0)):  # also rejects NaN
            raise ValueError("image sizes and pixels_per_degree must be positive numbers")
        t_start, t_end, x, y = arrays
        return Scanpaths(t_start, t_end, x, y, offsets, size[:, 0].copy(), size[:, 1].copy(), ppd.copy())

    @staticmethod
    def pack(fixations: Sequence[Fixations], image_sizes: Sequence[tuple[float, float]]) -> Scanpaths:
        """Pack records (each with its own image size and pixels_per_degree) into one batch."""
        if len(fixations) != len(image_sizes):
            raise ValueError("need one image size per Fixations")
        lengths = [len(f) for f in fixations]
        offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])

        def cat(name: str) -> np.ndarray:
            return np.concatenate([np.asarray(getattr(f, name), dtype=np.float64) for f in fixations] or [np.zeros(0)])

        ppd = [f.pixels_per_degree for f in fixations]
        size = np.asarray(image_sizes, dtype=np.float64).reshape(-1, 2)
        return Scanpaths.build(cat("t_start"), cat("t_end"), cat("x"), cat("y"), offsets, size, ppd)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        """(S,) number of fixations in each scanpath."""
        return np.diff(self.offsets)

    @property
    def owner(self) -> np.ndarray:
        """(n,) index of the scanpath each fixation belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)

    def select(self, start: int, stop: int) -> Scanpaths:
        """Scanpaths start:stop as a batch of their own (views, no copy of the fixation arrays)."""
        a, b = self.offsets[start], self.offsets[stop]
        rows = slice(a, b)
        return Scanpaths(
            self.t_start[rows], self.t_end[rows], self.x[rows], self.y[rows], self.offsets[start : stop + 1] - a,
            self.width[start:stop], self.height[start:stop], self.pixels_per_degree[start:stop],
        )

    def usable(self) -> tuple[Scanpaths, np.ndarray, np.ndarray]:
        """Drop fixations with a NaN/inf time or off the image; also return per-scanpath drop counts.

        Returns (kept, n_nan_time, n_off_image); a fixation with a bad time is counted as NaN-time only.
        t_end below t_start is raised to t_start (zero duration).
        """
        finite_time = np.isfinite(self.t_start) & np.isfinite(self.t_end)
        with np.errstate(invalid="ignore"):
            width, height = np.repeat(self.width, self.lengths), np.repeat(self.height, self.lengths)
            on_image = (self.x >= 0) & (self.y >= 0) & (self.x < width) & (self.y < height)
        keep = finite_time & on_image
        s = len(self)
        if keep.all():
            kept, n_nan, n_off = self, np.zeros(s, dtype=np.int64), np.zeros(s, dtype=np.int64)
        else:
            owner = self.owner
            n_nan = np.bincount(owner[~finite_time], minlength=s).astype(np.int64)
            n_off = np.bincount(owner[finite_time & ~on_image], minlength=s).astype(np.int64)
            offsets = np.concatenate([[0], np.cumsum(self.lengths - n_nan - n_off)]).astype(np.int64)
            kept = Scanpaths(
                self.t_start[keep], self.t_end[keep], self.x[keep], self.y[keep], offsets,
                self.width, self.height, self.pixels_per_degree,
            )
        return kept.with_end_after_start(), n_nan, n_off

    def with_end_after_start(self) -> Scanpaths:
        """Same scanpaths with t_end = max(t_end, t_start)."""
        if np.all(self.t_end >= self.t_start):
            return self
        end = np.maximum(self.t_end, self.t_start)
        return Scanpaths(
            self.t_start, end, self.x, self.y, self.offsets, self.width, self.height, self.pixels_per_degree
        )

    def time_sorted(self) -> Scanpaths:
        """Same scanpaths with fixations in start-time order within each (stable; a no-op when already sorted)."""
        step = np.diff(self.t_start)
        new_path = np.zeros(len(step), dtype=bool)
        inner = self.offsets[1:-1]
        new_path[inner[(inner > 0) & (inner < len(self.t_start))] - 1] = True
        if np.all((step >= 0) | new_path):
            return self
        order = np.lexsort((self.t_start, self.owner))
        return Scanpaths(
            self.t_start[order], self.t_end[order], self.x[order], self.y[order], self.offsets,
            self.width, self.height, self.pixels_per_degree,
        )

    def fixation_weights(self) -> np.ndarray:
        """Duration of each fixation; in a scanpath whose durations are all zero, every fixation weighs 1."""
        duration = self.t_end - self.t_start
        total = np.bincount(self.owner, weights=duration, minlength=len(self))
        return np.where(total[self.owner] > 0, duration, 1.0)
