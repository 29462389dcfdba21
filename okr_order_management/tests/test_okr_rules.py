from datetime import date, timedelta

from odoo.tests import TransactionCase, tagged

from odoo.addons.okr_order_management import okr_rules
from odoo.addons.okr_order_management.okr_rules import (
    AT_RISK_GAP,
    EXPECTED_SCORE,
    OFF_TRACK_GAP,
    SCORE_GREEN_FROM,
    SCORE_YELLOW_FROM,
)

# A cycle of exactly 100 days: day N after the start is a pace of N %.
START = date(2026, 1, 1)
END = date(2026, 4, 10)
MIDDLE = START + timedelta(days=50)


@tagged("post_install", "-at_install")
class TestOkrRules(TransactionCase):
    """The pure progress, status and score rules (PRODUCT.md)."""

    def test_cycle_of_reference_is_100_days(self):
        self.assertEqual((END - START).days + 1, 100)

    def test_attainment(self):
        cases = [
            # (target_type, start, target, current, attainment)
            # The article's decreasing key results.
            ("reach", 5.0, 1.0, 2.0, 75.0),
            ("reach", 48.0, 12.0, 20.0, 77.78),
            # Increasing: from the start, half-way, on target, beyond, behind.
            ("reach", 0.0, 100.0, 0.0, 0.0),
            ("reach", 0.0, 100.0, 50.0, 50.0),
            ("reach", 10.0, 20.0, 20.0, 100.0),
            ("reach", 0.0, 100.0, 150.0, 150.0),
            ("reach", 10.0, 20.0, 5.0, -50.0),
            ("reach", 5.0, 1.0, 0.0, 125.0),
            ("reach", 5.0, 1.0, 6.0, -25.0),
            # Start == target cannot move: on target or not at all.
            ("reach", 3.0, 3.0, 3.0, 100.0),
            ("reach", 3.0, 3.0, 2.0, 0.0),
            # "At least": the boundary is achieved.
            ("at_least", 95.0, 90.0, 90.0, 100.0),
            ("at_least", 95.0, 90.0, 89.9, 0.0),
            ("at_least", 95.0, 90.0, 99.0, 100.0),
            ("at_least", 80.0, 90.0, 85.0, 50.0),
            ("at_least", 80.0, 90.0, 90.0, 100.0),
            ("at_least", 80.0, 90.0, 95.0, 150.0),
            ("at_least", 80.0, 90.0, 70.0, -100.0),
            # "At most": the boundary is achieved.
            ("at_most", 1.0, 2.0, 2.0, 100.0),
            ("at_most", 1.0, 2.0, 2.1, 0.0),
            ("at_most", 1.0, 2.0, 0.5, 100.0),
            ("at_most", 5.0, 3.0, 4.0, 50.0),
            ("at_most", 5.0, 3.0, 3.0, 100.0),
            ("at_most", 5.0, 3.0, 2.0, 150.0),
            # Milestone: 0 or 100.
            ("milestone", 0.0, 1.0, 0.0, 0.0),
            ("milestone", 0.0, 1.0, 0.99, 0.0),
            ("milestone", 0.0, 1.0, 1.0, 100.0),
            ("milestone", 0.0, 1.0, 2.0, 100.0),
            # Empty values count as 0.
            ("reach", False, 10.0, False, 0.0),
            ("reach", None, 10.0, 5.0, 50.0),
        ]
        for target_type, start, target, current, expected in cases:
            with self.subTest(
                target_type=target_type, start=start, target=target, current=current
            ):
                self.assertAlmostEqual(
                    okr_rules.attainment(target_type, start, target, current),
                    expected,
                    places=2,
                )

    def test_progress_clamps_attainment(self):
        cases = [
            (-50.0, 0.0),
            (0.0, 0.0),
            (None, 0.0),
            (42.5, 42.5),
            (100.0, 100.0),
            (150.0, 100.0),
        ]
        for attainment, expected in cases:
            with self.subTest(attainment=attainment):
                self.assertEqual(okr_rules.progress(attainment), expected)

    def test_progress_of_the_article_key_results(self):
        cases = [
            (okr_rules.attainment("reach", 5.0, 1.0, 2.0), 75.0),
            (okr_rules.attainment("reach", 48.0, 12.0, 20.0), 77.78),
            (okr_rules.attainment("at_least", 80.0, 90.0, 90.0), 100.0),
            (okr_rules.attainment("reach", 0.0, 100.0, 150.0), 100.0),
            (okr_rules.attainment("reach", 10.0, 20.0, 5.0), 0.0),
        ]
        for attainment, expected in cases:
            with self.subTest(attainment=attainment):
                self.assertAlmostEqual(
                    okr_rules.progress(attainment), expected, places=2
                )

    def test_weighted_progress(self):
        cases = [
            ([], 0.0),
            ([(1.0, 40.0)], 40.0),
            ([(1.0, 50.0), (2.0, 80.0), (1.0, 20.0)], 57.5),
            ([(1.0, 100.0), (3.0, 0.0)], 25.0),
            # A weight of 0 leaves a key result out...
            ([(0.0, 100.0), (1.0, 30.0)], 30.0),
            # ... unless every weight is 0: then they count equally.
            ([(0.0, 50.0), (0.0, 100.0)], 75.0),
            ([(0.0, 0.0), (0.0, 0.0)], 0.0),
        ]
        for pairs, expected in cases:
            with self.subTest(pairs=pairs):
                self.assertAlmostEqual(
                    okr_rules.weighted_progress(iter(pairs)), expected, places=6
                )

    def test_expected_pace(self):
        q4_start, q4_end = date(2026, 10, 1), date(2026, 12, 31)
        cases = [
            (START, END, START - timedelta(days=1), 0.0),
            (START, END, START, 0.0),
            (START, END, START + timedelta(days=1), 1.0),
            (START, END, MIDDLE, 50.0),
            # The last day itself has not elapsed yet; the day after has.
            (START, END, END, 99.0),
            (START, END, END + timedelta(days=1), 100.0),
            (START, END, END + timedelta(days=30), 100.0),
            # Q4: 92 days.
            (q4_start, q4_end, date(2026, 11, 16), 50.0),
            (q4_start, q4_end, q4_end, 91 / 92 * 100),
            # A one-day cycle.
            (START, START, START, 0.0),
            (START, START, START + timedelta(days=1), 100.0),
            # No dates, no pace.
            (False, END, MIDDLE, 0.0),
            (START, False, MIDDLE, 0.0),
        ]
        for date_start, date_end, today, expected in cases:
            with self.subTest(start=date_start, end=date_end, today=today):
                self.assertAlmostEqual(
                    okr_rules.expected_pace(date_start, date_end, today),
                    expected,
                    places=6,
                )

    def test_status(self):
        pace = okr_rules.expected_pace(START, END, MIDDLE)
        self.assertEqual(pace, 50.0)
        epsilon = 0.1
        cases = [
            # Before the cycle: not started, unless already achieved.
            (0.0, START - timedelta(days=1), "not_started"),
            (60.0, START - timedelta(days=1), "not_started"),
            (100.0, START - timedelta(days=1), "achieved"),
            # First day: the pace is 0, nobody is late.
            (0.0, START, "on_track"),
            # 100 % is achieved whatever the date, more too.
            (100.0, MIDDLE, "achieved"),
            (100.0, END + timedelta(days=10), "achieved"),
            (120.0, MIDDLE, "achieved"),
            (99.9, MIDDLE, "on_track"),
            # Ahead of the pace, on it, and at the AT_RISK_GAP boundary.
            (80.0, MIDDLE, "on_track"),
            (pace, MIDDLE, "on_track"),
            (pace - AT_RISK_GAP, MIDDLE, "on_track"),
            (pace - AT_RISK_GAP - epsilon, MIDDLE, "at_risk"),
            # At the OFF_TRACK_GAP boundary.
            (pace - OFF_TRACK_GAP, MIDDLE, "at_risk"),
            (pace - OFF_TRACK_GAP - epsilon, MIDDLE, "off_track"),
            (0.0, MIDDLE, "off_track"),
            (None, MIDDLE, "off_track"),
            # After the end, the pace is 100 %.
            (100.0 - AT_RISK_GAP, END + timedelta(days=1), "on_track"),
            (100.0 - OFF_TRACK_GAP, END + timedelta(days=1), "at_risk"),
            (100.0 - OFF_TRACK_GAP - epsilon, END + timedelta(days=1), "off_track"),
        ]
        for progress, today, expected in cases:
            with self.subTest(progress=progress, today=today):
                self.assertEqual(
                    okr_rules.status(progress, START, END, today), expected
                )

    def test_status_thresholds_are_ordered(self):
        self.assertGreater(AT_RISK_GAP, 0.0)
        self.assertGreater(OFF_TRACK_GAP, AT_RISK_GAP)
        self.assertLess(SCORE_YELLOW_FROM, SCORE_GREEN_FROM)

    def test_score(self):
        cases = [
            (None, 0.0),
            (0.0, 0.0),
            (75.0, 0.75),
            (77.78, 0.78),
            # Half up, although 0.575 and 0.125 are stored a bit below.
            (57.5, 0.58),
            (12.5, 0.13),
            (100.0, 1.0),
        ]
        for progress, expected in cases:
            with self.subTest(progress=progress):
                self.assertAlmostEqual(okr_rules.score(progress), expected, places=6)

    def test_score_band(self):
        cases = [
            (0.0, "red"),
            (SCORE_YELLOW_FROM - 0.01, "red"),
            (SCORE_YELLOW_FROM, "yellow"),
            (SCORE_GREEN_FROM - 0.01, "yellow"),
            (SCORE_GREEN_FROM, "green"),
            (1.0, "green"),
        ]
        for score, expected in cases:
            with self.subTest(score=score):
                self.assertEqual(okr_rules.score_band(score), expected)

    def test_expected_score_by_commitment(self):
        self.assertEqual(EXPECTED_SCORE, {"committed": 1.0, "aspirational": 0.7})
        self.assertEqual(okr_rules.score_band(EXPECTED_SCORE["aspirational"]), "green")
