"""The suppression rules, cell by cell (the auditor in test_disclosure checks that they
leave nothing to work out)."""

from surveys.suppression import partner_order, suppress_row

K = 10
SAFETY_POSITIVE = [True, True, False, False, False]


def test_nothing_is_hidden_when_every_count_reaches_the_threshold():
    row = suppress_row([40, 25, 10, 12], threshold=K)
    assert row.shown == (True, True, True, True) and row.answered_shown


def test_zero_counts_as_small():
    row = suppress_row([40, 25, 0, 12], threshold=K, partner=min)
    assert row.shown == (False, True, False, True)


def test_one_small_cell_always_takes_a_partner_from_the_same_total():
    row = suppress_row([40, 25, 4, 12], threshold=K, partner=max)
    assert row.shown == (True, True, False, False)


def test_fewer_than_the_threshold_answering_hides_everything_including_the_total():
    row = suppress_row([3, 2, 1, 0, 0], threshold=K, positive=SAFETY_POSITIVE)
    assert row.shown == (False,) * 5 and not row.share_shown and not row.answered_shown


def test_the_share_is_shown_only_when_both_its_parts_reach_the_threshold():
    assert suppress_row([30, 20, 40, 25, 12], threshold=K, positive=SAFETY_POSITIVE).share_shown
    assert not suppress_row([30, 20, 5, 1, 0], threshold=K, positive=SAFETY_POSITIVE).share_shown
    assert not suppress_row([3, 4, 60, 70, 10], threshold=K, positive=SAFETY_POSITIVE).share_shown


def test_with_the_share_shown_each_of_its_parts_gets_its_own_partner():
    row = suppress_row([30, 5, 40, 25, 12], threshold=K, positive=SAFETY_POSITIVE, partner=min)
    assert row.share_shown
    assert row.shown == (False, False, True, True, True)
    row = suppress_row([30, 20, 40, 25, 3], threshold=K, positive=SAFETY_POSITIVE, partner=min)
    assert row.shown == (True, True, False, True, False)


def test_multiple_choice_hides_a_partner_too():
    row = suppress_row([40, 4, 25], threshold=K, answered=50, additive=False, partner=min)
    assert row.shown == (False, False, True) and not row.share_shown


def test_the_partner_order_is_stable_and_differs_between_waves(settings):
    values = [f"answer_{i}" for i in range(8)]
    choose = partner_order(1, "safe_after_dark", values)
    assert choose(list(range(8))) == choose(list(range(8)))
    picks = {partner_order(w, "safe_after_dark", values)(list(range(8))) for w in range(40)}
    assert len(picks) > 1
