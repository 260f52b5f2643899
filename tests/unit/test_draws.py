"""Fair draws: uniform over the deck, reversals at the set rate, never a repeated card."""

from collections import Counter

from oraculum.domain.tarot import DECK, draw, get_spread

# Upper 1e-6 tail of chi-square with 77 degrees of freedom (Wilson–Hilferty approximation,
# z = 4.75): a fair draw fails this test about once in a million runs.
CHI2_77_P1E6 = 151.2


def test_unseeded_single_cards_are_uniform_over_the_deck():
    spread = get_spread("single")
    n = 78 * 300
    counts = Counter(draw(spread)[0].card.index for _ in range(n))
    expected = n / 78
    chi2 = sum((counts.get(i, 0) - expected) ** 2 / expected for i in range(78))
    assert chi2 < CHI2_77_P1E6, chi2


def test_reversal_rate_follows_the_setting():
    spread = get_spread("celtic-cross")
    for p in (0.0, 0.25, 1.0):
        flips = [c.reversed for _ in range(400) for c in draw(spread, reversal_probability=p)]
        rate = sum(flips) / len(flips)
        sigma = (p * (1 - p) / len(flips)) ** 0.5
        assert abs(rate - p) <= 5 * sigma + 1e-9


def test_unseeded_draws_differ_and_every_position_is_filled_once():
    spread = get_spread("celtic-cross")
    draws = [tuple(c.card.index for c in draw(spread)) for _ in range(20)]
    assert len(set(draws)) > 1
    assert all(len(set(d)) == 10 for d in draws)


def test_every_card_can_appear_in_every_position():
    spread = get_spread("three-card")
    seen = {(c.position, c.card.index) for seed in range(3000) for c in draw(spread, seed=seed)}
    assert len(seen) == 3 * len(DECK)
