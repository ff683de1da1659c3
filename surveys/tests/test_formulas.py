"""The satisfaction formulas, by hand, with no database."""

from surveys import formulas


def test_csat_counts_4_and_5_as_satisfied():
    # answers 5, 4, 3, 2, 5 -> 3 satisfied of 5 = 60%
    assert formulas.csat_pct(3, 5) == 60.0
    assert formulas.csat_pct(2, 3) == 66.67
    assert formulas.csat_pct(0, 0) is None


def test_nps_is_promoters_minus_detractors():
    # 10, 9, 8, 7, 6, 0 -> 2 promoters, 2 detractors of 6 -> 0; 10, 10, 5 -> 66.67 - 33.33
    assert formulas.nps(2, 2, 6) == 0.0
    assert formulas.nps(2, 1, 3) == 33.33
    assert formulas.nps(0, 3, 3) == -100.0
    assert formulas.nps(0, 0, 0) is None


def test_ces_is_the_mean_and_response_rate_a_share():
    assert formulas.ces_avg(2 + 5 + 7, 3) == 4.67
    assert formulas.ces_avg(None, 0) is None
    assert formulas.response_rate_pct(1, 3) == 33.33
    assert formulas.response_rate_pct(0, 0) is None


def test_low_scores():
    assert formulas.is_low(2, None)
    assert formulas.is_low(None, 6)
    assert not formulas.is_low(3, 7)
    assert not formulas.is_low(None, None)
