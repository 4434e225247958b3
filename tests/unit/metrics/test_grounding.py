"""Box IoU, hit rates, mIoU and the pointing game against REFLACX-style ellipses, on hand-made boxes."""
from __future__ import annotations

import numpy as np
import pytest

from gazebench.metrics.grounding import box_centre, box_iou, ellipse_box, grounding_scores, in_ellipse
from gazebench.metrics.inputs import MetricInputError


def test_box_iou_by_hand() -> None:
    # intersection 100 x 150 = 15000; union 40000 + 40000 - 15000 = 65000
    assert box_iou([100, 100, 300, 300], [200, 150, 400, 350]) == pytest.approx(15000 / 65000)
    assert box_iou([0, 0, 10, 10], [0, 0, 10, 10]) == 1.0
    assert box_iou([0, 0, 10, 10], [10, 0, 20, 10]) == 0.0  # touching edges: no +1 pixel convention
    assert box_iou([5, 5, 5, 5], [5, 5, 5, 5]) == 0.0  # no union area
    assert box_iou([[0, 0, 4, 4], [0, 0, 2, 2]], [0, 0, 4, 2]).tolist() == pytest.approx([0.5, 0.5])


def test_ellipse_box_sorts_corners_and_pointing_is_inside_the_inscribed_ellipse() -> None:
    assert ellipse_box(20, 10, 0, 0).tolist() == [0, 0, 20, 10]
    box = [0, 0, 20, 10]  # centre (10, 5), semi-axes 10 and 5
    points = [[10, 5], [20, 5], [10, 0], [1, 1], [18, 8], [21, 5]]
    # (1,1): (9/10)^2 + (4/5)^2 = 1.45 > 1 (inside the box, outside the ellipse); (18,8): 0.64 + 0.36 = 1.0
    assert in_ellipse(points, box).tolist() == [True, True, True, False, True, False]
    assert in_ellipse([[3, 9], [4, 5]], [3, 0, 3, 10]).tolist() == [True, False]  # degenerate: a segment


def test_grounding_scores_by_hand() -> None:
    gt = np.array([[0, 0, 100, 100], [0, 0, 100, 100], [0, 0, 100, 100], [50, 50, 150, 150]], dtype=float)
    pred = np.array([[0, 0, 100, 100], [0, 0, 50, 100], [80, 80, 180, 180], [np.nan] * 4])
    s = grounding_scores(pred, gt)
    # IoU 1; 0.5; 20*20 / (10000 + 10000 - 400) = 0.020408; missing -> 0
    assert s.iou == pytest.approx([1.0, 0.5, 400 / 19600, 0.0])
    assert s.miou == pytest.approx((1.5 + 400 / 19600) / 4)
    assert s.hit_rate == {0.1: 0.5, 0.3: 0.5, 0.5: 0.5}
    # centres (50,50) in; (25,50) in; (130,130) out; missing -> miss
    assert s.hits.tolist() == [True, True, False, False] and s.pointing == 0.5
    assert s.n_missing == 1 and s.n_items == 4
    assert box_centre(gt[3]).tolist() == [100, 100]


def test_bad_boxes() -> None:
    with pytest.raises(MetricInputError, match="x2 >= x1"):
        box_iou([10, 0, 0, 10], [0, 0, 1, 1])
    with pytest.raises(MetricInputError, match="4 coordinates"):
        box_iou([0, 0, 1], [0, 0, 1, 1])
    with pytest.raises(MetricInputError, match="NaN"):
        grounding_scores([[0, 0, 1, 1]], [[np.nan, 0, 1, 1]])
