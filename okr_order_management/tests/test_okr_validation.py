from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import Q4_END, Q4_START, OkrCase


@tagged("post_install", "-at_install")
class TestOkrValidation(OkrCase):
    """Bad input is refused with a message, and what was saved stays saved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.objective = cls._create_objective()
        cls.key_result = cls._create_key_result(
            cls.objective, 48.0, 12.0, 20.0, name="Order confirmation time"
        )
        cls.other_company = cls.env["res.company"].create({"name": "OKR Other Co"})
        cls.other_cycle = cls.env["okr.cycle"].create(
            {
                "name": "Other company Q4",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": cls.other_company.id,
            }
        )

    def assertRefused(self, exception, message, func, *args, **kwargs):
        """Assert ``func`` raises ``exception`` with ``message`` in its text."""
        with self.assertRaises(exception) as error:
            func(*args, **kwargs)
        self.assertIn(message, str(error.exception))

    def assertSaved(self, record, **expected):
        """Assert the database still holds ``expected`` for ``record``."""
        record.invalidate_recordset()
        for fname, value in expected.items():
            with self.subTest(field=fname):
                self.assertEqual(record[fname], value)

    # Key results

    def test_reach_from_the_target(self):
        self.assertRefused(
            ValidationError,
            "starts at its target (12)",
            self._create_key_result,
            self.objective,
            12.0,
            12.0,
            name="Flat",
        )
        self.assertFalse(self.env["okr.key.result"].search([("name", "=", "Flat")]))
        self.assertRefused(
            ValidationError,
            "“Order confirmation time” starts at its target",
            self.key_result.write,
            {"target_value": 48.0},
        )
        self.assertSaved(
            self.key_result, start_value=48.0, target_value=12.0, progress=77.8
        )
        self.assertRefused(
            ValidationError,
            "starts at its target",
            self.key_result.write,
            {"start_value": 12.0},
        )
        self.assertSaved(self.key_result, start_value=48.0, target_value=12.0)

    def test_reach_from_the_target_when_switching_type(self):
        keep = self._create_key_result(
            self.objective, 90.0, 90.0, 92.0, target_type="at_least", name="Keep"
        )
        self.assertEqual(keep.progress, 100.0)
        self.assertRefused(
            ValidationError,
            "starts at its target (90)",
            keep.write,
            {"target_type": "reach"},
        )
        self.assertSaved(keep, target_type="at_least", progress=100.0)

    def test_negative_weight(self):
        self.assertRefused(
            ValidationError,
            "negative weight (-1)",
            self._create_key_result,
            self.objective,
            0.0,
            10.0,
            name="Heavy",
            weight=-1.0,
        )
        self.assertFalse(self.env["okr.key.result"].search([("name", "=", "Heavy")]))
        self.key_result.weight = 2.0
        self.assertRefused(
            ValidationError,
            "negative weight (-0.5)",
            self.key_result.write,
            {"weight": -0.5},
        )
        self.assertSaved(self.key_result, weight=2.0)
        self.key_result.weight = 0.0
        self.assertSaved(self.key_result, weight=0.0)

    # Cycles

    def test_cycle_ending_before_it_starts(self):
        self.assertRefused(
            ValidationError,
            "ends on 03/30/2027, before it starts on 03/31/2027",
            self.env["okr.cycle"].create,
            {"name": "Backwards", "date_start": "2027-03-31", "date_end": "2027-03-30"},
        )
        self.assertFalse(self.env["okr.cycle"].search([("name", "=", "Backwards")]))
        self.assertRefused(
            ValidationError,
            "before it starts",
            self.cycle.write,
            {"date_end": "2026-09-30"},
        )
        self.assertSaved(self.cycle, date_start=Q4_START, date_end=Q4_END)
        self.assertRefused(
            ValidationError,
            "before it starts",
            self.cycle.write,
            {"date_start": "2027-01-01"},
        )
        self.assertSaved(self.cycle, date_start=Q4_START, date_end=Q4_END)
        # A one-day cycle is fine.
        self.cycle.date_end = Q4_START
        self.assertSaved(self.cycle, date_end=Q4_START)

    def test_generate_invalid_year(self):
        self.assertRefused(
            ValidationError,
            "12 is not a valid year",
            self.env["okr.cycle.generate"].create,
            {"year": 12},
        )

    # Check-ins

    def test_confidence_out_of_range(self):
        Checkin = self.env["okr.checkin"]
        checkin = Checkin.create(
            {
                "key_result_id": self.key_result.id,
                "date": date(2026, 10, 20),
                "value": 30.0,
                "confidence": 6,
            }
        )
        for confidence in (-1, 11):
            with self.subTest(confidence=confidence):
                self.assertRefused(
                    ValidationError,
                    f"A confidence of {confidence} is out of range",
                    Checkin.create,
                    {
                        "key_result_id": self.key_result.id,
                        "date": date(2026, 10, 27),
                        "value": 12.0,
                        "confidence": confidence,
                    },
                )
                self.assertEqual(self.key_result.checkin_ids, checkin)
                self.assertSaved(
                    self.key_result,
                    current_value=30.0,
                    confidence=6,
                    last_checkin_date=date(2026, 10, 20),
                )
                self.assertRefused(
                    ValidationError,
                    "from 0 (no chance) to 10 (certain)",
                    checkin.write,
                    {"confidence": confidence},
                )
                self.assertSaved(checkin, confidence=6)
                self.assertSaved(self.key_result, confidence=6)
        for confidence in (0, 10):
            with self.subTest(confidence=confidence):
                checkin.confidence = confidence
                self.assertSaved(self.key_result, confidence=confidence)

    def test_checkin_cannot_move_to_another_key_result(self):
        other = self._create_key_result(self.objective, 0.0, 10.0, name="Other")
        checkin = self.env["okr.checkin"].create(
            {"key_result_id": self.key_result.id, "value": 30.0}
        )
        self.assertRefused(
            UserError,
            "cannot move to another key result",
            checkin.write,
            {"key_result_id": other.id},
        )
        self.assertSaved(checkin, key_result_id=self.key_result)
        self.assertFalse(other.checkin_ids)

    # Companies

    def test_objective_in_a_cycle_of_another_company(self):
        self.assertRefused(
            ValidationError,
            "but the cycle “Other company Q4” belongs to OKR Other Co",
            self._create_objective,
            "Misplaced",
            cycle_id=self.other_cycle.id,
        )
        self.assertFalse(self.env["okr.objective"].search([("name", "=", "Misplaced")]))
        self.assertRefused(
            ValidationError,
            "pick a cycle of",
            self.objective.write,
            {"cycle_id": self.other_cycle.id},
        )
        self.assertSaved(self.objective, cycle_id=self.cycle, company_id=self.company)
        self.assertSaved(self.key_result, cycle_id=self.cycle)
        self.assertRefused(
            ValidationError,
            "pick a cycle of",
            self.objective.write,
            {"company_id": self.other_company.id},
        )
        self.assertSaved(self.objective, company_id=self.company)
        self.assertSaved(self.key_result, company_id=self.company)

    def test_key_result_in_a_cycle_of_another_company(self):
        self.assertRefused(
            UserError,
            "Incompatible companies",
            self.key_result.write,
            {"cycle_id": self.other_cycle.id},
        )
        self.assertSaved(self.key_result, cycle_id=self.cycle, company_id=self.company)

    def test_key_result_follows_its_objective_company(self):
        objective = self._create_objective(
            "Other company objective",
            cycle_id=self.other_cycle.id,
            company_id=self.other_company.id,
        )
        key_result = self._create_key_result(objective, 0.0, 10.0)
        self.assertEqual(key_result.company_id, self.other_company)
        self.assertEqual(key_result.cycle_id, self.other_cycle)
        self.assertEqual(key_result.currency_id, self.other_company.currency_id)

    # Alignment

    def test_alignment_recursion(self):
        child = self._create_objective("Child", parent_id=self.objective.id)
        grandchild = self._create_objective("Grandchild", parent_id=child.id)
        cases = [
            (self.objective, self.objective),
            (self.objective, child),
            (self.objective, grandchild),
            (child, grandchild),
        ]
        for objective, parent in cases:
            with self.subTest(objective=objective.name, parent=parent.name):
                old_parent = objective.parent_id
                self.assertRefused(
                    ValidationError,
                    "cannot be aligned to itself or to one of the objectives "
                    "aligned under it",
                    objective.write,
                    {"parent_id": parent.id},
                )
                self.assertSaved(objective, parent_id=old_parent)
        self.assertSaved(grandchild, parent_id=child)

    def test_alignment_across_companies(self):
        other_objective = self._create_objective(
            "Other company objective",
            cycle_id=self.other_cycle.id,
            company_id=self.other_company.id,
        )
        self.assertRefused(
            ValidationError,
            "an objective aligns only to an objective of its own cycle and company",
            self.objective.write,
            {"parent_id": other_objective.id},
        )
        self.assertSaved(self.objective, parent_id=self.env["okr.objective"])
