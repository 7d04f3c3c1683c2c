"""Best deterministic world model for Blackjack-v1 (default rules: natural=False, sab=False).

Blackjack is stochastic: every card comes from an infinite deck (1-9 once, 10 four times in
13), so no deterministic model is exact. This one predicts, for each output separately, the
value that is most likely given the observation, which maximises the expected accuracy:

* stick (0): the observation does not change and the episode ends (both certain); the reward is
  the most likely outcome of the dealer's play (draw until 17 or more, a soft 17 stands),
  computed exactly over the unseen hole card and the dealer's draws;
* hit (1): the next observation is the one reached with a ten-valued card (4/13, the most
  likely card); done and the reward (-1 on a bust, else 0) follow the more likely case
  (bust when more than half the cards bust the hand), which can disagree with the predicted
  observation (e.g. hard 12: a ten busts, but 9 cards in 13 do not).

Observation: (player sum, dealer's showing card 1-10, usable ace 0/1).
Self-contained: the standard library only.
"""

from fractions import Fraction
from functools import cache

# Card value -> probability (infinite deck; ten, jack, queen and king are all worth 10).
CARDS = {value: Fraction(4 if value == 10 else 1, 13) for value in range(1, 11)}


def hand_total(hard_sum, has_ace):
    """Best total of a hand: one ace counts 11 when that does not go over 21."""
    return hard_sum + 10 if has_ace and hard_sum + 10 <= 21 else hard_sum


@cache
def dealer_outcomes(hard_sum, has_ace):
    """Distribution of the dealer's final total (22 = bust) from a hand of at least two cards."""
    total = hand_total(hard_sum, has_ace)
    if total > 21:
        return {22: Fraction(1)}
    if total >= 17:
        return {total: Fraction(1)}
    result = {}
    for value, p in CARDS.items():
        for final, q in dealer_outcomes(hard_sum + value, has_ace or value == 1).items():
            result[final] = result.get(final, 0) + p * q
    return result


def dealer_final_from_showing(card):
    """Distribution of the dealer's final total given only the showing card."""
    result = {}
    for value, p in CARDS.items():
        for final, q in dealer_outcomes(card + value, card == 1 or value == 1).items():
            result[final] = result.get(final, 0) + p * q
    return result


def most_likely_stick_reward(player_total, dealer_card):
    """The likeliest of win (+1), draw (0) and loss (-1) when the player sticks."""
    finals = dealer_final_from_showing(dealer_card)
    win = sum(p for total, p in finals.items() if total == 22 or total < player_total)
    draw = finals.get(player_total, Fraction(0))
    lose = 1 - win - draw
    return max(((win, 1.0), (draw, 0.0), (lose, -1.0)))[1]


class Environment:
    """Most-likely-outcome Blackjack model."""

    def __init__(self):
        self.player_sum = 12
        self.dealer_card = 10
        self.usable_ace = 0
        self.stick_rewards = {
            (total, card): most_likely_stick_reward(total, card)
            for total in range(4, 22)
            for card in range(1, 11)
        }

    def set_state(self, state):
        """Take the (player sum, dealer card, usable ace) tuple."""
        self.player_sum, self.dealer_card, self.usable_ace = (int(v) for v in state)

    def step(self, action):
        """Stick (0) or hit (1); return (next observation, reward, done)."""
        total, card, usable = self.player_sum, self.dealer_card, self.usable_ace
        if int(action) == 0:
            return (total, card, usable), self.stick_rewards.get((total, card), -1.0), True
        # A ten: with a usable ace the ace drops to 1 (total unchanged), otherwise +10.
        next_state = (total, card, 0) if usable else (total + 10, card, 0)
        # With a usable ace no card busts; otherwise count the cards that take the total over 21.
        bust = Fraction(0) if usable else sum(p for value, p in CARDS.items() if total + value > 21)
        done = bust > Fraction(1, 2)
        self.player_sum, self.dealer_card, self.usable_ace = next_state
        return next_state, (-1.0 if done else 0.0), done
