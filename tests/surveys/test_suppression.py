"""Small counts are hidden, and so is anything they could be worked out from."""

from surveys.suppression import suppress_row

K = 10


def test_nothing_is_hidden_when_every_count_is_large_or_zero():
    row = suppress_row([40, 25, 0, 12], threshold=K)
    assert row.shown == [True, True, True, True]


def test_one_small_cell_takes_the_next_smallest_with_it():
    # Alone, the 4 could be worked out as total − the rest.
    row = suppress_row([40, 25, 4, 12], threshold=K)
    assert row.shown == [True, True, False, False]
    hidden = [c for c, shown in zip([40, 25, 4, 12], row.shown, strict=True) if not shown]
    assert len(hidden) >= 2


def test_zero_is_hidden_as_the_partner_when_it_is_the_smallest():
    row = suppress_row([40, 0, 4, 12], threshold=K)
    assert row.shown == [True, False, False, True]


def test_two_small_cells_protect_each_other():
    row = suppress_row([40, 3, 4, 50], threshold=K)
    assert row.shown == [True, False, False, True]


def test_a_small_total_hides_the_whole_breakdown():
    row = suppress_row([3, 2, 1], threshold=K, groups=["positive", "other", "other"])
    assert row.shown == [False, False, False] and not row.share_shown


def test_the_positive_share_counts_as_a_total_that_must_not_reveal_a_cell():
    # Positive: very (30) + fairly (5). With the share shown, the positive count 35 is
    # known, so 'fairly' = 35 − 30 unless 'very' is hidden too.
    counts = [30, 5, 40, 25, 12]
    groups = ["positive", "positive", "other", "other", "excluded"]
    row = suppress_row(counts, threshold=K, groups=groups)
    assert row.share_shown
    assert row.shown == [False, False, True, True, True]


def test_a_lone_small_dont_know_hides_the_share_and_a_partner():
    # "Don't know" (3) is the only cell outside the share's base; with the share shown it
    # would be total − base. So the share goes, and a partner cell is hidden.
    counts = [30, 20, 40, 25, 3]
    groups = ["positive", "positive", "other", "other", "excluded"]
    row = suppress_row(counts, threshold=K, groups=groups)
    assert not row.share_shown
    assert row.shown == [True, False, True, True, False]


def test_a_small_positive_count_hides_the_share():
    counts = [2, 4, 60, 70, 0]
    groups = ["positive", "positive", "other", "other", "excluded"]
    row = suppress_row(counts, threshold=K, groups=groups)
    assert not row.share_shown
    assert row.shown == [False, False, True, True, True]


def test_multiple_choice_cells_do_not_add_up_so_only_small_ones_are_hidden():
    row = suppress_row([40, 4, 25], threshold=K, additive=False)
    assert row.shown == [True, False, True]


def test_no_hidden_cell_can_be_recovered_from_any_shown_total():
    """Brute force: for many rows, every shown total has none or at least two hidden
    cells under it, so no single hidden count is determined."""
    import itertools

    groups = ["positive", "positive", "other", "other", "excluded"]
    for counts in itertools.product([0, 3, 9, 10, 40], repeat=5):
        row = suppress_row(list(counts), threshold=K, groups=groups)
        if not any(row.shown):
            continue
        parts = [[0, 1], [2, 3], [4]] if row.share_shown else [[0, 1, 2, 3, 4]]
        for part in parts:
            hidden = [i for i in part if not row.shown[i]]
            assert len(hidden) != 1, (counts, row)
        for count, shown in zip(counts, row.shown, strict=True):
            assert shown is False or not 0 < count < K
