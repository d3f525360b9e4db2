"""The space-time permutation scan finds planted clusters of neighbouring wards."""

from __future__ import annotations

import numpy as np

from cohesion.tensions.warning.scan import clusters_by_adjacency, space_time_scan

# a line of 8 wards: 0-1-2-3-4-5-6-7
NEIGHBOURS = [[j for j in (i - 1, i + 1) if 0 <= j < 8] for i in range(8)]


def test_zones_are_connected_neighbourhoods_up_to_the_size_limit():
    zones = clusters_by_adjacency(8, NEIGHBOURS, 3)
    assert zones.sum(axis=1).max() == 3
    for z in zones:
        idx = np.nonzero(z)[0]
        assert idx.max() - idx.min() + 1 == len(idx)  # contiguous on the line
    assert len({tuple(z) for z in zones}) == len(zones)


def test_planted_cluster_is_found_with_a_small_p_value():
    rng = np.random.default_rng(0)
    X = rng.poisson(4.0, size=(52, 8))
    X[-2:, 3:6] += 6
    zones = clusters_by_adjacency(8, NEIGHBOURS, 4)
    res = space_time_scan(X, zones, replicates=999, seed=1)
    top = res.clusters[0]
    assert set(top.wards) >= {3, 4, 5} and len(top.wards) <= 4
    assert top.weeks in (2, 3)
    assert top.p_value <= 0.002
    assert top.observed > top.expected


def test_no_cluster_gives_large_p_values_about_uniformly():
    zones = clusters_by_adjacency(8, NEIGHBOURS, 4)
    ps = []
    for seed in range(40):
        X = np.random.default_rng(100 + seed).poisson(3.0, size=(52, 8))
        res = space_time_scan(X, zones, replicates=99, seed=seed)
        ps.append(res.clusters[0].p_value)
    ps_arr = np.asarray(ps)
    assert np.mean(ps_arr <= 0.05) <= 0.15
    assert 0.3 < np.median(ps_arr) < 0.7


def test_empty_counts_give_no_cluster():
    zones = clusters_by_adjacency(8, NEIGHBOURS, 4)
    res = space_time_scan(np.zeros((52, 8)), zones)
    assert res.clusters == [] and res.total_cases == 0


def test_bursty_counts_do_not_make_the_scan_cry_wolf():
    # Negative binomial counts (variance 2 x mean): shuffling single reports would give far too
    # many small p-values; the engine's overdispersed replicates keep them near nominal.
    zones = clusters_by_adjacency(8, NEIGHBOURS, 4)
    small_fixed, small_plain = 0, 0
    for seed in range(30):
        rng = np.random.default_rng(500 + seed)
        X = rng.negative_binomial(3.0, 0.5, size=(52, 8))  # mean 3, variance 6
        fixed = space_time_scan(X, zones, replicates=99, seed=seed)
        plain = space_time_scan(X, zones, replicates=99, seed=seed, overdispersion=False)
        small_fixed += fixed.clusters[0].p_value <= 0.05
        small_plain += plain.clusters[0].p_value <= 0.05
        assert fixed.phi > 1.3
    assert small_fixed <= 5  # nominal 1.5 of 30
    assert small_plain > small_fixed


def test_threshold_is_the_smallest_count_that_would_have_alarmed():
    from cohesion.tensions.warning.scan import _llr

    rng = np.random.default_rng(0)
    X = rng.poisson(4.0, size=(52, 8))
    X[-2:, 3:6] += 6
    zones = clusters_by_adjacency(8, NEIGHBOURS, 4)
    res = space_time_scan(X, zones, replicates=999, seed=1)
    top = res.clusters[0]
    thr = res.threshold_count(top, 0.01)
    assert top.expected < thr <= top.observed
    crit = res.critical_llr(0.01)
    total = float(res.total_cases)
    assert _llr(np.array([thr]), np.array([top.expected]), total)[0] > crit
    assert _llr(np.array([thr - 1]), np.array([top.expected]), total)[0] <= crit
